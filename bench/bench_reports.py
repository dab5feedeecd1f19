"""Report benchmarks: how long writing the PDF documents takes. Prints figures, never asserts.

Run from the project folder::

    .venv/bin/python bench/bench_reports.py [--runs 5] [--indicators 500] [--json bench/results/reports.json]

Measured, each as the median of `--runs` builds after one warm-up build (fonts registered, imports done;
the cold first build is shown too):

a. Gold report        the complete demo Gold assessment (31 indicators, charts, evidence with SHA-256,
                      notes, an override), finalised, `DocumentService.write_report`: gathering the data
                      from the store and the engine, layout and writing the PDF.
b. synthetic report   the same on the 500-indicator synthetic catalog (bench/synthetic_catalog.py)
                      installed into a temporary data folder, with almost every field answered.
c. baseline           in the same run, for each of the two: a plain ReportLab document with the same
                      number of pages, each page a few paragraphs of running text in the same embedded
                      font — what any PDF of that length costs on this machine.
d. signature          the written report signed in place (PAdES B-B with a visible stamp), as
                      `report --sign` does; timed after the identity exists.

Targets (issue 4): Gold report + signature <= 1.5 s; 500 indicators <= 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
os.environ.setdefault("ESCA_DESKTOP_ASSESSOR", "Bench Assessor")  # the name changes are recorded under

from synthetic_catalog import plausible_value, synthetic_catalog_yaml  # noqa: E402

from esca_desktop.context import AppContext, open_context  # noqa: E402
from esca_desktop.domain.model import Organisation  # noqa: E402
from esca_desktop.forms.catalog import Catalog  # noqa: E402
from esca_desktop.forms.results import ResultStatus  # noqa: E402
from esca_desktop.reports.model import SignatureBox  # noqa: E402
from esca_desktop.services.assessments import AssessmentService, Interview, NewAssessment  # noqa: E402
from esca_desktop.services.demo import create_demo_assessments  # noqa: E402
from esca_desktop.services.documents import DocumentService  # noqa: E402

GOLD_TARGET_S = 1.5  # report + signature
SYNTHETIC_TARGET_S = 10.0


# --- the signature --------------------------------------------------------------------------------

BENCH_PASSPHRASE = "benchmark passphrase"


def signature_hook(context: AppContext, pdf_path: Path, box: SignatureBox) -> None:
    """Sign `pdf_path` in place (PAdES, the stamp in `box`) as an assessor would: the identity asks for
    its passphrase (so no keyring is needed here); it is created on first use, outside the timing."""
    from esca_desktop.services.signing import sign_report_file

    sign_report_file(context, pdf_path, box, BENCH_PASSPHRASE)


def ensure_identity(context: AppContext) -> None:
    from esca_desktop.services.signing import identity_store

    store = identity_store(context)
    if store.info() is None:
        store.create("Bench Assessor", "bench@example.org", BENCH_PASSPHRASE, mode="ask")


# --- helpers --------------------------------------------------------------------------------------


def median_seconds(fn: Callable[[], Any], runs: int) -> tuple[float, float, list[float]]:
    """(first call, median of `runs` further calls, all further calls) in seconds."""
    start = time.perf_counter()
    fn()
    first = time.perf_counter() - start
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return first, statistics.median(samples), samples


def page_count(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


def plain_document(path: Path, pages: int) -> None:
    """The baseline: `pages` pages of plain paragraphs, same page size and embedded font, no tables."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    from esca_desktop.reports.fonts import register_fonts

    font = register_fonts()
    style = ParagraphStyle("plain", fontName=font.regular, fontSize=9.5, leading=13.3, spaceAfter=6)
    text = (
        "The cluster management keeps a member list with the date of entry, the type of organisation and "
        "the signed agreement of every participant; the assessors checked a sample of twenty entries "
        "against the agreements and the fee invoices of the last year. "
    ) * 3
    story: list[Any] = []
    for _ in range(pages):
        story.extend(Paragraph(text, style) for _ in range(6))
        story.append(PageBreak())
    story.pop()
    SimpleDocTemplate(str(path), pagesize=A4).build(story)


def fill(interview: Interview, catalog: Catalog, rng: random.Random) -> dict[str, int]:
    """Answer almost every field (one durable commit each, not timed), add notes and evidence."""
    stored = refused = 0
    for indicator in catalog.indicators:
        chosen: dict[str, Any] = {}
        for fld in indicator.fields:
            if fld.computed or rng.random() < 0.03:
                continue
            value = plausible_value(fld, rng, chosen)
            if value is None:
                continue
            result, _ = interview.answer(fld.key, value)
            stored += result.stored
            refused += not result.stored
        if rng.random() < 0.25:
            interview.set_note(
                indicator.id,
                "Documents seen on site; the figures match the member list and the "
                "annual report. The working group leads confirmed the account.",
            )
    return {"stored": stored, "refused": refused}


