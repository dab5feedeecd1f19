"""Render the screenshots of the documents shown in the README: a blank interview protocol and the
complete Gold report (finalised, with evidence, a drawn signature and, when signing works on this
machine, the PAdES stamp in its box).

Run from the project folder (needs poppler's pdftoppm)::

    .venv/bin/python docs/render_documents.py [--keep DIR] [--resolution 60]

The sample data is created in a temporary folder; nothing touches your own data.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent

from esca_desktop.context import AppContext, open_context  # noqa: E402
from esca_desktop.forms.results import ResultStatus  # noqa: E402
from esca_desktop.reports.model import SignatureBox  # noqa: E402
from esca_desktop.services.assessments import AssessmentService, Interview  # noqa: E402
from esca_desktop.services.demo import create_demo_assessments  # noqa: E402
from esca_desktop.services.documents import DocumentService  # noqa: E402

PROTOCOL_PAGES = (1, 2, 3)
REPORT_PAGES = (1, 2, 3)  # plus the signature page and the appendix, found from the document


def drawn_signature_png(name: str) -> bytes:
    """A hand-drawn looking signature (a smooth pen stroke) as PNG."""
    from PIL import Image, ImageDraw

    width, height = 520, 150
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    pen = ImageDraw.Draw(image)
    points = []
    for step in range(400):
        t = step / 399
        x = 20 + t * (width - 60)
        y = height / 2 + 32 * math.sin(t * 19) * (1 - t * 0.6) + 14 * math.sin(t * 53 + len(name))
        points.append((x, y))
    pen.line(points, fill=(22, 40, 92, 255), width=4, joint="curve")
    pen.line([(width * 0.55, height * 0.82), (width - 30, height * 0.74)], fill=(22, 40, 92, 255), width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def prepare_gold(interview: Interview, folder: Path) -> None:
    statutes = folder / "Satzung_2023.pdf"
    statutes.write_bytes(b"%PDF-1.4 statutes of the cluster, amended 12 May 2023\n" * 40)
    members = folder / "Mitgliederliste_2026-10-31.xlsx"
    members.write_bytes(b"member list as of 31 October 2026\n" * 300)
    interview.add_evidence(statutes, "Statutes, last amended 2023", ["1.1.0", "2.4"])
    interview.add_evidence(members, "Member list with categories and fee status", ["1.1.0", "1.1.1", "1.1.2"])
    interview.set_override(
        "4.5",
        ResultStatus.MET,
        4,
        "Minutes of 38 working-group meetings seen on site; the two least active groups "
        "are being merged, which the board decided on 4 November 2026.",
    )
    org = interview.assessment.organisation
    signer = org.contact.split(",")[0] if org.contact else "Cluster manager"
    interview.repository.add_drawn_signature(
        interview.id, "Cluster manager", signer, drawn_signature_png(signer), interview.context.actor
    )
    interview.finalise()


def try_to_sign(context: AppContext, path: Path, box: SignatureBox) -> bool:
    """Sign with a throw-away identity in the temporary data folder; False (unsigned) when signing is
    unavailable."""
    passphrase = "documentation only: this identity is deleted with its folder"
    try:
        from esca_desktop.services.signing import identity_store, sign_report_file

        store = identity_store(context)
        if store.certificate() is None:
            store.create("Dr. Jens Hartmann", "j.hartmann@example.org", passphrase=passphrase, mode="ask")
        sign_report_file(context, path, box, passphrase=passphrase, location="Hamburg")
    except Exception as exc:  # the screenshots are still useful without the stamp
        print(f"not signed: {exc}", file=sys.stderr)
        return False
    return True


def render(pdf: Path, pages: list[int], stem: str, resolution: int) -> list[Path]:
    written = []
    for page in pages:
        target = DOCS / f"{stem}-p{page}.png"
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(resolution),
                "-png",
                "-singlefile",
                "-f",
                str(page),
                "-l",
                str(page),
                str(pdf),
                str(target.with_suffix("")),
            ],
            check=True,
        )
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", metavar="DIR", help="also keep the PDFs in DIR")
    parser.add_argument("--resolution", type=int, default=60, help="pixels per inch (pdftoppm -r)")
    args = parser.parse_args(argv)
    os.environ["ESCA_DESKTOP_KEYRING"] = "memory"  # nothing of the throw-away identity reaches the OS keyring
    from pypdf import PdfReader

    root = Path(tempfile.mkdtemp(prefix="esca-docs-"))
    try:
        context = open_context(root / "data")
        context.set_actor("Dr. Jens Hartmann")
        try:
            service = AssessmentService(context)
            documents = DocumentService(context, service)
            gold_id = create_demo_assessments(service)["gold"]
            protocol = documents.write_protocol(gold_id, root / "protocol-blank.pdf", blank=True, lang="en")
            prepare_gold(service.open(gold_id), root)
            report, box = documents.write_report(gold_id, root / "report-gold.pdf", lang="en")
            signed = try_to_sign(context, report, box)
        finally:
            context.close()
        written = render(protocol, list(PROTOCOL_PAGES), "protocol-blank", args.resolution)
        last = len(PdfReader(report).pages)
        pages = sorted({*REPORT_PAGES, box.page_index + 1, last})
        for old in DOCS.glob("report-gold-p*.png"):
            old.unlink()
        written += render(report, pages, "report-gold", args.resolution)
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            for pdf in (protocol, report):
                shutil.copy2(pdf, Path(args.keep) / pdf.name)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    for path in written:
        print(path.relative_to(DOCS.parent))
    print("report signed" if signed else "report not signed (signing unavailable)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
