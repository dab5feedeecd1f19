"""The application context: everything a use-case needs, wired once and passed in (no globals).

The actor, the person recorded with every change (audit trail, evidence, reports), is the assessor
profile's name; without one the assessor identity's name (then kept as the profile), else the name
in ESCA_DESKTOP_ASSESSOR (for scripts). Never the operating system's login name: without any name a
change is refused with `AssessorUnknownError`, which says how to set it."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from esca_desktop.domain.model import AssessorProfile, utcnow
from esca_desktop.errors import UserError
from esca_desktop.forms.registry import CatalogRegistry
from esca_desktop.forms.values import msg
from esca_desktop.paths import catalogs_dir, evidence_dir, resolve_data_dir
from esca_desktop.storage.database import open_engine
from esca_desktop.storage.leftovers import tidy_data_folder
from esca_desktop.storage.repository import AssessmentRepository

ASSESSOR_ENV = "ESCA_DESKTOP_ASSESSOR"  # the assessor's name when none is stored (scripts, tests)


class AssessorUnknownError(UserError):
    """No assessor name is stored (nor an identity): changes cannot say who made them."""


@dataclass
class AppContext:
    data_dir: Path
    repository: AssessmentRepository
    catalogs: CatalogRegistry
    clock: Callable[[], dt.datetime] = utcnow
    lang: str = "en"  # the language of messages for the person (the window's or the command line's)
    _actor: str | None = field(default=None, repr=False)

    @property
    def evidence_dir(self) -> Path:
        return evidence_dir(self.data_dir)

    @property
    def actor(self) -> str:
        """Who is making changes (see the module's docstring); refuses when no name is known."""
        if self._actor is None:
            name = self.assessor_name()
            if name is None:
                raise AssessorUnknownError(
                    msg(
                        self.lang,
                        "No assessor name is set; it is recorded with every change and printed in reports. "
                        "Set it once: in the window under File → Settings…, or with "
                        "'esca-desktop profile set --name \"Your Name\"' (or create your signing identity: "
                        "'esca-desktop identity create --name NAME --email EMAIL').",
                        "Es ist kein Name der Expertin bzw. des Experten hinterlegt; er wird bei jeder Änderung "
                        "vermerkt und in Berichte gedruckt. Legen Sie ihn einmal fest: im Fenster unter Datei → "
                        "Einstellungen… oder mit 'esca-desktop profile set --name \"Ihr Name\"' (oder erstellen "
                        "Sie Ihre Signaturidentität: 'esca-desktop identity create --name NAME --email EMAIL').",
                    )
                )
            self._actor = name
        return self._actor

    def set_actor(self, name: str) -> None:
        self._actor = name

    def assessor_name(self) -> str | None:
        """The name changes are recorded under, or None when none is known (nothing is asked)."""
        if self._actor is not None:
            return self._actor
        profile = self.repository.profile()
        if profile is not None and profile.name.strip():
            return profile.name
        from_identity = self._profile_from_identity()
        if from_identity is not None:
            return from_identity.name
        return os.environ.get(ASSESSOR_ENV, "").strip() or None

    def _profile_from_identity(self) -> AssessorProfile | None:
        """The signing identity's name and e-mail, kept as the profile; None without an identity."""
        if not (self.data_dir / "identity").is_dir():
            return None
        from esca_desktop.security.credentials import credential_store_from_setting  # only then: cryptography
        from esca_desktop.security.identity import IdentityStore

        try:  # reading the certificate needs no secret; the store is only a constructor argument
            info = IdentityStore(self.data_dir, credential_store_from_setting()).info()
        except UserError:
            return None
        if info is None or not info.name.strip():
            return None
        profile = AssessorProfile(info.name.strip(), info.email)
        self.repository.save_profile(profile)
        return profile

    def close(self) -> None:
        self.repository.engine.dispose()


def open_context(
    data_dir: str | Path | None = None, clock: Callable[[], dt.datetime] | None = None, lang: str = "en"
) -> AppContext:
    """Open the data folder (`--data-dir`, else ESCA_DESKTOP_DATA_DIR, else the user data dir); messages
    for the person in `lang`. A folder that cannot be written or a full disk is a `StoreError` naming
    the folder (see paths.py), at opening or at any later change."""
    folder = resolve_data_dir(data_dir)
    the_clock = clock or utcnow
    engine = open_engine(folder, lang)
    tidy_data_folder(folder)  # owner-only modes; what a killed process left behind
    return AppContext(
        data_dir=folder,
        repository=AssessmentRepository(engine, the_clock),
        catalogs=CatalogRegistry(catalogs_dir(folder)),
        clock=the_clock,
        lang=lang,
    )
