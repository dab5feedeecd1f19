"""Submitted bundles as files named by their content hash (`ab/abcdef….esca`, see
`sync.bundle.content_hash`), beside the database; and uploads on their way in (`IncomingBundle`).

An upload is written to a temporary file in the bundle folder while it arrives, and each stored
entry is hashed on the way (`EntryDigests`), so that the bytes are copied once, read never again,
and never held in memory whole. Once verified, the file is made durable (fsync, rename to its
content hash, fsync of the folder) *before* the transaction that records its submission commits;
the row is what makes a submission exist, so a crash in between leaves at most an unreferenced
file, never a submission without its bytes. Writing outside the transaction keeps the database's
write lock short, so that concurrent uploads only queue for the small row insert; and the bytes are
written once (a blob inside SQLite's WAL is written twice, once more by the checkpoint).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path
from types import TracebackType

from esca_desktop.central.errors import StorageUnavailableError
from esca_desktop.sync.streamed_entries import EntryDigests

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
SUFFIX = ".esca"
INCOMING_PREFIX = ".incoming-"
ABANDONED_AFTER_S = 24 * 3600.0


class IncomingBundle:
    """An upload being received: a temporary file in `folder` (the system's temporary folder when
    None), its stored entries hashed while it is written. Use as a context manager: the file is
    removed on leaving unless `BundleFiles.adopt` took it."""

    def __init__(self, folder: Path | None = None) -> None:
        try:
            if folder is not None:
                folder.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=INCOMING_PREFIX, suffix=".part", dir=folder)
        except OSError as exc:
            raise _unavailable(exc) from None
        self.path = Path(name)
        self.size = 0
        self._stream = os.fdopen(handle, "wb", buffering=0)  # chunks arrive large; no second buffer
        self.entries = EntryDigests()  # each stored entry hashed on the way, for the bundle reader

    def write(self, chunk: bytes) -> None:
        self.entries.feed(chunk)
        try:
            self._stream.write(chunk)
        except OSError as exc:
            raise _unavailable(exc) from None
        self.size += len(chunk)

    def write_all(self, chunks: list[bytes]) -> None:
        for chunk in chunks:
            self.write(chunk)

    def finish(self) -> None:
        """All bytes arrived: the file is complete (not yet durable; `BundleFiles.adopt` makes it so)."""
        self._stream.close()

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()

    def discard(self) -> None:
        self._stream.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> IncomingBundle:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.discard()


class BundleFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, content_hash: str) -> Path:
        if not _SHA256.match(content_hash):
            raise ValueError(f"not a SHA-256: {content_hash!r}")
        return self.folder / content_hash[:2] / f"{content_hash}{SUFFIX}"

    def incoming(self) -> IncomingBundle:
        """A new upload, written where `adopt` can rename it into place."""
        return IncomingBundle(self.folder)

    def adopt(self, incoming: IncomingBundle, content_hash: str) -> bool:
        """Keep a complete, verified upload durably under its content hash; False when a bundle with
        that content is there already (the upload is then left to be discarded)."""
        target = self.path(content_hash)
        if target.is_file():  # only ever renamed into place complete and durable
            return False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _fsync_file(incoming.path)
            os.replace(incoming.path, target)
        except OSError as exc:
            raise _unavailable(exc) from None
        _fsync_folder(target.parent)
        return True

    def remove_abandoned(self, older_than: float = ABANDONED_AFTER_S) -> int:
        """Remove uploads left half-written by a server that was stopped mid-upload; returns how many.
        Only those untouched for `older_than` seconds: another process may be receiving one now."""
        removed = 0
        deadline = time.time() - older_than
        for path in self.folder.glob(f"{INCOMING_PREFIX}*"):
            try:
                if path.stat().st_mtime < deadline:
                    path.unlink()
                    removed += 1
            except OSError:
                continue  # gone already, or not ours to remove
        return removed

    def get(self, content_hash: str) -> bytes:
        return self.path(content_hash).read_bytes()

    def discard(self, content_hash: str) -> None:
        self.path(content_hash).unlink(missing_ok=True)


def _unavailable(exc: OSError) -> StorageUnavailableError:
    return StorageUnavailableError(
        f"the review service cannot store the upload now ({exc.strerror or exc}); nothing was stored: "
        "try again later, or tell the secretariat"
    )


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable too (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
