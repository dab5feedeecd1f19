"""Signature benchmarks: PAdES signing and verification of a 20-page ReportLab PDF.

Prints figures and never asserts on timing. Run from the project folder::

    .venv/bin/python bench/bench_signing.py [--pages 20] [--runs 10] [--tmp-dir DIR]

Measured (median of `--runs`, after one cold run that is reported on its own):

a. baseline   read the PDF's bytes and write them to a new file the way `sign_pdf` writes (temporary
              file, fsync, rename) — the I/O floor any signature pays.
b. unlock     `IdentityStore.unlock` with the passphrase: PEM decryption of the EC P-256 key.
c. sign       `sign_pdf`: PAdES B-B, visible stamp drawn with ReportLab in the shipped TTF, atomic write.
              The cold run includes importing pyHanko (≈ 0.3 s) and registering the fonts.
d. verify     `verify_pdf` with the signer's certificate as trust root (hash, CMS, chain, diff analysis).

Only stdlib timing (`time.perf_counter_ns`).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from esca_desktop.reports.model import SignatureBox
from esca_desktop.reports.signing import sign_pdf, verify_pdf
from esca_desktop.security.credentials import MemoryCredentialStore
from esca_desktop.security.identity import IdentityStore

PASSPHRASE = "benchmark passphrase"
BOX = SignatureBox(page_index=19, x1=320, y1=90, x2=540, y2=160)


def make_pdf(path: Path, pages: int) -> None:
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number in range(pages):
        pdf.setFont("Helvetica-Bold", 16)
        pdf.drawString(72, 780, f"Assessment report - page {number + 1} of {pages}")
        pdf.setFont("Helvetica", 10)
        for line in range(60):
            pdf.drawString(72, 750 - 11 * line, f"Indicator {number + 1}.{line + 1}: answer, evidence, notes " * 2)
        pdf.showPage()
    pdf.save()


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter_ns()
    action()
    return (time.perf_counter_ns() - start) / 1_000_000


def copy_like_sign(source: Path, target: Path) -> None:
    data = source.read_bytes()
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--tmp-dir", type=Path, default=None)
    args = parser.parse_args()
    box = SignatureBox(min(BOX.page_index, args.pages - 1), BOX.x1, BOX.y1, BOX.x2, BOX.y2)

    with tempfile.TemporaryDirectory(dir=args.tmp_dir, prefix="bench-signing-") as folder:
        root = Path(folder)
        source = root / "report.pdf"
        make_pdf(source, args.pages)
        store = IdentityStore(root / "data", MemoryCredentialStore())
        store.create("Benchmark Assessor", "bench@example.org", PASSPHRASE, mode="ask")
        identity = store.unlock(PASSPHRASE)

        cold_sign = timed(lambda: sign_pdf(source, root / "cold.pdf", identity, box, "Benchmark", "Here"))
        cold_verify = timed(lambda: verify_pdf(root / "cold.pdf", [identity.certificate]))
        assert verify_pdf(root / "cold.pdf", [identity.certificate]).ok

        baseline, unlock, sign, verify = [], [], [], []
        for run in range(args.runs):
            target = root / f"signed-{run}.pdf"
            baseline.append(timed(lambda: copy_like_sign(source, root / "copy.pdf")))
            unlock.append(timed(lambda: store.unlock(PASSPHRASE)))
            sign.append(timed(partial(sign_pdf, source, target, identity, box, "Benchmark", "Here")))
            verify.append(timed(partial(verify_pdf, target, [identity.certificate])))
        size_in, size_out = source.stat().st_size, (root / "signed-0.pdf").stat().st_size

    print(f"ESCA signing benchmark — Python {platform.python_version()}, {platform.platform()}, {os.cpu_count()} CPUs")
    print(
        f"document: {args.pages} pages, {size_in / 1024:.0f} KiB -> signed {size_out / 1024:.0f} KiB; "
        f"median of {args.runs} runs"
    )
    rows = [
        ("baseline: read + write the same bytes", statistics.median(baseline)),
        ("unlock the key (PEM decryption)", statistics.median(unlock)),
        ("sign_pdf (PAdES B-B, visible stamp)", statistics.median(sign)),
        ("verify_pdf", statistics.median(verify)),
        ("sign_pdf, first call (pyHanko import, fonts)", cold_sign),
        ("verify_pdf, first call", cold_verify),
    ]
    for label, value in rows:
        print(f"  {label:<48} {value:8.2f} ms")
    print(
        f"  sign / baseline: {statistics.median(sign) / statistics.median(baseline):.1f}x; "
        f"min/max sign {min(sign):.2f}/{max(sign):.2f} ms, verify {min(verify):.2f}/{max(verify):.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
