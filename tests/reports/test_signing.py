"""PAdES signatures: pyHanko and poppler's pdfsig agree that ours are valid, and that tampering shows."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfgen import canvas  # type: ignore[import-untyped]

from esca_desktop.cli import run
from esca_desktop.context import AppContext
from esca_desktop.errors import ValidationError
from esca_desktop.reports.model import SignatureBox
from esca_desktop.reports.signing import SigningError, UnreadablePdfError, sign_pdf, verify_pdf
from esca_desktop.security.credentials import KeyringCredentialStore
from esca_desktop.security.identity import IdentityStore, UnlockedIdentity
from esca_desktop.services.signing import sign_report_file, trust_dir, verify_file
from tests.memory_keyring import InMemoryKeyring, install_memory_keyring
from tests.reports.pdfcheck import pdftotext

BOX = SignatureBox(page_index=1, x1=320, y1=90, x2=540, y2=160)


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryKeyring]:
    yield from install_memory_keyring(monkeypatch)


def _identity(folder: Path, name: str, email: str) -> UnlockedIdentity:
    store = IdentityStore(folder, KeyringCredentialStore())
    store.create(name, email)
    return store.unlock()


@pytest.fixture
def assessor(tmp_path: Path) -> UnlockedIdentity:
    return _identity(tmp_path / "assessor", "Małgorzata Wiśniewska", "m.wisniewska@example.pl")


def make_pdf(path: Path, pages: int = 2) -> Path:
    pdf = canvas.Canvas(str(path), pageCompression=0)
    for number in range(pages):
        pdf.drawString(72, 760, f"Klaster Łódź - assessment report, page {number + 1}")
        pdf.drawString(72, 740, "Total score 87 %")
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture
def signed(tmp_path: Path, assessor: UnlockedIdentity) -> Path:
    source = make_pdf(tmp_path / "report.pdf")
    target = tmp_path / "report-signed.pdf"
    sign_pdf(source, target, assessor, BOX, reason="ESCA Gold assessment report", location="Łódź")
    return target


def pdfsig(path: Path) -> str:
    if shutil.which("pdfsig") is None:
        pytest.fail("pdfsig is missing: install poppler-utils (packaging/bootstrap.sh does)")
    result = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return result.stdout + result.stderr


def flip_byte(path: Path, needle: bytes) -> None:
    data = bytearray(path.read_bytes())
    offset = data.index(needle)
    data[offset] ^= 0x0F
    path.write_bytes(bytes(data))


def append_update(path: Path) -> None:
    """An incremental update after signing that draws on the first page, as a forger would."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    with path.open("rb+") as stream:
        writer = IncrementalPdfFileWriter(stream)
        forged = generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 700 Td (Total score 97 %) Tj ET")
        writer.add_stream_to_page(0, writer.add_object(forged))  # type: ignore[no-untyped-call]
        writer.write_in_place()  # type: ignore[no-untyped-call]


# --- signing ----------------------------------------------------------------------------------------