def add_evidence(interview: Interview, folder: Path, count: int) -> None:
    ids = [ind.id for ind in interview.catalog.indicators]
    for n in range(count):
        source = folder / f"evidence-{n:02d}.pdf"
        source.write_bytes(f"%PDF-1.4 evidence {n}".encode() * 200)
        interview.add_evidence(source, f"Document {n} seen on site", [ids[(n * 7) % len(ids)]])


# --- benchmarks -----------------------------------------------------------------------------------


def bench_document(
    name: str, documents: DocumentService, assessment_id: str, folder: Path, runs: int
) -> dict[str, Any]:
    out = folder / f"{name}.pdf"
    boxes: list[SignatureBox] = []

    def build() -> None:
        boxes.append(documents.write_report(assessment_id, out)[1])

    first, median, samples = median_seconds(build, runs)
    pages = page_count(out)
    baseline_path = folder / f"{name}-baseline.pdf"
    _, baseline, _ = median_seconds(lambda: plain_document(baseline_path, pages), runs)
    ensure_identity(documents.context)
    start = time.perf_counter()
    signature_hook(documents.context, out, boxes[-1])
    signature = time.perf_counter() - start
    return {
        "pages": pages,
        "bytes": out.stat().st_size,
        "first_s": first,
        "median_s": median,
        "samples_s": samples,
        "baseline_median_s": baseline,
        "ratio": median / baseline if baseline else None,
        "signature_s": signature,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ESCA Assessor report benchmarks (figures only, no asserts).")
    parser.add_argument("--runs", type=int, default=5, help="timed builds per document (median)")
    parser.add_argument("--indicators", type=int, default=500, help="size of the synthetic catalog")
    parser.add_argument("--tmp-dir", default=None, help="where the temporary data folders go")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    parser.add_argument("--keep", default=None, metavar="DIR", help="copy the written reports into DIR")
    args = parser.parse_args(argv)

    print(f"python {platform.python_version()}, {platform.platform()}", flush=True)
    root = Path(tempfile.mkdtemp(prefix="esca-bench-reports-", dir=args.tmp_dir))
    results: dict[str, Any] = {}
    try:
        context = open_context(root / "data")
        try:
            service = AssessmentService(context)
            documents = DocumentService(context, service)

            print("a. Gold report ...", flush=True)
            gold_id = create_demo_assessments(service)["gold"]
            interview = service.open(gold_id)
            add_evidence(interview, root, 6)
            interview.set_override("4.5", ResultStatus.MET, 4, "Minutes of 38 working-group meetings seen on site.")
            interview.finalise()
            results["gold"] = bench_document("gold", documents, gold_id, root, args.runs)

            print(f"b. synthetic report ({args.indicators} indicators) ...", flush=True)
            entry = context.catalogs.install(synthetic_catalog_yaml(args.indicators), "synthetic.yaml")
            synthetic_id, _ = service.create(
                NewAssessment(
                    entry.catalog.ref,
                    Organisation("Klaster Łódź – Synthetic benchmark", "PL", sector="ict"),
                    assessors=("Małgorzata Wiśniewska", "Jan Novák"),
                    interview_start=dt.date(2026, 11, 17),
                    interview_end=dt.date(2026, 11, 18),
                )
            )
            synthetic = service.open(synthetic_id)
            filled = fill(synthetic, entry.catalog, random.Random(7))
            add_evidence(synthetic, root, 30)
            results["synthetic"] = bench_document("synthetic", documents, synthetic_id, root, args.runs)
            results["synthetic"]["answers"] = filled
        finally:
            context.close()
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            for name in ("gold.pdf", "synthetic.pdf"):
                shutil.copy2(root / name, Path(args.keep) / name)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print()
    print(f"{'document':<34} {'pages':>5} {'first':>8} {'median':>8} {'baseline':>9} {'ratio':>6}  target")
    for key, label, target in (
        ("gold", "Gold report (31 indicators)", GOLD_TARGET_S),
        ("synthetic", f"synthetic report ({args.indicators} indicators)", SYNTHETIC_TARGET_S),
    ):
        r = results[key]
        total = r["median_s"] + r["signature_s"]
        verdict = f"<= {target:g} s: build + signature {total:.3f} s " + ("ok" if total <= target else "MISSED")
        print(
            f"{label:<34} {r['pages']:>5} {r['first_s']:>7.3f}s {r['median_s']:>7.3f}s "
            f"{r['baseline_median_s']:>8.3f}s {r['ratio']:>5.1f}x  {verdict}"
        )
        print(f"{'  signature (PAdES, visible stamp)':<34} {'':>5} {'':>8} {r['signature_s']:>7.3f}s")
    print(
        f"\nmedian of {args.runs} builds after one warm-up (first = cold: fonts and imports); baseline = plain "
        "paragraphs, same pages and font"
    )
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(
            json.dumps({"runs": args.runs, "python": platform.python_version(), "results": results}, indent=2) + "\n",
            encoding="utf-8",
        )
        print(f"written {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
