"""Secrets go only to a store that keeps them safe; otherwise a clear message says what to do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService, chainer, kwallet, libsecret, null

from esca_desktop.errors import UserError
from esca_desktop.security.credentials import (
    CredentialStore,
    CredentialStoreError,
    KeyringCredentialStore,
    MemoryCredentialStore,
    NoSecureStoreError,
    credential_store_from_setting,
    is_secure_backend,
)
from tests.security.conftest import InMemoryKeyring, failing_keyring


def _backend_named(module: str, qualname: str) -> KeyringBackend:
    """An in-memory backend that claims to be `module.qualname` (as keyring sees classes)."""
    cls = type(qualname, (InMemoryKeyring,), {"__module__": module, "__qualname__": qualname})
    backend: KeyringBackend = cls()
    return backend


class RaisingKeyring(InMemoryKeyring):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error


def test_keyring_store_keeps_reads_and_forgets_a_secret(memory_keyring: InMemoryKeyring) -> None:
    store = KeyringCredentialStore()
    store.check()
    store.set("esca-desktop", "token", "s3cret-value")
    assert store.get("esca-desktop", "token") == "s3cret-value"
    assert memory_keyring.secrets == {("esca-desktop", "token"): "s3cret-value"}
    store.delete("esca-desktop", "token")
    assert store.get("esca-desktop", "token") is None
    store.delete("esca-desktop", "token")  # deleting nothing is not an error
    assert store.persistent and isinstance(store, CredentialStore)


def test_no_backend_gives_a_clear_message_with_the_way_out() -> None:
    keyring.set_keyring(failing_keyring())
    store = KeyringCredentialStore()
    with pytest.raises(NoSecureStoreError) as error:
        store.check()
    message = str(error.value)
    assert "PYTHON_KEYRING_BACKEND" in message and "--ask-passphrase" in message and "GNOME Keyring" in message
    with pytest.raises(NoSecureStoreError):
        store.set("esca-desktop", "token", "value")
    with pytest.raises(NoSecureStoreError):
        store.get("esca-desktop", "token")
    assert isinstance(error.value, UserError)


def test_null_backend_is_refused() -> None:
    keyring.set_keyring(null.Keyring())  # type: ignore[no-untyped-call]
    with pytest.raises(NoSecureStoreError, match="does not keep secrets safely"):
        KeyringCredentialStore().set("esca-desktop", "token", "value")


def test_plaintext_file_backend_is_refused_even_when_named_explicitly(monkeypatch: pytest.MonkeyPatch) -> None:
    backend = _backend_named("keyrings.alt.file", "PlaintextKeyring")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    keyring.set_keyring(backend)
    with pytest.raises(NoSecureStoreError, match="plain text"):
        KeyringCredentialStore().set("esca-desktop", "token", "value")
    assert backend.get_password("esca-desktop", "token") is None


def test_a_backend_keyring_picked_by_itself_must_be_on_the_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """keyring's own backends and plug-ins could have been chosen automatically: only real OS stores pass."""
    picked = _backend_named("keyring.backends.some_plugin", "Keyring")
    keyring.set_keyring(picked)
    with pytest.raises(NoSecureStoreError):
        KeyringCredentialStore().check()
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.some_plugin.Keyring")
    KeyringCredentialStore().check()  # a person named it: their choice is honoured


@pytest.mark.parametrize(
    "cls", [SecretService.Keyring, libsecret.Keyring, kwallet.DBusKeyring, kwallet.DBusKeyringKWallet4]
)
def test_real_os_stores_are_on_the_allow_list(cls: type[KeyringBackend]) -> None:
    assert is_secure_backend(object.__new__(cls))


@pytest.mark.parametrize(
    ("module", "name"), [("keyring.backends.macOS", "Keyring"), ("keyring.backends.Windows", "WinVaultKeyring")]
)
def test_macos_and_windows_stores_are_on_the_allow_list(module: str, name: str) -> None:
    assert is_secure_backend(_backend_named(module, name))


def test_a_chain_is_judged_by_its_first_member() -> None:
    first_fails = type("Chain", (chainer.ChainerBackend,), {"backends": [failing_keyring(), InMemoryKeyring()]})
    keyring.set_keyring(first_fails())
    with pytest.raises(NoSecureStoreError):
        KeyringCredentialStore().check()
    writer = InMemoryKeyring()
    first_good = type("Chain", (chainer.ChainerBackend,), {"backends": [writer, failing_keyring()]})
    keyring.set_keyring(first_good())
    KeyringCredentialStore().set("esca-desktop", "token", "value")
    assert writer.secrets == {("esca-desktop", "token"): "value"}
    empty = type("Chain", (chainer.ChainerBackend,), {"backends": []})
    keyring.set_keyring(empty())
    with pytest.raises(NoSecureStoreError, match="No secure password store"):
        KeyringCredentialStore().check()


