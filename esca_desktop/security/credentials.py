"""Where secrets live: the operating system's password store (through `keyring`), or process memory.

`CredentialStore` is the port; `KeyringCredentialStore` the real adapter and `MemoryCredentialStore`
the fake for tests and for "keep it in memory for this session".

A secret is never written in plain text. `keyring` picks a backend by itself, and on some machines
that choice is a plain file (`keyrings.alt`), a terminal prompt, or nothing at all. So the backend that
receives writes (for a `ChainerBackend`, its first member) must be one of the real OS stores in
`SECURE_BACKENDS` — or one a person chose deliberately:

- named in `PYTHON_KEYRING_BACKEND` or in keyring's `keyringrc.cfg` (keyring's own documented
  settings, e.g. ``PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring``), or
- installed by the program itself with `keyring.set_keyring()` (tests do this with an in-memory
  backend) — recognisable because keyring never picks a class outside its own backends and its
  registered plug-ins by itself.

Backends known to keep nothing or to write plain text (`PLAINTEXT_BACKENDS`) are refused even when
named explicitly. Without a usable store, `NoSecureStoreError` says what to do.

`ESCA_DESKTOP_KEYRING` chooses the store of a running program (see `credential_store_from_setting`):
``system`` (the default) is the OS keyring as above; ``memory`` keeps secrets in this process only —
they are forgotten when the program ends, so it is for tests and throw-away sessions, never a way to
keep a secret at rest.
"""

from __future__ import annotations

import configparser
import os
from importlib import metadata
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from esca_desktop.errors import UserError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

KEYRING_SETTING_ENV = "ESCA_DESKTOP_KEYRING"

# The OS stores that keep secrets encrypted at rest and unlock with the user's session.
SECURE_BACKENDS = frozenset(
    {
        "keyring.backends.SecretService.Keyring",  # GNOME Keyring, KeePassXC … over D-Bus
        "keyring.backends.libsecret.Keyring",
        "keyring.backends.kwallet.DBusKeyring",  # KWallet (DBusKeyringKWallet4 is a subclass)
        "keyring.backends.macOS.Keyring",  # macOS Keychain
        "keyring.backends.Windows.WinVaultKeyring",  # Windows Credential Manager
    }
)

# Never accepted, even when named explicitly: they store nothing, fail, or write plain text.
PLAINTEXT_BACKENDS = frozenset(
    {
        "keyring.backends.fail.Keyring",
        "keyring.backends.null.Keyring",
        "keyrings.alt.file.PlaintextKeyring",
    }
)

WAY_OUT = (
    "Install and unlock the system's password store (GNOME Keyring or KWallet on Linux, the Keychain on "
    "macOS, the Credential Manager on Windows), or name a secure keyring backend in PYTHON_KEYRING_BACKEND "
    "(for example keyring.backends.SecretService.Keyring); or choose to type the passphrase each time "
    "(esca-desktop identity create --ask-passphrase), so that it is never stored."
)


class NoSecureStoreError(UserError):
    """No password store that keeps secrets encrypted at rest is available."""


class CredentialStoreError(UserError):
    """The password store refused an operation (locked, access denied, damaged)."""


@runtime_checkable
class CredentialStore(Protocol):
    """Secrets by service and name. `persistent` stores outlive the process; the others forget."""

    @property
    def persistent(self) -> bool: ...

    @property
    def description(self) -> str: ...

    def check(self) -> None:
        """Raise `NoSecureStoreError` when this store cannot keep secrets."""

    def get(self, service: str, name: str) -> str | None: ...

    def set(self, service: str, name: str, secret: str) -> None: ...

    def delete(self, service: str, name: str) -> None:
        """Forget the secret; nothing happens when there is none."""


class MemoryCredentialStore:
    """Secrets in a dictionary of this process: for tests, and for "remember for this session"."""

    persistent = False
    description = "memory of this process (forgotten when the program ends)"

    def __init__(self) -> None:
        self._secrets: dict[tuple[str, str], str] = {}

    def check(self) -> None:
        return None

    def get(self, service: str, name: str) -> str | None:
        return self._secrets.get((service, name))

    def set(self, service: str, name: str, secret: str) -> None:
        self._secrets[(service, name)] = secret

    def delete(self, service: str, name: str) -> None:
        self._secrets.pop((service, name), None)

    def __repr__(self) -> str:
        return f"MemoryCredentialStore({len(self._secrets)} secrets)"  # never the secrets themselves


