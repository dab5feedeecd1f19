"""Evidence files: on the disk before the store records them, names that show what a file is and that
every system can store, and a report that refuses evidence changed or deleted behind the program's back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from esca_desktop.errors import UserError, ValidationError
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.services.documents import DocumentService
from tests.conftest import new_request

# --- durable before it is recorded ------------------------------------------------------------------


def test_an_evidence_file_and_its_folder_are_on_the_disk_before_the_commit_that_records_it(
    service: AssessmentService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    interview = service.open(service.create(new_request())[0])
    source = tmp_path / "Satzung.pdf"
    source.write_bytes(b"%PDF-1.4 statutes")
    events: list[str] = []
    real_fsync, real_add = os.fsync, service.repository.add_evidence

    def fsync(fd: int) -> None:
        events.append(f"fsync {os.path.basename(os.readlink(f'/proc/self/fd/{fd}'))}")
        real_fsync(fd)

    def add_evidence(item: object, actor: str) -> None:
        events.append(f"commit {item.stored_name}")  # type: ignore[attr-defined]
        real_add(item, actor)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(interview.repository, "add_evidence", add_evidence)
    item, _ = interview.add_evidence(source, "Statutes of 2019")
    commit = events.index(f"commit {item.stored_name}")
    synced = events[:commit]
    assert any(e.startswith("fsync .esca-partial-") or e == f"fsync {item.stored_name}" for e in synced), events
    assert f"fsync {interview.id}" in synced, "the folder, after the file was renamed into it"
    assert interview.evidence_path(item).read_bytes() == b"%PDF-1.4 statutes"


# --- names ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Rechnung\u202efdp.exe", "direction marks"),  # shows as "Rechnungexe.pdf"
        ("minutes<draft>.pdf", "Windows refuses them"),
        ('"final".pdf', "Windows refuses them"),
        ("why?.pdf", "Windows refuses them"),
        ("CON.pdf", "device name"),
        ("com1", "device name"),
        ("agenda.pdf.", "end with '.'"),
        ("agenda.pdf ", "end with '.' or a space"),
        ("bell\x07.pdf", "control characters"),
    ],
)
def test_a_file_whose_name_disguises_it_or_that_windows_cannot_store_is_not_attached(
    service: AssessmentService, tmp_path: Path, name: str, reason: str
) -> None:
    interview = service.open(service.create(new_request())[0])
    source = tmp_path / name
    source.write_bytes(b"%PDF-1.4 minutes")
    with pytest.raises(ValidationError, match=r"cannot be attached: .*Rename the file") as error:
        interview.add_evidence(source)
    assert reason in str(error.value)
    assert interview.evidence() == []
    assert not (service.context.evidence_dir / interview.id).exists() or not any(
        (service.context.evidence_dir / interview.id).iterdir()
    )


def test_ordinary_names_in_any_script_are_attached(service: AssessmentService, tmp_path: Path) -> None:
    interview = service.open(service.create(new_request())[0])
    for name in ("Łódź – Strategie 3.12.26.pdf", "Σύμπλεγμα (τελικό).docx", "console.log.txt"):
        source = tmp_path / name
        source.write_bytes(b"content")
        interview.add_evidence(source)
    assert sorted(e.file_name for e in interview.evidence()) == sorted(
        ("Łódź – Strategie 3.12.26.pdf", "Σύμπλεγμα (τελικό).docx", "console.log.txt")
    )


# --- the report checks the evidence it lists --------------------------------------------------------


def test_the_report_refuses_evidence_changed_or_deleted_behind_the_programs_back(
    service: AssessmentService, tmp_path: Path
) -> None:
    interview = service.open(service.create(new_request())[0])
    kept = interview.evidence_path(interview.add_evidence(_file(tmp_path, "Satzung.pdf", b"%PDF statutes"))[0])
    changed_item, _ = interview.add_evidence(_file(tmp_path, "Protokoll.pdf", b"%PDF minutes of 2024"))
    deleted_item, _ = interview.add_evidence(_file(tmp_path, "Budget.xlsx", b"PK budget"))
    interview.evidence_path(changed_item).write_bytes(b"%PDF minutes of 2025")  # same size, other bytes
    interview.evidence_path(deleted_item).unlink()
    out = tmp_path / "report.pdf"
    with pytest.raises(UserError) as error:
        DocumentService(service.context, service).write_report(interview.id, out)
    message = str(error.value)
    assert "evidence 'Protokoll.pdf'" in message and "was changed after it was added" in message
    assert "evidence 'Budget.xlsx'" in message and "is missing" in message
    assert "Satzung.pdf" not in message and "The report is not written" in message
    assert not out.exists()
    assert kept.exists()


def test_the_report_is_written_once_the_original_file_is_back(service: AssessmentService, tmp_path: Path) -> None:
    interview = service.open(service.create(new_request())[0])
    item, _ = interview.add_evidence(_file(tmp_path, "Protokoll.pdf", b"%PDF minutes of 2024"))
    path = interview.evidence_path(item)
    path.write_bytes(b"%PDF forged")
    documents = DocumentService(service.context, service)
    with pytest.raises(UserError):
        documents.write_report(interview.id, tmp_path / "report.pdf")
    path.write_bytes(b"%PDF minutes of 2024")
    assert documents.write_report(interview.id, tmp_path / "report.pdf")[0].exists()


def _file(folder: Path, name: str, content: bytes) -> Path:
    path = folder / name
    path.write_bytes(content)
    return path