def test_signed_pdf_verifies_intact_with_signer_and_time(signed: Path, assessor: UnlockedIdentity) -> None:
    result = verify_pdf(signed, [assessor.certificate])
    assert result.signed and result.intact and result.trusted and not result.modified_after_signing and result.ok
    assert result.signer == "Małgorzata Wiśniewska <m.wisniewska@example.pl>"
    assert result.signing_time is not None
    assert abs(result.signing_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    (signature,) = result.signatures
    assert signature.field_name == "AssessorSignature" and signature.covers_whole_file
    assert signature.fingerprint == assessor.fingerprint
    assert "unchanged since signing" in result.message


def test_pdfsig_reports_our_signature_valid_and_the_document_unmodified(signed: Path) -> None:
    report = pdfsig(signed)
    assert "Signature Validation: Signature is Valid." in report
    assert "Total document signed" in report and "Not total document signed" not in report
    assert "Signature Field Name: AssessorSignature" in report
    assert re.search(r"Signer Certificate Common Name: Małgorzata Wiśniewska", report)
    assert "ETSI.CAdES.detached" in report  # PAdES


def test_qpdf_finds_no_error_in_the_signed_file(signed: Path) -> None:
    if shutil.which("qpdf") is None:
        pytest.fail("qpdf is missing: install qpdf (packaging/bootstrap.sh does)")
    result = subprocess.run(["qpdf", "--check", str(signed)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors" in result.stdout


def test_the_visible_stamp_sits_in_the_box_with_an_embedded_font(signed: Path) -> None:
    reader = PdfReader(signed)
    widgets = [a.get_object() for a in reader.pages[BOX.page_index].get("/Annots", [])]
    (widget,) = [w for w in widgets if w.get("/FT") == "/Sig"]
    assert widget["/T"] == "AssessorSignature"
    assert [round(float(v)) for v in widget["/Rect"]] == [BOX.x1, BOX.y1, BOX.x2, BOX.y2]
    assert "/N" in widget["/AP"]
    fonts = subprocess.run(["pdffonts", str(signed)], capture_output=True, text=True, timeout=60).stdout
    assert re.search(r"DejaVuSans-Bold\s+TrueType.*yes\s+yes", fonts)  # the signer's name, any script


def test_one_flipped_byte_breaks_the_signature(signed: Path, assessor: UnlockedIdentity) -> None:
    flip_byte(signed, b"Total score 87")
    result = verify_pdf(signed, [assessor.certificate])
    assert result.signed and not result.intact and not result.ok
    assert "does not match the document" in result.message
    report = pdfsig(signed)
    assert "Signature is Valid" not in report
    assert "Digest Mismatch" in report


def test_an_update_appended_after_signing_is_reported(signed: Path, assessor: UnlockedIdentity) -> None:
    append_update(signed)
    result = verify_pdf(signed, [assessor.certificate])
    assert result.signed and result.intact and result.modified_after_signing and not result.ok
    assert "changed after it was signed" in result.message
    assert "Not total document signed" in pdfsig(signed)


def _rewrite_document_information(path: Path, **entries: str) -> None:
    """An incremental update after signing that only rewrites the document information (/Info)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    with path.open("rb+") as stream:
        writer = IncrementalPdfFileWriter(stream)
        info = {generic.pdf_name(f"/{key}"): generic.pdf_string(value) for key, value in entries.items()}
        writer.set_info(generic.DictionaryObject(info))  # type: ignore[no-untyped-call]
        writer.write_in_place()  # type: ignore[no-untyped-call]


def test_a_title_changed_after_signing_is_reported_not_unchanged(signed: Path, assessor: UnlockedIdentity) -> None:
    _rewrite_document_information(signed, Title="Gold label awarded")
    assert PdfReader(signed).metadata.title == "Gold label awarded"  # what a PDF reader now shows
    result = verify_pdf(signed, [assessor.certificate])
    assert result.signed and result.intact and result.modified_after_signing and not result.ok
    assert "unchanged since signing" not in result.message and "(its Title" in result.message
    (signature,) = result.signatures
    assert "Title" in signature.changed_metadata
    german = verify_pdf(signed, [assessor.certificate], lang="de")
    assert "(Title" in german.message and "unverändert" not in german.message


def test_a_second_signature_keeps_the_first_valid(signed: Path, tmp_path: Path, assessor: UnlockedIdentity) -> None:
    co_assessor = _identity(tmp_path / "co", "Jiří Dvořák", "jiri@example.cz")
    both = tmp_path / "both.pdf"
    sign_pdf(
        signed,
        both,
        co_assessor,
        SignatureBox(1, 72, 90, 292, 160),
        "Co-assessor",
        "Praha",
        field_name="CoAssessorSignature",
    )
    result = verify_pdf(both, [assessor.certificate, co_assessor.certificate])
    assert result.ok and result.trusted and len(result.signatures) == 2
    assert result.signer == "Małgorzata Wiśniewska <m.wisniewska@example.pl>, Jiří Dvořák <jiri@example.cz>"
    assert pdfsig(both).count("Signature is Valid.") == 2


def test_a_foreign_trust_root_leaves_the_signature_untrusted(signed: Path, tmp_path: Path) -> None:
    stranger = _identity(tmp_path / "stranger", "Somebody Else", "else@example.org")
    result = verify_pdf(signed, [stranger.certificate])
    assert result.intact and result.ok and not result.trusted
    assert "not from a trusted authority" in result.message
    assert not verify_pdf(signed).trusted


def test_an_unsigned_pdf_is_reported_as_unsigned(tmp_path: Path) -> None:
    result = verify_pdf(make_pdf(tmp_path / "plain.pdf"))
    assert not result.signed and not result.intact and not result.ok
    assert "carries no signature" in result.message


def test_garbage_is_an_unreadable_pdf_not_a_traceback(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"this is not a PDF at all\n" * 20)
    with pytest.raises(UnreadablePdfError, match="not a readable PDF"):
        verify_pdf(garbage)
    with pytest.raises(UnreadablePdfError, match="cannot be read"):
        verify_pdf(tmp_path / "missing.pdf")


def test_signing_garbage_says_it_is_not_a_pdf(tmp_path: Path, assessor: UnlockedIdentity) -> None:
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"this is not a PDF at all\n" * 20)
    with pytest.raises(UnreadablePdfError, match="not a PDF that can be signed"):
        sign_pdf(garbage, tmp_path / "out.pdf", assessor, BOX, "r", "l")
    assert not (tmp_path / "out.pdf").exists()


def test_signing_refuses_a_box_off_the_pages_and_a_signed_field(
    signed: Path, tmp_path: Path, assessor: UnlockedIdentity
) -> None:
    with pytest.raises(ValidationError, match="page 5, but"):
        sign_pdf(signed, tmp_path / "x.pdf", assessor, SignatureBox(4, 10, 10, 100, 50), "r", "l")
    with pytest.raises(ValidationError, match="no area"):
        sign_pdf(signed, tmp_path / "x.pdf", assessor, SignatureBox(0, 100, 10, 100, 50), "r", "l")
    with pytest.raises(SigningError, match="already signed"):
        sign_pdf(signed, tmp_path / "x.pdf", assessor, BOX, "r", "l")
    assert not (tmp_path / "x.pdf").exists()


def test_signing_works_from_a_worker_thread_and_inside_an_event_loop(
    tmp_path: Path, assessor: UnlockedIdentity
) -> None:
    source = make_pdf(tmp_path / "in.pdf")
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            sign_pdf(source, tmp_path / "thread.pdf", assessor, BOX, "r", "l")
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(60)
    assert errors == [] and verify_pdf(tmp_path / "thread.pdf").ok

    async def inside_a_loop() -> bool:
        sign_pdf(source, tmp_path / "loop.pdf", assessor, BOX, "r", "l")
        return verify_pdf(tmp_path / "loop.pdf").ok

    assert asyncio.run(inside_a_loop())


# --- the service and the command line -------------------------------------------------------------


def test_sign_report_file_in_place_and_verify_against_the_trust_folder(context: AppContext, tmp_path: Path) -> None:
    IdentityStore(context.data_dir, KeyringCredentialStore()).create("Małgorzata Wiśniewska", "mw@example.pl")
    report = make_pdf(tmp_path / "report.pdf")
    sign_report_file(context, report, BOX)
    result = verify_file(context, report)
    assert result.ok and result.trusted  # one's own certificate is trusted on one's own machine
    own = (context.data_dir / "identity" / "certificate.pem").read_bytes()
    IdentityStore(context.data_dir, KeyringCredentialStore()).delete()
    assert not verify_file(context, report).trusted
    trust_dir(context.data_dir).mkdir()
    (trust_dir(context.data_dir) / "secretariat.pem").write_bytes(own)
    assert verify_file(context, report).trusted


def test_the_stamp_of_a_german_report_is_worded_in_german(context: AppContext, tmp_path: Path) -> None:
    IdentityStore(context.data_dir, KeyringCredentialStore()).create("Małgorzata Wiśniewska", "mw@example.pl")
    report = make_pdf(tmp_path / "bericht.pdf")
    sign_report_file(context, report, BOX, lang="de")
    text = pdftotext(report)  # poppler prints the stamp's appearance with the page
    assert "Digital signiert von Małgorzata Wiśniewska" in text and "ESCA-Bewertungsbericht" in text
    assert "signed by" not in text and "assessment report" not in text.replace("assessment report, page", "")
    assert re.search(r"\d\d\.\d\d\.20\d\d \d\d:\d\d UTC", text)
    english = make_pdf(tmp_path / "report.pdf")
    sign_report_file(context, english, BOX)
    assert "Digitally signed by Małgorzata Wiśniewska" in pdftotext(english)


def test_the_signature_check_speaks_the_persons_language(context: AppContext, tmp_path: Path) -> None:
    IdentityStore(context.data_dir, KeyringCredentialStore()).create("Małgorzata Wiśniewska", "mw@example.pl")
    report = make_pdf(tmp_path / "bericht.pdf")
    sign_report_file(context, report, BOX, lang="de")
    assert "unchanged since signing" in verify_file(context, report).message
    context.lang = "de"  # the window's language
    message = verify_file(context, report).message
    assert message.startswith("bericht.pdf: signiert von Małgorzata Wiśniewska")
    assert "seit dem Signieren unverändert; das Zertifikat ist vertrauenswürdig" in message
    unsigned = verify_file(context, make_pdf(tmp_path / "ohne.pdf")).message
    assert unsigned == "ohne.pdf trägt keine Signatur: es ist kein signiertes Dokument"


def _cli(data_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(["--data-dir", str(data_dir), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_verify_exit_codes(
    data_dir: Path, signed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _cli(data_dir, capsys, "verify", str(signed))
    assert code == 0, err
    assert "Małgorzata Wiśniewska" in out and "Intact:" in out and "yes" in out
    assert "Trust:" in out and "SELF-SIGNED, NOT TRUSTED; to trust what the secretariat issues, put its CA" in out

    code, out, err = _cli(data_dir, capsys, "verify", str(signed), "--json")
    data = __import__("json").loads(out)
    assert code == 0 and data["intact"] and data["ok"] and data["signer"].startswith("Małgorzata")

    unsigned = make_pdf(tmp_path / "unsigned.pdf")
    code, _, err = _cli(data_dir, capsys, "verify", str(unsigned))
    assert code == 1 and "carries no signature" in err and err.count("\n") == 1

    tampered = tmp_path / "tampered.pdf"
    shutil.copy(signed, tampered)
    flip_byte(tampered, b"Total score 87")
    code, out, err = _cli(data_dir, capsys, "verify", str(tampered))
    assert code == 1 and "does not match the document" in err and "NO" in out

    appended = tmp_path / "appended.pdf"
    shutil.copy(signed, appended)
    append_update(appended)
    code, _, err = _cli(data_dir, capsys, "verify", str(appended))
    assert code == 1 and "changed after it was signed" in err

    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7\n garbage that ends early")
    code, _, err = _cli(data_dir, capsys, "verify", str(garbage))
    assert code == 2 and "not a readable PDF" in err and "Traceback" not in err


def test_cli_verify_a_removed_signature(
    data_dir: Path, signed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Blanking the signature value, or cutting the signing update off, both fail with exit 1."""
    data = signed.read_bytes()
    start = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    blanked = tmp_path / "blanked.pdf"
    blanked.write_bytes(data[:start] + b"0" * (end - start) + data[end:])
    code, _, err = _cli(data_dir, capsys, "verify", str(blanked))
    assert code == 1 and err.startswith("esca-desktop: ") and err.count("\n") == 1
    assert "'AssessorSignature' is damaged or was removed" in err
    assert not verify_pdf(blanked).intact

    original = (tmp_path / "report.pdf").read_bytes()  # what the `signed` fixture signed
    assert signed.read_bytes().startswith(original)  # signing only appends
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(signed.read_bytes()[: len(original)])
    code, _, err = _cli(data_dir, capsys, "verify", str(cut))
    assert code == 1 and "carries no signature" in err


def test_a_signed_report_never_leaves_a_plain_copy_beside_it_nor_under_its_name(
    context: AppContext, service_for_signing: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unsigned PDF is made in the data folder's private tmp/ (owner-only; what a killed process
    left there is removed at the next start), and removed when signing fails."""
    import stat

    from esca_desktop.services import signing
    from esca_desktop.services.documents import DocumentService

    assessment_id, out = service_for_signing
    seen: list[tuple[Path, int]] = []

    def failing_signature(in_path: Path, out_path: Path, *args: object, **kwargs: object) -> None:
        seen.append((Path(in_path), stat.S_IMODE(Path(in_path).stat().st_mode)))
        raise SigningError(f"{in_path} could not be signed: the token was pulled out")

    monkeypatch.setattr(signing, "sign_pdf", failing_signature)
    with pytest.raises(SigningError):
        DocumentService(context).write_signed_report(assessment_id, out)
    ((unsigned, mode),) = seen
    assert unsigned.parent == context.data_dir / "tmp" and unsigned.name.startswith(".esca-unsigned-")
    assert mode == 0o600
    assert not unsigned.exists() and not out.exists()
    assert list(out.parent.iterdir()) == []  # nothing beside the target either


@pytest.fixture
def service_for_signing(context: AppContext, tmp_path: Path) -> tuple[str, Path]:
    from esca_desktop.services.assessments import AssessmentService
    from esca_desktop.services.demo import create_demo_assessments

    service = AssessmentService(context)
    gold = create_demo_assessments(service)["gold"]
    service.open(gold).finalise()
    IdentityStore(context.data_dir, KeyringCredentialStore()).create("Małgorzata Wiśniewska", "mw@example.pl")
    target = tmp_path / "out" / "report-signed.pdf"
    target.parent.mkdir()
    return gold, target


def test_cli_report_sign_writes_only_the_signed_file(
    context: AppContext, service_for_signing: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assessment_id, out = service_for_signing
    code, _, err = _cli(context.data_dir, capsys, "report", assessment_id, "--out", str(out), "--sign")
    assert code == 0, err
    assert verify_file(context, out).ok
    assert [p.name for p in out.parent.iterdir()] == ["report-signed.pdf"]
    assert list((context.data_dir / "tmp").iterdir()) == []
