"""Submitted bundles as files named by their SHA-256 (`ab/abcdef….esca`), beside the database.

A bundle is written completely and made durable (temporary file, fsync, rename, fsync of the folder)
*before* the transaction that records its submission commits; the row is what makes a submission
exist, so a crash in between leaves at most an unreferenced file, never a submission without its
bytes. Writing outside the transaction keeps the database's write lock short, so that concurrent
uploads only queue for the small row insert; and the bytes are written once (a blob inside SQLite's
WAL is written twice, once more by the checkpoint).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
SUFFIX = ".esca"


class BundleFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.folder / sha256[:2] / f"{sha256}{SUFFIX}"

    def put(self, sha256: str, content: bytes) -> bool:
        """Store `content` durably under its hash; False when that file was already there."""
        target = self.path(sha256)
        if target.is_file() and target.stat().st_size == len(content):
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=".incoming-", dir=target.parent)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        _fsync_folder(target.parent)
        return True

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def discard(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)


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
