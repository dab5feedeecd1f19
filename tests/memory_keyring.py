"""An in-memory keyring for tests: they never touch the real one."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail


class InMemoryKeyring(KeyringBackend):
    """A keyring backend in a dictionary, chosen explicitly with `keyring.set_keyring`."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


def failing_keyring() -> KeyringBackend:
    """keyring's backend when nothing is available (a headless machine without a Secret Service)."""
    backend: KeyringBackend = fail.Keyring()  # type: ignore[no-untyped-call]
    return backend


def install_memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryKeyring]:
    """The body of a fixture (`yield from install_memory_keyring(monkeypatch)`): the keyring chosen
    explicitly, as a person would configure it, and the previous one back afterwards."""
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.delenv("ESCA_DESKTOP_KEYRING", raising=False)
    previous = keyring.get_keyring()
    backend = InMemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
