"""The evidence files in the data folder: copied in durably, checked against what was recorded.

A file attached as evidence is copied under a temporary name (`paths.temp_name`, owner-only), hashed
while it is copied, flushed to the disk (`fsync`), renamed to its stored name and its folder flushed
too, all *before* the transaction that records it commits: an evidence item in the store always has
its whole file on the disk. A copy cut short by a crash keeps its temporary name and is removed at a
later start (storage/leftovers.py).

Whatever certifies the evidence (the report, the bundle) first checks every file against the size
and SHA-256 recorded when it was attached (`require_intact_evidence`): a file changed or deleted
behind the program's back is named, and nothing is written.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from esca_desktop.errors import UserError, ValidationError
from esca_desktop.forms.values import msg
from esca_desktop.paths import folder_error, fsync_folder, make_private_dir, open_private, temp_name

CHUNK = 1024**2


class RecordedFile(Protocol):
    """What was recorded of an evidence file (an `EvidenceItem`, or a bundle row read as attributes)."""

    @property
    def file_name(self) -> str: ...

    @property
    def stored_name(self) -> str: ...

    @property
    def sha256(self) -> str: ...

    @property
    def size(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Recorded:
    """A `RecordedFile` from raw column values (storage.bundle_store's rows)."""

    file_name: str
    stored_name: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class EvidenceFileProblem:
    file_name: str
    path: Path
    missing: bool  # deleted or unreadable; else changed
    reason: str  # in the person's language


class EvidenceAlteredError(UserError):
    """Evidence files were changed or deleted after they were attached; `problems` names them."""

    def __init__(self, message: str, problems: tuple[EvidenceFileProblem, ...]) -> None:
        super().__init__(message)
        self.problems = problems


class AttachedNameError(ValidationError):
    """The name of a file to attach cannot be an evidence name (see sync.bundle.evidence_name_problem)."""


# --- copying in ---------------------------------------------------------------------------------


class _SourceError(Exception):
    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


def check_attached_name(name: str, lang: str = "en") -> None:
    """Refuse a file whose name disguises its type (direction marks) or that Windows could not store."""
    from esca_desktop.sync.bundle import evidence_name_problem  # the rule bundles are checked by

    problem = evidence_name_problem(name)
    if problem is not None:
        raise AttachedNameError(
            msg(
                lang,
                f"{name!r} cannot be attached: {problem}. Rename the file (on your computer) and attach it again",
                f"{name!r} kann nicht angehängt werden: {_problem_de(problem)}. Benennen Sie die Datei (auf Ihrem "
                "Rechner) um und hängen Sie sie erneut an",
            )
        )


def _problem_de(problem: str) -> str:
    """The German reason for the few rules of evidence names (their English text is in sync.bundle)."""
    for start, german in (
        ("an evidence name has at most", "der Name ist zu lang"),
        ("an evidence name must not contain a folder", "der Name enthält einen Ordnertrenner"),
        ("an evidence name must not contain control", "der Name enthält Steuerzeichen oder ':'"),
        ("an evidence name must not contain invisible", "der Name enthält unsichtbare Richtungszeichen"),
        ("an evidence name must not contain any of", 'der Name enthält eines der Zeichen < > : " | ? *'),
        ("an evidence name must not start", "der Name beginnt mit '.' oder endet mit '.' oder Leerzeichen"),
        ("an evidence name must not be a device", "der Name ist ein unter Windows reservierter Gerätename"),
    ):
        if problem.startswith(start):
            return german
    return problem


def copy_evidence(source: Path, target: Path, lang: str = "en") -> tuple[str, int]:
    """Copy `source` to `target` (a new file; its folder is created owner-only) durably, see the
    module's docstring; returns the copy's SHA-256 and size. Nothing is left behind on failure."""
    folder = target.parent
    partial = folder / temp_name("partial")
    digest = hashlib.sha256()
    size = 0
    try:
        with source.open("rb") as reader:
            make_private_dir(folder.parent)
            make_private_dir(folder)
            with os.fdopen(open_private(partial), "wb") as writer:
                while chunk := _read(reader):
                    digest.update(chunk)
                    writer.write(chunk)
                    size += len(chunk)
                writer.flush()
                os.fsync(writer.fileno())
            os.replace(partial, target)
            fsync_folder(folder)
    except _SourceError as exc:
        partial.unlink(missing_ok=True)
        raise _unreadable(source, exc.error, lang) from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        if exc.filename is not None and Path(os.fsdecode(exc.filename)) == source:
            raise _unreadable(source, exc, lang) from None
        target.unlink(missing_ok=True)
        problem = folder_error(exc, folder, lang)
        if problem is not None:
            raise problem from None
        raise UserError(
            msg(
                lang,
                f"{source}: cannot copy the file: {exc.strerror or exc}",
                f"{source}: die Datei kann nicht kopiert werden: {exc.strerror or exc}",
            )
        ) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return digest.hexdigest(), size


def _read(reader: BinaryIO) -> bytes:
    try:
        return reader.read(CHUNK)
    except OSError as exc:
        raise _SourceError(exc) from None


def _unreadable(source: Path, exc: OSError, lang: str) -> UserError:
    reason = exc.strerror or exc
    return UserError(msg(lang, f"{source}: cannot read the file: {reason}", f"{source}: Datei nicht lesbar: {reason}"))


# --- checking -----------------------------------------------------------------------------------


def evidence_file_problem(item: RecordedFile, path: Path, lang: str = "en") -> EvidenceFileProblem | None:
    """How the file at `path` differs from what was recorded of it (None: the same bytes)."""
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as reader:
            while chunk := reader.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        gone = isinstance(exc, FileNotFoundError)
        reason = exc.strerror or str(exc)
        return EvidenceFileProblem(
            item.file_name,
            path,
            True,
            msg(lang, f"{path} is missing", f"{path} fehlt")
            if gone
            else msg(lang, f"{path} cannot be read ({reason})", f"{path} ist nicht lesbar ({reason})"),
        )
    if size != item.size or digest.hexdigest() != item.sha256:
        return EvidenceFileProblem(
            item.file_name,
            path,
            False,
            msg(
                lang,
                f"{path} was changed after it was added (its SHA-256 no longer matches)",
                f"{path} wurde nach dem Hinzufügen geändert (sein SHA-256 stimmt nicht mehr)",
            ),
        )
    return None


def require_intact_evidence(
    folder: Path, items: Iterable[RecordedFile], refused: tuple[str, str], lang: str = "en"
) -> list[tuple[RecordedFile, Path]]:
    """Each item with its file in `folder` (the assessment's evidence folder), every file checked;
    `EvidenceAlteredError` lists all that were changed or deleted. `refused` says in English and
    German what is not done, e.g. ("The assessment is not exported", "Die Bewertung wird nicht exportiert")."""
    files = [(item, folder / item.stored_name) for item in items]
    problems = tuple(p for p in (evidence_file_problem(item, path, lang) for item, path in files) if p is not None)
    if problems:
        listed = "; ".join(f"evidence {p.file_name!r}: {p.reason}" for p in problems)
        listed_de = "; ".join(f"Nachweis {p.file_name!r}: {p.reason}" for p in problems)
        raise EvidenceAlteredError(
            msg(
                lang,
                f"{listed}. {refused[0]} while the evidence differs from what was attached: put the original "
                "files back (from a backup or an exported bundle)",
                f"{listed_de}. {refused[1]}, solange die Nachweise von den angehängten abweichen: legen Sie die "
                "Originaldateien zurück (aus einer Sicherung oder einem exportierten Paket)",
            ),
            problems,
        )
    return files
