"""One window per data folder: a lock on `window.lock` in the folder, which holds the window's
process id. The operating system drops the lock when the process ends, however it ends, so a lock
left behind by a crashed or killed program is simply taken over by the next start.

Only the window takes the lock: the command line works beside it (each of its edits is one short
SQLite transaction, which the database serialises with the window's)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from types import TracebackType

from esca_desktop.errors import StoreError
from esca_desktop.paths import window_lock_path

_WINDOWS_LOCK_OFFSET = 1 << 16  # Windows locks are mandatory: lock a byte past the pid, which stays readable


class AlreadyRunningError(StoreError):
    """Another live program holds the window lock of this data folder."""

    def __init__(self, data_dir: Path, pid: int | None, lang: str = "en") -> None:
        shown = f" (pid {pid})" if pid else ""
        english = (
            f"ESCA Assessor is already running on this data folder{shown}: {data_dir}. "
            "Switch to that window, or close it and start again."
        )
        german = (
            f"ESCA Assessor läuft bereits mit diesem Datenordner{shown.replace('pid', 'PID')}: {data_dir}. "
            "Wechseln Sie zu diesem Fenster oder schließen Sie es und starten Sie neu."
        )
        # forms.values.msg would import the catalog code before the window's first paint
        super().__init__(german if lang == "de" else english)
        self.data_dir = data_dir
        self.pid = pid


class InstanceLock:
    """The held lock; `release` (or leaving the `with` block, or the process ending) lets it go."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)  # no stale pid for the next reader
        with contextlib.suppress(OSError):
            _unlock(fd)
        os.close(fd)

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.release()


def acquire_instance_lock(data_dir: Path, lang: str = "en") -> InstanceLock:
    """Take the window lock of `data_dir`, or raise `AlreadyRunningError` naming the holder's pid."""
    path = window_lock_path(data_dir)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # owner-only, like the whole data folder
    try:
        _lock(fd)
    except OSError:
        holder = _read_pid(fd)
        os.close(fd)
        raise AlreadyRunningError(data_dir, holder, lang) from None
    try:
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
    except OSError:
        _unlock(fd)
        os.close(fd)
        raise
    return InstanceLock(path, fd)


def lock_holder(data_dir: Path) -> int | None:
    """The pid written in the lock file (of a live holder or a stale one), if any."""
    path = window_lock_path(data_dir)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        return _read_pid(fd)
    finally:
        os.close(fd)


def _read_pid(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    def _unlock(fd: int) -> None:
        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
