"""The application context: everything a use-case needs, wired once and passed in (no globals)."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from esca_desktop.domain.model import utcnow
from esca_desktop.forms.registry import CatalogRegistry
from esca_desktop.paths import catalogs_dir, evidence_dir, resolve_data_dir
from esca_desktop.storage.database import open_engine
from esca_desktop.storage.repository import AssessmentRepository


@dataclass
class AppContext:
    data_dir: Path
    repository: AssessmentRepository
    catalogs: CatalogRegistry
    clock: Callable[[], dt.datetime] = utcnow
    _actor: str | None = field(default=None, repr=False)

    @property
    def evidence_dir(self) -> Path:
        return evidence_dir(self.data_dir)

    @property
    def actor(self) -> str:
        """Who is making changes: the assessor profile's name, else the operating-system user."""
        if self._actor is None:
            profile = self.repository.profile()
            self._actor = profile.name if profile else _system_user()
        return self._actor

    def set_actor(self, name: str) -> None:
        self._actor = name

    def close(self) -> None:
        self.repository.engine.dispose()


def _system_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "assessor"


def open_context(data_dir: str | Path | None = None, clock: Callable[[], dt.datetime] | None = None) -> AppContext:
    """Open the data folder (`--data-dir`, else ESCA_DESKTOP_DATA_DIR, else the user data dir)."""
    folder = resolve_data_dir(data_dir)
    the_clock = clock or utcnow
    engine = open_engine(folder)
    return AppContext(
        data_dir=folder,
        repository=AssessmentRepository(engine, the_clock),
        catalogs=CatalogRegistry(catalogs_dir(folder)),
        clock=the_clock,
    )
