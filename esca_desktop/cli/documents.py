"""`esca-desktop protocol ...` and `esca-desktop report ...`: the documents as PDF files.

`report --sign` writes the report in the data folder's private `tmp/`, signs it from there into its
target with the assessor's identity (atomically), and removes the unsigned copy: a failed signature
leaves neither an unsigned file under the signed file's name nor a half-written one, and no plain
copy anywhere (services.documents.DocumentService.write_signed_report).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from esca_desktop.cli.base import Cli, Handlers, json_flag
from esca_desktop.errors import UserError
from esca_desktop.reports.model import SignatureBox
from esca_desktop.services.documents import DocumentService

Signer = Callable[..., None]  # services.signing.sign_report_file


class SigningUnavailableError(UserError):
    """This installation cannot sign (the signing part is missing)."""


def _language_option(parser: Any) -> None:
    parser.add_argument(
        "--lang",
        dest="doc_lang",
        choices=("en", "de"),
        help="language of the document (default: the interview's language)",
    )


def register(verbs: Any) -> Handlers:
    p = verbs.add_parser("protocol", help="write the interview protocol as PDF (blank or pre-filled)")
    p.add_argument("id", help="assessment id (or a unique prefix of at least 4 characters)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument("--blank", action="store_true", help="without the answers known so far (to print or send)")
    _language_option(p)
    json_flag(p)
    p = verbs.add_parser("report", help="write the assessment report as PDF, optionally signed")
    p.add_argument("id", help="assessment id (or a unique prefix of at least 4 characters)")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    p.add_argument(
        "--sign",
        action="store_true",
        help="sign with your identity (PAdES; finalised assessments only; see 'identity create')",
    )
    _language_option(p)
    json_flag(p)
    return {
        ("protocol", None): protocol,
        ("report", None): report,
    }


def _lang(cli: Cli) -> str | None:
    """`report ID --lang de` first, then the global `--lang`, else the interview's language."""
    lang: str | None = cli.args.doc_lang or cli.args.lang
    return lang


def protocol(cli: Cli) -> int:
    documents = DocumentService(cli.context)
    path = documents.write_protocol(cli.args.id, cli.args.out, blank=cli.args.blank, lang=_lang(cli))
    if cli.args.json:
        cli.emit_json({"path": str(path), "blank": cli.args.blank})
    else:
        cli.print(f"{path}: {'blank ' if cli.args.blank else ''}interview protocol written")
    return 0


def report(cli: Cli) -> int:
    documents = DocumentService(cli.context)
    assessment = documents.assessments.get(cli.args.id)
    if not cli.args.sign:
        path, box = documents.write_report(assessment.id, cli.args.out, lang=_lang(cli))
        signed = False
    else:
        if assessment.status.editable:
            raise UserError(
                f"assessment {assessment.id[:8]} is {assessment.status.label()}: only a finalised assessment's "
                f"report can be signed; finalise it first ('assessment finalise {assessment.id[:8]}')"
            )
        _signer()  # says so at once when this installation cannot sign
        path, box = _write_signed(cli, documents, assessment.id)
        signed = True
    if cli.args.json:
        cli.emit_json(
            {
                "path": str(path),
                "signed": signed,
                "signature_box": {"page_index": box.page_index, "x1": box.x1, "y1": box.y1, "x2": box.x2, "y2": box.y2},
            }
        )
    else:
        cli.print(f"{path}: report written{', signed' if signed else ''}")
    return 0


def _signer() -> Signer:
    """The signing use-case, imported only when asked for (pyHanko is slow to import)."""
    try:
        from esca_desktop.services.signing import sign_report_file
    except ImportError:
        raise SigningUnavailableError("signing is not available in this installation") from None
    return sign_report_file


def _passphrase_if_asked(cli: Cli) -> str | None:
    """The signing key's passphrase when the identity asks for it each time (getpass, or a stdin line)."""
    from esca_desktop.cli.identity import read_secret
    from esca_desktop.services.signing import identity_store

    info = identity_store(cli.context).info()
    if info is None or info.passphrase_mode != "ask":
        return None
    return read_secret("Passphrase of your signing key: ")


def _write_signed(cli: Cli, documents: DocumentService, assessment_id: str) -> tuple[Path, SignatureBox]:
    target = Path(cli.args.out).expanduser()
    if target.is_dir():
        raise UserError(f"{target}: is a folder; give a file name such as report.pdf")
    lang = _lang(cli) or documents.assessments.get(assessment_id).interview_lang
    return documents.write_signed_report(assessment_id, target, _passphrase_if_asked(cli), lang=lang)
