"""The sync client against the real service on 127.0.0.1: replies become values, and every failure
becomes an error that says what happened and whether trying again can help."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from esca_desktop.central.app import create_app
from esca_desktop.central.store import CentralStore
from esca_desktop.sync.client import (
    HttpTransport,
    NetworkError,
    Reply,
    ReviewServiceClient,
    ServerRefusal,
    SyncCancelled,
    SyncError,
    Timeouts,
    normalise_server_url,
)
from tests.central.harness import Central, ThreadServer, central, central_users, free_port
from tests.sync.silent_server import SilentServer, silent_server

__all__ = ["central", "silent_server"]  # the fixtures, used by the tests below

UUID = "6f1c2b9e-3d4a-4c55-9e1f-0a2b3c4d5e6f"


@pytest.fixture
def client(central: Central) -> Iterator[ReviewServiceClient]:
    transport = HttpTransport(central.url)
    yield ReviewServiceClient(transport, central.assessor_token)
    transport.close()


@pytest.fixture
def faulty(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A service whose first upload hangs 2 s and whose second is cut off."""
    store = CentralStore.open(tmp_path / "faulty.sqlite3")
    _, token, _, _ = central_users(store)
    server = ThreadServer(create_app(store, faults=["delay:2", "cutoff"])).start()
    yield server.url, token
    server.stop()
    store.close()


def test_whoami_names_the_account(client: ReviewServiceClient) -> None:
    account = client.whoami()
    assert (account.name, account.role) == ("Anna Assessor", "assessor")


def test_an_unknown_token_is_a_fatal_refusal_with_the_servers_reason(central: Central) -> None:
    transport = HttpTransport(central.url)
    with pytest.raises(ServerRefusal) as caught:
        ReviewServiceClient(transport, "esca_wrong").whoami()
    transport.close()
    assert caught.value.status == 401 and not caught.value.retryable
    assert caught.value.detail.startswith("the API token is not known to this server")


def test_a_refused_bundle_carries_the_bundle_reason(client: ReviewServiceClient) -> None:
    with pytest.raises(ServerRefusal) as caught:
        client.upload(UUID, 1, b"PK\x03\x04 not really a zip")
    assert caught.value.status == 422 and not caught.value.retryable
    assert "bundle refused" in caught.value.detail and "zip" in caught.value.detail


def test_pulls_on_an_empty_service_return_nothing(client: ReviewServiceClient) -> None:
    assert client.reviews(0) == ([], 0, False)
    assert client.catalogs() == []
    assert client.benchmarks() == []


def test_an_address_without_a_server_is_unreachable() -> None:
    transport = HttpTransport(f"http://127.0.0.1:{free_port()}", Timeouts(connect=2))
    with pytest.raises(NetworkError) as caught:
        ReviewServiceClient(transport, "t").whoami()
    transport.close()
    assert caught.value.kind == "unreachable"
    assert "cannot be reached" in caught.value.message


def test_a_server_that_accepts_and_never_answers_is_given_up_with_a_clear_message(
    silent_server: SilentServer,
) -> None:
    assert Timeouts().connect <= 5 and Timeouts().read <= 15  # seconds, not minutes, by default
    transport = HttpTransport(silent_server.url, Timeouts(read=0.5))
    with pytest.raises(NetworkError) as caught:
        ReviewServiceClient(transport, "t").whoami()
    transport.close()
    assert silent_server.connections == 1  # it was reached, and said nothing
    assert caught.value.kind == "timeout"
    assert caught.value.message.startswith(f"The server at {silent_server.url} did not answer within 0.5 s")
    assert "accepted the connection but sent no reply" in caught.value.message


def test_a_slow_reply_times_out_and_a_cut_reply_is_interrupted(faulty: tuple[str, str]) -> None:
    url, token = faulty
    transport = HttpTransport(url, Timeouts(upload_read=0.5))
    client = ReviewServiceClient(transport, token)
    with pytest.raises(NetworkError) as slow:
        client.upload(UUID, 1, b"x")
    with pytest.raises(NetworkError) as cut:
        client.upload(UUID, 1, b"PK not a bundle")
    transport.close()
    assert slow.value.kind == "timeout" and "did not answer within 0.5 s" in slow.value.message
    assert cut.value.kind == "interrupted" and "broke before the reply was complete" in cut.value.message


@pytest.mark.parametrize("from_file", [False, True], ids=["bytes", "file"])
def test_cancelling_stops_an_upload_between_chunks(
    client: ReviewServiceClient, central: Central, tmp_path: Path, from_file: bool
) -> None:
    content = bytes(5 << 20)
    bundle = tmp_path / "large.esca"
    bundle.write_bytes(content)
    calls = 0

    def cancel() -> bool:
        nonlocal calls
        calls += 1
        return calls > 2

    with pytest.raises(SyncCancelled):
        client.upload(UUID, 1, bundle if from_file else content, cancel=cancel)
    assert calls == 3  # two megabytes went out, the third was never sent (nor read from the file)
    assert central.store.count_submissions() == 0


def test_a_missing_bundle_file_is_named(client: ReviewServiceClient, tmp_path: Path) -> None:
    with pytest.raises(SyncError, match=r"gone\.esca cannot be read"):
        client.upload(UUID, 1, tmp_path / "gone.esca")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://review.example.org/", "https://review.example.org"),
        (" http://127.0.0.1:8750 ", "http://127.0.0.1:8750"),
        ("https://example.org/esca/", "https://example.org/esca"),
    ],
)
def test_server_addresses_are_normalised(given: str, expected: str) -> None:
    assert normalise_server_url(given) == expected


@pytest.mark.parametrize("given", ["review.example.org", "ftp://example.org", "https://", "https://x.org/?a=1"])
def test_anything_but_an_http_address_is_refused(given: str) -> None:
    with pytest.raises(SyncError, match="server address"):
        normalise_server_url(given)


def test_error_replies_are_read_as_well_as_they_can_be() -> None:
    assert Reply(409, b'{"detail": "older revision"}').detail == "older revision"
    assert Reply(422, b'{"detail": [{"msg": "field required"}]}').detail == "field required"
    assert Reply(502, b"<html>Bad Gateway</html>").detail == "<html>Bad Gateway</html>"
    assert Reply(503, b"").detail == "the server answered 503 without a reason"
    assert ServerRefusal(503, "busy").retryable and ServerRefusal(429, "slow down").retryable
    assert not ServerRefusal(409, "conflict").retryable


def test_a_reply_of_another_shape_is_explained() -> None:
    class Canned:
        base_url = "http://example.org"

        def send(self, *args: object, **kwargs: object) -> Reply:
            return Reply(200, b'{"name": "x"}')

        def close(self) -> None:
            return None

    with pytest.raises(ServerRefusal, match=r"unexpected shape .*matching version"):
        ReviewServiceClient(Canned(), "t").whoami()
