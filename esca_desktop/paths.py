"""Where the program keeps its data: `--data-dir`, else `ESCA_DESKTOP_DATA_DIR`, else the user data dir.

And how: the data folder and everything in it is the assessor's alone (folders 0700, files 0600, set
explicitly, whatever the umask; `make_private_dir`, `open_private`, and `tighten` for what exists); a
file that a commit records is on the disk before the commit (its own fsync, then `fsync_folder` after
its rename); temporary files carry the id of the process that made them
(`temp_name`), so that a later start can tell a leftover of a killed process from a file that a
running one is still writing. A folder that cannot be written or a full disk is a `DataFolderError`
or `DiskFullError` that says which folder and what to do, never a traceback.
"""

from __future__ import annotations

import errno
import os
import re
import uuid
from pathlib import Path

import platformdirs

from esca_desktop.errors import StoreError

APP_NAME = "esca-desktop"
DATA_DIR_ENV = "ESCA_DESKTOP_DATA_DIR"
PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
TEMP_FOLDER = "tmp"  # inside the data folder: unsigned reports on their way to being signed, and the like
_TEMP_NAME = re.compile(r"^\.esca-(?P<kind>[a-z]+)-(?P<pid>\d+)-[0-9a-f]{12}")
_UNWRITABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})
_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


class DataFolderError(StoreError):
    """The data folder (or a file in it) cannot be written: read-only, or not the user's."""


class DiskFullError(StoreError):
    """The disk (or the user's quota) that holds the data folder is full."""


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory, created if missing (owner-only); an explicit argument wins over the
    environment."""
    if explicit:
        path = Path(explicit)
    elif os.environ.get(DATA_DIR_ENV):
        path = Path(os.environ[DATA_DIR_ENV])
    else:
        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path = path.expanduser().resolve()
    try:
        make_private_dir(path)
    except OSError as exc:
        raise folder_error(exc, path) or exc from None
    return path


def database_path(data_dir: Path) -> Path:
    return data_dir / "assessments.sqlite3"


def evidence_dir(data_dir: Path) -> Path:
    return data_dir / "evidence"


def catalogs_dir(data_dir: Path) -> Path:
    """Catalog files installed by the user or received from the review service."""
    return data_dir / "catalogs"


def thumbnails_dir(data_dir: Path) -> Path:
    """Small PNG thumbnails of evidence photos, by SHA-256: a cache, safe to delete."""
    return data_dir / "thumbnails"


def backups_dir(data_dir: Path) -> Path:
    return data_dir / "backups"


def temp_dir(data_dir: Path) -> Path:
    """Private scratch space in the data folder; what a killed process left here is removed at the next start."""
    return data_dir / TEMP_FOLDER


def window_lock_path(data_dir: Path) -> Path:
    """Held by the one window working on `data_dir` (see storage/instance_lock.py)."""
    return data_dir / "window.lock"


# --- owner-only -----------------------------------------------------------------------------------


def make_private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) if needed; a new folder is 0700, an existing one loses the
    group's and others' permissions (`tighten`)."""
    try:
        path.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True)
    except FileExistsError:
        if not path.is_dir():
            raise
        tighten(path)
    else:
        if os.name == "posix":
            os.chmod(path, PRIVATE_FOLDER_MODE)  # explicitly: mkdir's mode passes through the umask
    return path


def tighten(path: Path) -> None:
    """Take the group's and others' permissions away (0755 → 0700, 0644 → 0600); the owner's stay as
    they are, so a folder the person made read-only stays read-only. Windows keeps files private by
    the user profile's access lists; there is nothing to set."""
    if os.name != "posix":
        return
    mode = path.lstat().st_mode
    if not (mode & 0o077) or (mode & 0o170000) == 0o120000:  # already private, or a symbolic link
        return
    os.chmod(path, mode & 0o700)


def open_private(path: Path, flags: int = os.O_WRONLY | os.O_CREAT | os.O_EXCL) -> int:
    """Open (by default: create) a file that is owner-only from its first byte; returns the descriptor."""
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), PRIVATE_FILE_MODE)
    if os.name == "posix":
        os.fchmod(fd, PRIVATE_FILE_MODE)
    return fd


# --- durability -----------------------------------------------------------------------------------


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable (POSIX; Windows has no folder handles to sync)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- temporary names ------------------------------------------------------------------------------


def temp_name(kind: str, suffix: str = "") -> str:
    """A hidden name for a temporary file or folder of this process, e.g. `.esca-partial-4711-<hex>.pdf`.
    `kind` is lower-case letters."""
    return f".esca-{kind}-{os.getpid()}-{uuid.uuid4().hex[:12]}{suffix}"


def temp_owner(name: str) -> int | None:
    """The process id in a `temp_name`, or None when `name` is not one."""
    match = _TEMP_NAME.match(name)
    return int(match["pid"]) if match else None


def process_alive(pid: int) -> bool:
    """Whether process `pid` runs. On Windows it cannot be asked without side effects: assumed alive."""
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # alive, but another user's
        return True
    return True


# --- errors ---------------------------------------------------------------------------------------


def not_writable_error(folder: Path, reason: str, lang: str = "en") -> DataFolderError:
    if lang == "de":  # forms.values.msg would import the catalog code into this leaf module
        return DataFolderError(
            f"Der Ordner {folder} kann nicht beschrieben werden ({reason}); ESCA Assessor speichert dort jede "
            "Änderung. Machen Sie ihn für Ihr Benutzerkonto beschreibbar oder wählen Sie einen anderen "
            "Datenordner (--data-dir oder ESCA_DESKTOP_DATA_DIR). Es wurde nichts geändert."
        )
    return DataFolderError(
        f"the folder {folder} cannot be written ({reason}); ESCA Assessor saves every change there. Make it "
        "writable for your user account, or choose another data folder (--data-dir or ESCA_DESKTOP_DATA_DIR). "
        "Nothing was changed."
    )


def disk_full_error(folder: Path, lang: str = "en") -> DiskFullError:
    if lang == "de":
        return DiskFullError(
            f"Der Datenträger ist voll: Geben Sie Speicherplatz auf {_drive(folder)} frei und versuchen Sie es "
            "erneut; nichts, was Sie gespeichert haben, ist verloren."
        )
    return DiskFullError(f"the disk is full: free space on {_drive(folder)} and try again; nothing you saved is lost")


def folder_error(exc: OSError, folder: Path | None = None, lang: str = "en") -> StoreError | None:
    """The message for a folder that cannot be written or a full disk (None for any other OSError).
    `folder` is named when given, else the folder of the file the error is about."""
    if exc.errno not in _UNWRITABLE | _FULL:
        return None
    where = folder
    if where is None and exc.filename:
        where = Path(os.fsdecode(exc.filename))
        where = where if where.is_dir() else where.parent
    where = where or Path.cwd()
    if exc.errno in _FULL:
        return disk_full_error(where, lang)
    return not_writable_error(where, exc.strerror or str(exc), lang)


def _drive(folder: Path) -> str:
    """The folder, with its drive on Windows, where the drive is what has to be freed."""
    anchor = folder.anchor if os.name == "nt" else ""
    return f"{anchor} ({folder})" if anchor and str(folder) != anchor else str(folder)