def test_a_locked_keyring_says_so() -> None:
    keyring.set_keyring(RaisingKeyring(keyring.errors.KeyringLocked("locked")))
    with pytest.raises(CredentialStoreError, match=r"locked\. Unlock it"):
        KeyringCredentialStore().get("esca-desktop", "token")


def test_a_secret_service_without_dbus_is_no_store() -> None:
    keyring.set_keyring(RaisingKeyring(RuntimeError("No D-Bus session")))
    with pytest.raises(NoSecureStoreError, match="No D-Bus session"):
        KeyringCredentialStore().set("esca-desktop", "token", "value")


def test_an_explicit_backend_argument_wins_over_the_current_one(memory_keyring: InMemoryKeyring) -> None:
    store = KeyringCredentialStore(failing_keyring())
    with pytest.raises(NoSecureStoreError):
        store.check()
    assert "none available" not in KeyringCredentialStore().description


def test_memory_store_is_not_persistent_and_never_shows_secrets() -> None:
    store = MemoryCredentialStore()
    store.set("svc", "name", "hunter22-secret")
    assert store.get("svc", "name") == "hunter22-secret"
    assert not store.persistent
    assert "hunter22" not in repr(store)
    store.delete("svc", "name")
    store.delete("svc", "name")
    assert store.get("svc", "name") is None


def test_the_setting_chooses_the_store(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(credential_store_from_setting(), KeyringCredentialStore)
    monkeypatch.setenv("ESCA_DESKTOP_KEYRING", "memory")
    session = credential_store_from_setting()
    assert isinstance(session, MemoryCredentialStore) and not session.persistent
    assert credential_store_from_setting() is session  # one store for the whole process
    assert isinstance(credential_store_from_setting("system"), KeyringCredentialStore)
    with pytest.raises(UserError, match="'memory'"):
        credential_store_from_setting("plaintext")


@pytest.mark.slow
def test_a_real_secret_service_keeps_the_passphrase(tmp_path: Path) -> None:
    """Headless GNOME Keyring on a private D-Bus: create asks nothing; request unlocks from the keyring."""
    missing = [tool for tool in ("gnome-keyring-daemon", "dbus-run-session") if shutil.which(tool) is None]
    if missing:  # a real part that cannot start fails the test: it must not pass silently
        pytest.fail(
            f"{', '.join(missing)} not found: packaging/bootstrap.sh installs gnome-keyring and dbus", pytrace=False
        )
    home = tmp_path / "home"
    home.mkdir()
    cli = f"{sys.executable} -m esca_desktop --data-dir {tmp_path / 'data'}"
    script = (
        "set -e\n"
        "printf login-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null\n"
        f"{cli} identity create --name 'Real Keyring' --email real@example.org </dev/null\n"
        f"{cli} identity request --out {tmp_path / 'r.csr'} </dev/null\n"
    )
    environment = {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "ESCA_DESKTOP_KEYRING": "system",
    }
    environment.pop("PYTHON_KEYRING_BACKEND", None)
    result = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", script], capture_output=True, text=True, env=environment, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "keyring.backends.SecretService.Keyring" in result.stdout
    assert (tmp_path / "r.csr").read_bytes().startswith(b"-----BEGIN CERTIFICATE REQUEST-----")


@pytest.mark.parametrize("named", ["esca_no_such_module.Keyring", "keyring.backends.SecretService.NoSuchKeyring"])
def test_a_backend_named_in_the_environment_that_is_not_installed_gives_a_message(
    monkeypatch: pytest.MonkeyPatch, named: str
) -> None:
    """keyring imports the class named in PYTHON_KEYRING_BACKEND on first use; a missing one is no traceback."""
    import keyring.core

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", named)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)  # chosen afresh, as in a new process
    store = KeyringCredentialStore()
    with pytest.raises(NoSecureStoreError) as error:
        store.check()
    message = str(error.value)
    assert f"PYTHON_KEYRING_BACKEND={named!r}" in message and "cannot be loaded" in message
    assert "Unset the variable" in message
    assert store.description == "OS keyring (none available)"
