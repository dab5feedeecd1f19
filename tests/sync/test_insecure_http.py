"""Plain http:// carries the sign-in token in clear: it is refused for any server but one on this
computer, unless the person explicitly allows it (`login --allow-insecure-http`)."""

from __future__ import annotations

import io
import sys

import pytest

from esca_desktop.cli import run
from esca_desktop.context import AppContext
from esca_desktop.services import sync as service
from esca_desktop.sync.client import InsecureServerError, SyncTransport, is_loopback_url, refuse_insecure_http
from tests.central.harness import desktop, memory_keyring
from tests.security.conftest import InMemoryKeyring

__all__ = ["desktop", "memory_keyring"]  # fixtures used below

REMOTE_HTTP = [
    "http://review.example.org",
    "http://10.0.0.5:8750",
    "http://[2001:db8::1]:8750/esca",
    "http://128.0.0.1",
]
LOCAL_HTTP = [
    "http://127.0.0.1:8750",
    "http://127.8.9.10",
    "http://localhost:8750/esca",
    "http://LOCALHOST",
    "http://[::1]:8750",
]


@pytest.mark.parametrize("url", REMOTE_HTTP)
def test_plain_http_to_another_computer_is_refused_unless_allowed(url: str) -> None:
    assert not is_loopback_url(url)
    with pytest.raises(InsecureServerError, match=r"plain http:// address: the sign-in token .* unencrypted"):
        refuse_insecure_http(url)
    refuse_insecure_http(url, allow_insecure_http=True)


@pytest.mark.parametrize("url", [*LOCAL_HTTP, "https://review.example.org"])
def test_https_and_http_on_this_computer_are_accepted(url: str) -> None:
    refuse_insecure_http(url)


class Unreachable(Exception):
    """The fake transport was asked for: the sign-in went past the address check."""


def test_sign_in_over_plain_http_asks_nothing_of_the_server_and_stores_nothing(
    desktop: AppContext, memory_keyring: InMemoryKeyring
) -> None:
    asked: list[str] = []

    def transport(url: str) -> SyncTransport:
        asked.append(url)
        raise Unreachable(url)

    with pytest.raises(InsecureServerError, match=r"https://review\.example\.org:8750"):
        service.login(desktop, "http://review.example.org:8750/", "esca_token", transport_factory=transport)
    assert asked == [] and "esca_token" not in memory_keyring.secrets.values()
    assert not service.status(desktop).server_url
    with pytest.raises(Unreachable):
        service.login(
            desktop,
            "http://review.example.org:8750",
            "esca_token",
            transport_factory=transport,
            allow_insecure_http=True,
        )
    assert asked == ["http://review.example.org:8750"]


def test_cli_login_refuses_plain_http_before_asking_for_the_token_and_names_the_flag(
    desktop: AppContext, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # a token read would fail with "expected one line"
    code = run(["--data-dir", str(desktop.data_dir), "login", "--server", "http://review.example.org"])
    err = capsys.readouterr().err
    assert code == 2 and "plain http:// address" in err and "--allow-insecure-http" in err
    assert "expected one line" not in err
    monkeypatch.setattr(sys, "stdin", io.StringIO("esca_token\n"))
    code = run(
        ["--data-dir", str(desktop.data_dir), "login", "--server", "http://review.invalid", "--allow-insecure-http"]
    )
    err = capsys.readouterr().err
    assert code == 2 and "plain http://" not in err and "review.invalid" in err  # it went on to try the server
