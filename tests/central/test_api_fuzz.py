"""The API under random input: paths, query strings and JSON bodies (NaN, huge numbers, junk), with
valid, wrong and missing tokens, against `esca-central serve` in its own process. No answer may be a
5xx, every refusal says why in `detail`, and the server's resident memory stays bounded — also
when bodies far larger than any endpoint takes are sent with and without a token."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from esca_desktop.central.store import CentralStore
from esca_desktop.context import open_context
from esca_desktop.services.bundles import export_bundle
from esca_desktop.services.signing import identity_store
from tests.central.harness import ProcessServer, central_users, finalised_bronze

PASSPHRASE = "correct horse battery staple"
MEMORY_GROWTH_BOUND = 64 << 20  # bytes of peak resident memory the whole run may add
HUGE = 64 << 20  # bytes of the oversized bodies

ROUTES = [
    ("GET", "/whoami"),
    ("GET", "/submissions"),
    ("GET", "/submissions/{uuid}/{revision}"),
    ("GET", "/submissions/{uuid}/{revision}/bundle"),
    ("POST", "/submissions/{uuid}/{revision}/approve"),
    ("POST", "/submissions/{uuid}/{revision}/return"),
    ("PUT", "/submissions/{uuid}/{revision}"),
    ("GET", "/reviews"),
    ("GET", "/catalogs"),
    ("GET", "/catalogs/{uuid}/{revision}"),
    ("POST", "/catalogs"),
    ("GET", "/benchmarks"),
    ("GET", "/health"),
    ("DELETE", "/submissions/{uuid}/{revision}"),
    ("PATCH", "/reviews"),
    ("GET", "/{uuid}"),
]

text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)
big_number = st.integers(min_value=-(2**80), max_value=2**80).map(str)
json_value = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(text, children, max_size=4),
    max_leaves=12,
)
comments = st.dictionaries(st.sampled_from(["B1.1", "B2.1", "B6.5", "9.9"]) | text, json_value, max_size=4)
bodies = st.one_of(
    st.just(b""),
    json_value.map(lambda value: json.dumps(value, allow_nan=True).encode()),
    comments.map(lambda value: json.dumps({"comments": value}, allow_nan=True).encode()),
    st.binary(max_size=300),
)
query = st.dictionaries(
    st.sampled_from(["since", "limit", "status", "all_revisions", "other"]),
    big_number | st.floats(allow_nan=True, allow_infinity=True).map(str) | text | st.sampled_from(["received", "true"]),
    max_size=3,
)


def _bundle(folder: Path) -> tuple[str, bytes]:
    context = open_context(folder / "desktop")
    context.set_actor("Anna Assessor")
    identity_store(context).create("Anna Assessor", "anna@example.org", PASSPHRASE, mode="ask")
    assessment_id = finalised_bronze(context)
    content = export_bundle(context, assessment_id, folder / "one.esca", PASSPHRASE).read_bytes()
    context.close()
    return assessment_id, content


def _memory(pid: int) -> dict[str, int]:
    """The server's resident memory now and at its peak, in bytes."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) << 10
    return fields


def _check(reply: httpx.Response, what: str) -> None:
    assert reply.status_code < 500, f"{what}: {reply.status_code} {reply.text[:500]}"
    if reply.status_code >= 400:
        detail = reply.json()["detail"]
        assert isinstance(detail, str) and detail, f"{what}: {reply.text[:500]}"


def test_random_requests_get_no_5xx_and_leave_memory_bounded(tmp_path: Path) -> None:
    assessment_id, bundle = _bundle(tmp_path)
    database = tmp_path / "central.sqlite3"
    store = CentralStore.open(database)
    _, assessor_token, _, reviewer_token = central_users(store)
    store.close()
    server = ProcessServer(database).start()
    assert server.process is not None
    tokens = {"assessor": assessor_token, "reviewer": reviewer_token, "wrong": "esca_wrong", "none": None}
    clients = {
        name: httpx.Client(
            base_url=server.url + "/api/v1",
            headers={"Authorization": f"Bearer {token}"} if token else {},
            timeout=60,
        )
        for name, token in tokens.items()
    }
    try:
        assert clients["assessor"].put(f"/submissions/{assessment_id}/1", content=bundle).status_code == 201
        before = _memory(server.process.pid)

        for name in ("none", "wrong", "reviewer"):  # far more than any endpoint takes
            huge = iter([b'{"comments": {"B1.1": "'] + [b"x" * (1 << 20)] * (HUGE >> 20) + [b'"}}'])
            _check(clients[name].post(f"/submissions/{assessment_id}/1/return", content=huge), f"{name}: huge JSON")

        @settings(
            max_examples=250,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(
            token=st.sampled_from(sorted(tokens)),
            route=st.sampled_from(ROUTES),
            uuid=st.just(assessment_id) | st.uuids().map(str) | text | big_number,
            revision=st.sampled_from(["1", "2", "0"]) | big_number | text,
            params=query,
            body=bodies,
        )
        def one_request(
            token: str, route: tuple[str, str], uuid: str, revision: str, params: dict[str, str], body: bytes
        ) -> None:
            method, template = route
            path = template.format(uuid=quote(uuid, safe=""), revision=quote(revision, safe=""))
            headers: dict[str, Any] = {"Content-Type": "application/json"} if body[:1] in (b"{", b"[") else {}
            reply = clients[token].request(method, path, params=params, content=body, headers=headers)
            _check(reply, f"{token} {method} {path} {params} {body[:200]!r}")

        one_request()
        after = _memory(server.process.pid)
    finally:
        for client in clients.values():
            client.close()
        server.kill()

    assert after["VmHWM"] - before["VmHWM"] < MEMORY_GROWTH_BOUND, (before, after)
