"""SQLite's failures that a person can do something about: a full disk, a folder that cannot be written.

SQLAlchemy's statements, commits and connections are translated by an engine event
(`report_storage_errors`); the few hot paths that use the driver's cursor directly run in a
`driver_transaction`, which does the same for the driver's own exceptions.
"""

from __future__ import annotations

import sqlite3
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, event
from sqlalchemy.engine import ExceptionContext

from esca_desktop.errors import StoreError
from esca_desktop.paths import disk_full_error, folder_error, not_writable_error

# SQLite's primary result codes (the low byte of an extended code such as SQLITE_READONLY_DIRECTORY)
SQLITE_PERM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN = 3, 8, 10, 13, 14

_FOLDERS: weakref.WeakKeyDictionary[Engine, tuple[Path, str]] = weakref.WeakKeyDictionary()


def sqlite_error(exc: BaseException, folder: Path, lang: str = "en") -> StoreError | None:
    """What a person can do about a failure of SQLite (or the file system under it) in the data folder
    `folder`: free space, or make the folder writable. None when it is something else."""
    if isinstance(exc, OSError):
        return folder_error(exc, folder, lang)
    code = getattr(exc, "sqlite_errorcode", None)
    if not isinstance(exc, sqlite3.Error) or not isinstance(code, int):
        return None
    primary = code & 0xFF
    if primary == SQLITE_FULL or (primary == SQLITE_IOERR and _nearly_full(folder)):
        return disk_full_error(folder, lang)
    if primary in (SQLITE_READONLY, SQLITE_PERM, SQLITE_CANTOPEN):
        return not_writable_error(folder, str(exc), lang)
    return None


def _nearly_full(folder: Path) -> bool:
    """A write that SQLite reports as an I/O error is, on most systems, a disk with no space left."""
    import shutil

    try:
        return shutil.disk_usage(folder).free < 1024**2
    except OSError:
        return False


def report_storage_errors(engine: Engine, folder: Path, lang: str = "en") -> None:
    """Raise `sqlite_error`'s message instead of SQLAlchemy's wrapper for every statement, commit and
    connection of `engine` that fails for want of space or permission."""

    def translate(context: ExceptionContext) -> None:
        problem = sqlite_error(context.original_exception, folder, lang)
        if problem is not None:
            raise problem from None

    _FOLDERS[engine] = (folder, lang)
    event.listen(engine, "handle_error", translate)


@contextmanager
def driver_transaction(engine: Engine) -> Iterator[Connection]:
    """`engine.begin()`, for work on the driver's cursor: its sqlite3 errors are translated as well."""
    try:
        with engine.begin() as conn:
            yield conn
    except sqlite3.Error as exc:
        folder, lang = _FOLDERS.get(engine, (Path(engine.url.database or ".").parent, "en"))
        problem = sqlite_error(exc, folder, lang)
        if problem is None:
            raise
        raise problem from None