class KeyringCredentialStore:
    """The OS keyring through `keyring`, refused unless its writing backend keeps secrets safe.

    Without an explicit `backend`, keyring's current one is used at each call (so that
    `keyring.set_keyring` in tests and `PYTHON_KEYRING_BACKEND` take effect).
    """

    persistent = True

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend

    def _current(self) -> KeyringBackend:
        if self._backend is not None:
            return self._backend
        import keyring

        try:
            return keyring.get_keyring()
        except (keyring.errors.KeyringError, RuntimeError) as exc:  # a broken keyringrc.cfg or env value
            raise NoSecureStoreError(f"The keyring cannot be set up ({exc}). {WAY_OUT}") from None
        except (ImportError, AttributeError, ValueError) as exc:  # a backend named that is not installed
            raise NoSecureStoreError(_unloadable_backend_message(exc)) from None

    @property
    def description(self) -> str:
        try:
            return f"OS keyring ({backend_name(writing_backend(self._current()))})"
        except NoSecureStoreError:
            return "OS keyring (none available)"

    def check(self) -> None:
        backend = self._current()
        writer = writing_backend(backend)
        if writer is None:
            raise NoSecureStoreError(f"No secure password store is available on this computer. {WAY_OUT}")
        name = backend_name(writer)
        if not is_secure_backend(writer):
            raise NoSecureStoreError(
                f"The keyring backend {name} does not keep secrets safely (it stores nothing, fails or "
                f"writes plain text). {WAY_OUT}"
            )

    def get(self, service: str, name: str) -> str | None:
        self.check()
        import keyring.errors

        try:
            return self._current().get_password(service, name)
        except (keyring.errors.KeyringError, RuntimeError) as exc:
            raise _translate(exc, "read a secret from") from None

    def set(self, service: str, name: str, secret: str) -> None:
        self.check()
        import keyring.errors

        try:
            self._current().set_password(service, name, secret)
        except (keyring.errors.KeyringError, RuntimeError) as exc:
            raise _translate(exc, "store a secret in") from None

    def delete(self, service: str, name: str) -> None:
        self.check()
        import keyring.errors

        try:
            self._current().delete_password(service, name)
        except keyring.errors.PasswordDeleteError:
            return  # nothing stored under that name
        except (keyring.errors.KeyringError, RuntimeError) as exc:
            raise _translate(exc, "delete a secret from") from None

    def __repr__(self) -> str:
        return f"KeyringCredentialStore({self.description})"


def _unloadable_backend_message(exc: Exception) -> str:
    """What to do when keyring's settings name a backend that cannot be loaded (keyring raises the
    bare ImportError or AttributeError of importing it)."""
    named = os.environ.get("PYTHON_KEYRING_BACKEND", "").strip()
    where = (
        f"PYTHON_KEYRING_BACKEND={named!r} names"
        if named
        else "keyring's settings file (keyringrc.cfg, [backend] default-keyring) names"
    )
    return (
        f"{where} a keyring backend that cannot be loaded ({type(exc).__name__}: {exc}). "
        f"{'Unset the variable' if named else 'Correct or remove that line'}, or name a backend that is "
        "installed, for example keyring.backends.SecretService.Keyring. " + WAY_OUT
    )


def _translate(exc: Exception, doing: str) -> UserError:
    import keyring.errors

    if isinstance(exc, keyring.errors.KeyringLocked):
        return CredentialStoreError(f"Could not {doing} the keyring: it is locked. Unlock it and try again.")
    if isinstance(exc, keyring.errors.NoKeyringError | keyring.errors.InitError) or not isinstance(
        exc, keyring.errors.KeyringError
    ):
        return NoSecureStoreError(f"Could not {doing} the keyring ({exc}). {WAY_OUT}")
    return CredentialStoreError(
        f"Could not {doing} the keyring ({exc or type(exc).__name__}). Check that it is unlocked and try again."
    )


def backend_name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def writing_backend(backend: KeyringBackend) -> KeyringBackend | None:
    """The backend that receives writes: for a chain, its first member (None for an empty chain)."""
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        members = list(backend.backends)
        return members[0] if members else None
    return backend


def is_secure_backend(backend: KeyringBackend) -> bool:
    """An OS store on the allow-list, or a non-plaintext backend a person or the program chose."""
    names = {f"{c.__module__}.{c.__qualname__}" for c in type(backend).__mro__}
    if backend_name(backend) in PLAINTEXT_BACKENDS:
        return False
    if names & SECURE_BACKENDS:
        return True
    return backend_name(backend) in _explicitly_configured() or not _auto_selectable(type(backend))


def _explicitly_configured() -> set[str]:
    """Backends named in keyring's own settings: PYTHON_KEYRING_BACKEND and keyringrc.cfg."""
    names = set()
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        names.add(os.environ["PYTHON_KEYRING_BACKEND"].strip())
    try:
        from keyring.util import platform_

        config = configparser.RawConfigParser()
        config.read(platform_.config_root() / "keyringrc.cfg", encoding="utf-8")
        if config.has_option("backend", "default-keyring"):
            names.add(config.get("backend", "default-keyring").strip())
    except (OSError, configparser.Error, UnicodeDecodeError):
        pass
    return names


def _auto_selectable(cls: type) -> bool:
    """Whether keyring could have picked this class by itself: its own backends and registered plug-ins."""
    module = cls.__module__
    if module == "keyring.backends" or module.startswith("keyring.backends."):
        return True
    plugins = {entry.module for entry in metadata.entry_points(group="keyring.backends")}
    return any(module == plugin or module.startswith(plugin + ".") for plugin in plugins)


_SESSION_STORE = MemoryCredentialStore()


def credential_store_from_setting(setting: str | None = None) -> CredentialStore:
    """The store named by `ESCA_DESKTOP_KEYRING` (or `setting`): ``system`` (default) or ``memory``.

    ``memory`` is one store per process: every secret in it is gone when the program ends.
    """
    value = (setting if setting is not None else os.environ.get(KEYRING_SETTING_ENV, "")).strip().lower()
    if value in ("", "system", "keyring"):
        return KeyringCredentialStore()
    if value == "memory":
        return _SESSION_STORE
    raise UserError(
        f"{KEYRING_SETTING_ENV}={value!r} is not understood: use 'system' (the OS keyring, the default) or "
        "'memory' (secrets are forgotten when the program ends; for tests only)."
    )
