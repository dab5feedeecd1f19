"""Tidying the data folder at start: owner-only modes, and what killed processes left behind.

Every temporary file or folder the program makes in the data folder has a `paths.temp_name`, which
carries the id of the process that made it: a half-copied evidence file, a bundle's staging folder,
the unsigned report on its way to being signed. Such an entry is removed only when that process no
longer runs, so that the files of a window or a command line working on the same folder at the same
time (see storage/instance_lock.py) are never touched. Staging folders of older program versions
(`evidence/.import-<hex>`, without a process id) are removed once they are a day old; so are all
temporary entries on Windows, where whether a process runs cannot be asked without side effects.

Nothing here may stop the program from starting: what cannot be tidied is logged and left.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import shutil
import time
from pathlib import Path

from esca_desktop.paths import evidence_dir, process_alive, temp_owner, tighten

log = logging.getLogger(__name__)

LEGACY_STAGING = re.compile(r"^\.import-[0-9a-f]{32}$")
LEGACY_AGE_SECONDS = 24 * 3600


def tidy_data_folder(data_dir: Path) -> list[Path]:
    """Make everything in `data_dir` owner-only and remove the leftovers of processes that have
    ended; returns what was removed."""
    removed: list[Path] = []
    try:
        _tidy(data_dir, removed)
    except _ReadOnly:
        log.info("%s is on a read-only file system: nothing tidied", data_dir)
    if removed:
        log.info("removed %d leftover(s) of ended processes: %s", len(removed), ", ".join(map(str, removed)))
    return removed


def _tidy(data_dir: Path, removed: list[Path]) -> None:
    evidence = evidence_dir(data_dir)
    for folder, folders, files in os.walk(data_dir):
        here = Path(folder)
        for name in list(folders):
            path = here / name
            if _is_leftover(path, here == evidence):
                folders.remove(name)
                if _remove(path):
                    removed.append(path)
            else:
                _tighten(path)
        for name in files:
            path = here / name
            if _is_leftover(path, False):
                if _remove(path):
                    removed.append(path)
            else:
                _tighten(path)


def _is_leftover(path: Path, in_evidence_folder: bool) -> bool:
    owner = temp_owner(path.name)
    if owner is not None:  # (Windows cannot be asked whether a process runs: there, a day old is left over)
        return not process_alive(owner) or (os.name != "posix" and _older_than_a_day(path))
    return in_evidence_folder and LEGACY_STAGING.match(path.name) is not None and _older_than_a_day(path)


def _older_than_a_day(path: Path) -> bool:
    try:
        return time.time() - path.lstat().st_mtime > LEGACY_AGE_SECONDS
    except OSError:
        return False


def _remove(path: Path) -> bool:
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
    except OSError as exc:
        log.warning("cannot remove the leftover %s: %s", path, exc)
        return False
    return True


def _tighten(path: Path) -> None:
    try:
        tighten(path)
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise _ReadOnly from None  # nothing on this file system can be changed: stop trying
        log.warning("cannot make %s owner-only: %s", path, exc)


class _ReadOnly(Exception):
    pass
