"""The service's API on its own: refusals of bad bundles (with the bundle's reason, the store
unchanged), authentication and roles, malformed requests, limits, the OpenAPI description."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import re
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from esca_desktop.central.app import create_app
from esca_desktop.central.limits import Limits
from esca_desktop.central.service import ReceivingService
from esca_desktop.central.store import CentralStore
from esca_desktop.context import open_context
from esca_desktop.security.credentials import MemoryCredentialStore
from esca_desktop.security.identity import IdentityStore
from esca_desktop.services.bundles import export_bundle
from esca_desktop.services.signing import identity_store
from esca_desktop.sync.bundle import read_bundle
from tests.central.harness import Central, ThreadServer, central_users, finalised_bronze
from tests.sync.tampering import BUNDLE_CASES, Case, Kit, resign

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    """A real exported bundle (report, evidence) and two identities to damage it with. The identities
    ask for their passphrase, so that no keyring is needed for this module-wide fixture."""
    folder = tmp_path_factory.mktemp("kit")
    context = open_context(folder / "desktop")
    context.set_actor("Anna Assessor")
    store = identity_store(context)
    store.create("Anna Assessor", "anna@example.org", PASSPHRASE, mode="ask")
    assessment_id = finalised_bronze(context, evidence_bytes=50_000)
    bundle = export_bundle(context, assessment_id, folder / "good.esca", PASSPHRASE).read_bytes()
    context.close()
    other = IdentityStore(folder / "other", MemoryCredentialStore())
    other.create("Mallory Other", "mallory@example.org", PASSPHRASE, mode="ask")
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    evidence = next(f["name"] for f in manifest["files"] if f["name"].startswith("evidence/"))
    return Kit(bundle, store.unlock(PASSPHRASE), other.unlock(PASSPHRASE), evidence)


def _key(kit: Kit) -> tuple[str, int]:
    manifest = kit.manifest()
    return manifest["assessment"]["id"], manifest["assessment"]["revision"]


@pytest.fixture
def api(central: Central) -> Iterator[httpx.Client]:
    with central.api(central.assessor_token) as client:
        yield client


def test_a_good_bundle_is_accepted(kit: Kit, central: Central, api: httpx.Client) -> None:
    assessment_id, revision = _key(kit)
    reply = api.put(f"/submissions/{assessment_id}/{revision}", content=kit.bundle)
    assert reply.status_code == 201, reply.text
    assert reply.json()["submission"]["content_hash"] == read_bundle(kit.bundle).content_hash


def test_a_reviewer_downloads_the_very_bytes_that_were_uploaded(kit: Kit, central: Central, api: httpx.Client) -> None:
    assessment_id, revision = _key(kit)
    assert api.put(f"/submissions/{assessment_id}/{revision}", content=kit.bundle).status_code == 201

    with central.api(central.reviewer_token) as reviewer:
        reply = reviewer.get(f"/submissions/{assessment_id}/{revision}/bundle")

    assert reply.status_code == 200 and reply.content == kit.bundle
    assert reply.headers["X-Content-SHA256"] == hashlib.sha256(kit.bundle).hexdigest()


@pytest.mark.parametrize("case", BUNDLE_CASES, ids=[c.id for c in BUNDLE_CASES])
def test_a_bad_bundle_is_refused_with_its_reason_and_nothing_stored(
    case: Case, kit: Kit, central: Central, api: httpx.Client
) -> None:
    assessment_id, revision = _key(kit)
    reply = api.put(f"/submissions/{assessment_id}/{revision}", content=case.make(kit))

    expected = 400 if case.id == "empty file" else 422
    assert reply.status_code == expected, reply.text
    detail = reply.json()["detail"]
    if expected == 422:
        assert detail.startswith("bundle refused: bundle: ")
        assert re.search(case.reason, detail), detail
    assert central.store.count_submissions() == 0


def test_a_tampered_bundle_for_a_stored_revision_changes_nothing(kit: Kit, central: Central, api: httpx.Client) -> None:
    assessment_id, revision = _key(kit)
    assert api.put(f"/submissions/{assessment_id}/{revision}", content=kit.bundle).status_code == 201
    tampered = BUNDLE_CASES[[c.id for c in BUNDLE_CASES].index("changed evidence byte")].make(kit)

    reply = api.put(f"/submissions/{assessment_id}/{revision}", content=tampered)

    assert reply.status_code == 422 and "the SHA-256 does not match manifest.json" in reply.json()["detail"]
    assert central.store.bundle(assessment_id)[1] == kit.bundle


def test_a_broken_audit_trail_is_refused(kit: Kit, central: Central, api: httpx.Client) -> None:
    def rewrite_history(document: dict[str, object]) -> None:
        entries = document["audit"]["entries"]  # type: ignore[index]
        entries[1]["new_json"] = '"something else"'

    assessment_id, revision = _key(kit)
    reply = api.put(
        f"/submissions/{assessment_id}/{revision}", content=resign(kit.bundle, kit.identity, document=rewrite_history)
    )

    assert reply.status_code == 422
    assert reply.json()["detail"] == (
        "bundle refused: assessment.json: the audit trail is not intact (entry 2: its "
        "content does not match its hash (the entry was edited))"
    )
    assert central.store.count_submissions() == 0


def test_only_finalised_assessments_are_submitted(kit: Kit, central: Central, api: httpx.Client) -> None:
    def in_progress(data: dict[str, object]) -> None:
        data["status"] = "in_progress"

    def manifest_in_progress(data: dict[str, object]) -> None:
        data["assessment"]["status"] = "in_progress"  # type: ignore[index]

    assessment_id, revision = _key(kit)
    reply = api.put(
        f"/submissions/{assessment_id}/{revision}",
        content=resign(kit.bundle, kit.identity, document=in_progress, manifest=manifest_in_progress),
    )

    assert reply.status_code == 422
    assert "the assessment is in_progress; only finalised assessments are submitted" in reply.json()["detail"]


def test_the_address_must_name_the_bundles_assessment(kit: Kit, central: Central, api: httpx.Client) -> None:
    assessment_id, _ = _key(kit)
    wrong_revision = api.put(f"/submissions/{assessment_id}/5", content=kit.bundle)
    not_a_uuid = api.put("/submissions/CLUSTER-1/1", content=kit.bundle)
    zero = api.put(f"/submissions/{assessment_id}/0", content=kit.bundle)

    assert wrong_revision.status_code == 400
    assert wrong_revision.json()["detail"] == (
        f"the bundle holds revision 1 of assessment {assessment_id}, but was sent as revision 5 of {assessment_id}"
    )
    assert not_a_uuid.status_code == 400 and "is not an assessment UUID" in not_a_uuid.json()["detail"]
    assert zero.status_code == 400 and "revisions start at 1" in zero.json()["detail"]
    assert central.store.count_submissions() == 0


def test_tokens_and_roles_are_checked(kit: Kit, central: Central) -> None:
    assessment_id, revision = _key(kit)
    url = f"/submissions/{assessment_id}/{revision}"
    with (
        central.api() as anonymous,
        central.api("esca_unknown") as stranger,
        central.api(central.reviewer_token) as reviewer,
        central.api(central.assessor_token) as assessor,
    ):
        missing = anonymous.put(url, content=kit.bundle)
        unknown = stranger.get("/whoami")
        by_reviewer = reviewer.put(url, content=kit.bundle)
        listing_by_assessor = assessor.get("/submissions")
        publishing_by_assessor = assessor.post("/catalogs", content=b"x")
        me = assessor.get("/whoami").json()

    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"] == "Bearer"
    assert unknown.status_code == 401 and "not known to this server" in unknown.json()["detail"]
    assert by_reviewer.status_code == 403 and "needs an assessor's token" in by_reviewer.json()["detail"]
    assert listing_by_assessor.status_code == 403
    assert publishing_by_assessor.status_code == 403
    assert me == {"name": "Anna Assessor", "role": "assessor"}
    assert central.store.count_submissions() == 0


def test_only_the_first_submitter_sends_further_revisions(kit: Kit, central: Central) -> None:
    intruder, token = central.store.add_user("Other Assessor", "assessor")
    assessment_id, revision = _key(kit)
    with central.api(central.assessor_token) as owner, central.api(token) as other:
        assert owner.put(f"/submissions/{assessment_id}/{revision}", content=kit.bundle).status_code == 201
        reply = other.put(f"/submissions/{assessment_id}/{revision}", content=kit.bundle)
        feed = other.get("/reviews").json()
    assert reply.status_code == 403 and "submitted by another assessor" in reply.json()["detail"]
    assert feed == {"reviews": [], "cursor": 0, "more": False}
    del intruder


def test_an_upload_larger_than_the_limit_is_refused(kit: Kit, tmp_path: Path) -> None:
    store = CentralStore.open(tmp_path / "small.sqlite3")
    _, token, _, _ = central_users(store)
    server = ThreadServer(create_app(store, max_body_bytes=len(kit.bundle) - 1)).start()
    assessment_id, revision = _key(kit)
    try:
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as client:
            declared = client.put(f"/api/v1/submissions/{assessment_id}/{revision}", content=kit.bundle)
            streamed = client.put(
                f"/api/v1/submissions/{assessment_id}/{revision}", content=iter([kit.bundle[:1000], kit.bundle[1000:]])
            )  # no Content-Length
    finally:
        server.stop()
    assert declared.status_code == 413 and "accepts at most" in declared.json()["detail"]
    assert streamed.status_code == 413
    assert store.count_submissions() == 0
    store.close()


def test_uploads_racing_each_other_store_the_bundle_once(kit: Kit, tmp_path: Path) -> None:
    store = CentralStore.open(tmp_path / "race.sqlite3")
    _, token, _, _ = central_users(store)
    server = ThreadServer(create_app(store, limits=Limits(uploads_per_account=8))).start()
    assessment_id, revision = _key(kit)
    codes: list[int] = []

    def upload() -> None:
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            codes.append(client.put(f"/api/v1/submissions/{assessment_id}/{revision}", content=kit.bundle).status_code)

    threads = [threading.Thread(target=upload) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server.stop()

    assert sorted(codes) == [200] * 7 + [201]
    assert store.count_submissions() == 1
    store.close()


def test_the_api_is_described_by_openapi(central: Central) -> None:
    with httpx.Client(base_url=central.url) as client:
        schema = client.get("/openapi.json").json()
        docs = client.get("/docs")
    assert docs.status_code == 200
    paths = schema["paths"]
    for path in (
        "/api/v1/whoami",
        "/api/v1/submissions/{assessment_uuid}/{revision}",
        "/api/v1/reviews",
        "/api/v1/submissions/{assessment_uuid}/{revision}/return",
        "/api/v1/catalogs",
        "/api/v1/catalogs/{catalog_id}/{version}",
        "/api/v1/benchmarks",
    ):
        assert path in paths, path
    assert "HTTPBearer" in schema["components"]["securitySchemes"]


def test_bundles_are_kept_as_files_named_by_their_content_hash(kit: Kit, central: Central, api: httpx.Client) -> None:
    assessment_id, revision = _key(kit)
    assert api.put(f"/submissions/{assessment_id}/{revision}", content=kit.bundle).status_code == 201
    sha = read_bundle(kit.bundle).content_hash

    folder = central.database.with_name(central.database.name + ".bundles")
    assert (folder / sha[:2] / f"{sha}.esca").read_bytes() == kit.bundle
    assert kit.bundle[:2000] not in central.database.read_bytes()  # not copied into the database too
    assert [p.name for p in folder.rglob("*") if p.is_file()] == [f"{sha}.esca"]  # no temporary left over


def test_without_a_bundle_folder_bundles_live_in_the_database(kit: Kit, tmp_path: Path) -> None:
    store = CentralStore.open(tmp_path / "inline.sqlite3", bundles=None)
    assessor, _, _, _ = central_users(store)

    with store.incoming() as upload:
        upload.write(kit.bundle)
        upload.finish()
        receipt = ReceivingService(store).receive(*_key(kit), upload, assessor)

    assert receipt.created
    assert store.bundle(_key(kit)[0])[1] == kit.bundle
    assert not (tmp_path / "inline.sqlite3.bundles").exists()
    store.close()


def test_a_conflicting_upload_leaves_no_file_behind(kit: Kit, central: Central, api: httpx.Client) -> None:
    assessment_id, revision = _key(kit)
    other = resign(kit.bundle, kit.identity, document=lambda d: d["summary"].update(strengths="changed"))
    assert api.put(f"/submissions/{assessment_id}/{revision}", content=kit.bundle).status_code == 201

    assert api.put(f"/submissions/{assessment_id}/{revision}", content=other).status_code == 409

    folder = central.database.with_name(central.database.name + ".bundles")
    assert len([p for p in folder.rglob("*") if p.is_file()]) == 1


def test_an_upload_broken_off_midway_leaves_nothing_behind(kit: Kit, central: Central) -> None:
    assessment_id, revision = _key(kit)
    host, port = central.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(
            f"PUT /api/v1/submissions/{assessment_id}/{revision} HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {central.assessor_token}\r\nContent-Length: {len(kit.bundle)}\r\n\r\n".encode()
            + kit.bundle[: len(kit.bundle) // 2]
        )
        time.sleep(0.3)  # the first half arrives and is written ...
    # ... then the connection is gone: the half-written upload is removed, and nothing is stored
    folder = central.database.with_name(central.database.name + ".bundles")
    deadline = time.monotonic() + 10
    while any(folder.rglob("*.part")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p for p in folder.rglob("*") if p.is_file()]
    with central.api(central.reviewer_token) as reviewer:
        assert reviewer.get("/submissions").json()["submissions"] == []


def test_uploads_abandoned_by_a_stopped_server_are_removed_when_it_starts_again(tmp_path: Path) -> None:
    database = tmp_path / "central.sqlite3"
    CentralStore.open(database).close()
    folder = tmp_path / "central.sqlite3.bundles"
    folder.mkdir(exist_ok=True)
    old, fresh = folder / ".incoming-old.part", folder / ".incoming-fresh.part"
    old.write_bytes(b"half a bundle")
    fresh.write_bytes(b"an upload arriving right now")
    a_week_ago = time.time() - 7 * 24 * 3600
    os.utime(old, (a_week_ago, a_week_ago))

    CentralStore.open(database).close()

    assert not old.exists() and fresh.exists()


def test_a_bundle_file_removed_by_a_failed_twin_upload_is_written_again(
    kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two uploads of the same content: the second finds the first's file in place; if the first then
    fails and removes it before the second records its row, the second writes it again."""
    store = CentralStore.open(tmp_path / "central.sqlite3")
    assessor, _, _, _ = central_users(store)
    files = store.files
    assert files is not None
    content_hash = read_bundle(kit.bundle).content_hash
    files.path(content_hash).parent.mkdir(parents=True)
    files.path(content_hash).write_bytes(kit.bundle)  # the twin's file, in place
    first_adopt = files.adopt
    calls = []

    def adopt_as_the_twin_fails(upload: Any, name: str) -> bool:
        created = first_adopt(upload, name)
        if not calls:
            files.discard(name)  # the failing twin cleans up right after this upload found its file
        calls.append(created)
        return created

    monkeypatch.setattr(files, "adopt", adopt_as_the_twin_fails)
    with store.incoming() as upload:
        upload.write(kit.bundle)
        upload.finish()
        receipt = ReceivingService(store).receive(*_key(kit), upload, assessor)

    assert receipt.created and calls == [False, True]  # found in place, then written again
    assert store.bundle(_key(kit)[0])[1] == kit.bundle
    store.close()


def test_a_full_disk_is_a_clear_refusal_worth_retrying(
    kit: Kit, central: Central, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("esca_desktop.central.bundle_files.tempfile.mkstemp", disk_full)
    reply = api.put("/submissions/{}/{}".format(*_key(kit)), content=kit.bundle)

    assert reply.status_code == 503  # which the desktop retries later
    assert reply.json()["detail"].startswith("the review service cannot store the upload now (No space left on device)")
    assert central.store.count_submissions() == 0
