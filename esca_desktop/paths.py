"""Where the program keeps its data: `--data-dir`, else `ESCA_DESKTOP_DATA_DIR`, else the user data dir."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "esca-desktop"
DATA_DIR_ENV = "ESCA_DESKTOP_DATA_DIR"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the data directory, created if missing; an explicit argument wins over the environment."""
    if explicit:
        path = Path(explicit)
    elif os.environ.get(DATA_DIR_ENV):
        path = Path(os.environ[DATA_DIR_ENV])
    else:
        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path = path.expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
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


def window_lock_path(data_dir: Path) -> Path:
    """Held by the one window working on `data_dir` (see storage/instance_lock.py)."""
    return data_dir / "window.lock"
