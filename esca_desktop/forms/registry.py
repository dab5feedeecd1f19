"""The catalogs this program knows: those shipped in the package and those installed in the data
folder (received from the review service or given by the secretariat), by id and version."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from esca_desktop.errors import CatalogError, NotFoundError
from esca_desktop.forms.catalog import Catalog
from esca_desktop.forms.loader import parse_catalog

BUILTIN_PACKAGE = "esca_desktop.forms"
BUILTIN_DIR = "catalogs"


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    catalog: Catalog
    content: bytes
    builtin: bool


def _version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    parts = version.replace("-", ".").split(".")
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


class CatalogRegistry:
    """Loads every catalog once; assessments find theirs by content hash."""

    def __init__(self, installed_dir: Path | None = None) -> None:
        self.installed_dir = installed_dir
        self._entries: dict[str, CatalogEntry] | None = None
        self.problems: list[str] = []  # installed files that could not be loaded

    def _load(self) -> dict[str, CatalogEntry]:
        if self._entries is not None:
            return self._entries
        entries: dict[str, CatalogEntry] = {}
        folder = resources.files(BUILTIN_PACKAGE).joinpath(BUILTIN_DIR)
        for item in sorted(folder.iterdir(), key=lambda p: p.name):
            if item.name.endswith(".yaml"):
                content = item.read_bytes()
                catalog = parse_catalog(content, item.name)
                entries[catalog.content_hash] = CatalogEntry(catalog, content, True)
        if self.installed_dir is not None and self.installed_dir.is_dir():
            for path in sorted(self.installed_dir.glob("*.yaml")):
                try:
                    content = path.read_bytes()
                    catalog = parse_catalog(content, path.name)
                except (CatalogError, OSError) as exc:
                    self.problems.append(str(exc))
                    continue
                entries.setdefault(catalog.content_hash, CatalogEntry(catalog, content, False))
        self._entries = entries
        return entries

    def entries(self) -> list[CatalogEntry]:
        return sorted(self._load().values(), key=lambda e: (e.catalog.id, _version_key(e.catalog.version)))

    def latest(self) -> list[CatalogEntry]:
        """The newest version of each catalog id."""
        newest: dict[str, CatalogEntry] = {}
        for entry in self.entries():
            newest[entry.catalog.id] = entry
        return list(newest.values())

    def find(self, ref: str) -> CatalogEntry:
        """`gold` (newest version) or `gold@2013.1`."""
        catalog_id, _, version = ref.partition("@")
        candidates = [e for e in self.entries() if e.catalog.id == catalog_id]
        if version:
            candidates = [e for e in candidates if e.catalog.version == version]
        if not candidates:
            known = ", ".join(sorted({e.catalog.ref for e in self.entries()}))
            raise NotFoundError(f"no catalog {ref!r} (known: {known})")
        return candidates[-1]

    def by_hash(self, content_hash: str) -> CatalogEntry | None:
        return self._load().get(content_hash)

    def install(self, content: bytes, source_name: str) -> CatalogEntry:
        """Check and add a catalog file to the data folder; refuses a broken or conflicting one."""
        catalog = parse_catalog(content, source_name)
        for entry in self.entries():
            same = entry.catalog.id == catalog.id and entry.catalog.version == catalog.version
            if same and entry.catalog.content_hash != catalog.content_hash:
                raise CatalogError(
                    f"{source_name}: {catalog.ref} is already installed with different content; "
                    "a changed catalog needs a new version"
                )
        if self.installed_dir is None:
            raise CatalogError("no folder for installed catalogs")
        self.installed_dir.mkdir(parents=True, exist_ok=True)
        target = self.installed_dir / f"{catalog.id}-{catalog.version}.yaml"
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(content)
        temporary.replace(target)
        entry = CatalogEntry(catalog, content, False)
        self._load()[catalog.content_hash] = entry
        return entry
