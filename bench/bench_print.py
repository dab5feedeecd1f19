"""Print benchmark: peak memory (RSS) of previewing and printing a 24-page protocol, before and after
the lazy preview (issue 16, defect 11). Prints figures, never asserts.

Run from the project folder::

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/bench_print.py [--no-print] [--json bench/results/print.json]

Each figure is measured in a fresh child process (offscreen Qt), as the peak resident set size
(VmHWM) and as its growth over the child's size just before the preview opened:

a. preview, before   Qt's QPrintPreviewDialog fed the way the program did before: every page
                     rendered by PDFium at the printer's resolution (HighResolution, capped at
                     300 dpi) up front, then drawn into the preview's recording of each page.
b. preview, after    `PdfPreviewDialog`: shown and scrolled through to the last page, so that
                     every page is rendered once, at screen resolution, and only a few are kept.
c. print, before/after  the same two ways of painting, to a PDF file through QPrinter at 300 dpi
                     (what goes to a printer): all pages up front, or one page at a time.

The protocol is the demo Gold assessment's pre-filled protocol in German (24 pages).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from figures import FigureTable, write_results  # noqa: E402

CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path

def peak_kb():
    try:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

def rss_kb():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return peak_kb()

mode, pdf, out_pdf = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog, QPrintPreviewWidget
from PySide6.QtWidgets import QApplication
import pypdfium2 as pdfium
from esca_desktop.ui import pdf_print

app = QApplication([])


def eager_images(path, dpi):  # the program before: every page rendered up front
    document = pdfium.PdfDocument(str(path))
    images = []
    try:
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=dpi / 72, rev_byteorder=True)
            image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB888)
            images.append(image.copy())
            bitmap.close()
            page.close()
    finally:
        document.close()
    return images


def eager_paint(path, printer):
    images = eager_images(path, min(printer.resolution(), pdf_print.MAX_DPI))
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    try:
        for number, image in enumerate(images):
            if number:
                printer.newPage()
            area = painter.viewport()
            size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(area.x() + (area.width() - size.width()) // 2, area.y(), size.width(), size.height())
            painter.setViewport(target)
            painter.setWindow(image.rect())
            painter.drawImage(0, 0, image)
            painter.setViewport(area)
            painter.setWindow(area)
    finally:
        painter.end()
    return len(images)


def pdf_printer():
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(out_pdf)
    printer.setFullPage(True)
    return printer


for _ in range(3):
    app.processEvents()
start_kb, start_peak_kb = rss_kb(), peak_kb()
began = time.perf_counter()
pages = 0
renders = None
if mode == "preview-before":
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintPreviewDialog(printer)
    counted = []
    dialog.paintRequested.connect(lambda target: counted.append(eager_paint(pdf, target)))
    dialog.resize(860, 540)
    dialog.show()
    while not counted:
        app.processEvents()
    widget = dialog.findChild(QPrintPreviewWidget)
    widget.setViewMode(QPrintPreviewWidget.ViewMode.AllPagesView)  # every page on screen once
    for _ in range(5):
        app.processEvents()
    dialog.grab()
    pages = widget.pageCount()
    dialog.close()
elif mode == "preview-after":
    dialog = pdf_print.PdfPreviewDialog(pdf, "protocol")
    dialog.show()
    for _ in range(3):
        app.processEvents()
    bar = dialog.preview.verticalScrollBar()
    for value in range(0, bar.maximum() + bar.pageStep(), max(bar.pageStep() // 2, 1)):
        bar.setValue(value)
        dialog.preview.viewport().repaint()
    pages = dialog.pages.count
    renders = dialog.pages.renders
    dialog.reject()
elif mode == "print-before":
    pages = eager_paint(pdf, pdf_printer())
elif mode == "print-after":
    pages = pdf_print.paint_pdf(pdf, pdf_printer())
else:
    raise SystemExit(f"unknown mode {mode}")
seconds = time.perf_counter() - began
print(json.dumps({
    "mode": mode, "pages": pages, "start_rss_kb": start_kb, "start_peak_kb": start_peak_kb, "peak_kb": peak_kb(),
    "end_rss_kb": rss_kb(), "seconds": seconds, "renders": renders,
}))
"""


def make_protocol(folder: Path) -> Path:
    from esca_desktop.context import open_context
    from esca_desktop.services.assessments import AssessmentService
    from esca_desktop.services.demo import create_demo_assessments
    from esca_desktop.services.documents import DocumentService

    context = open_context(folder / "data")
    try:
        created = create_demo_assessments(AssessmentService(context))
        path = folder / "protocol-gold-de.pdf"
        DocumentService(context).write_protocol(created["gold"], path, blank=False, lang="de")
        return path
    finally:
        context.close()


def run_child(mode: str, pdf: Path, out_pdf: Path) -> dict[str, Any]:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(pdf), str(out_pdf)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Peak memory of print preview and printing (figures only).")
    parser.add_argument("--no-print", action="store_true", help="measure the preview only")
    parser.add_argument("--json", default=str(BENCH_DIR / "results" / "print.json"), help="where to write results")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="esca-bench-print-"))
    print(f"python {platform.python_version()}, {platform.platform()}; tmp {root}", flush=True)
    results: dict[str, Any] = {}
    report = FigureTable(digits=0)
    try:
        pdf = make_protocol(root)
        groups = [("preview", "preview-before", "preview-after")]
        if not args.no_print:
            groups.append(("print", "print-before", "print-after"))
        for name, before_mode, after_mode in groups:
            before = run_child(before_mode, pdf, root / f"{before_mode}.pdf")
            after = run_child(after_mode, pdf, root / f"{after_mode}.pdf")
            results[name] = {"before": before, "after": after}

            def figure(run: dict[str, Any]) -> dict[str, float]:
                return {
                    "peak": run["peak_kb"] / 1024,
                    "growth": (run["peak_kb"] - run["start_rss_kb"]) / 1024,
                    "s": run["seconds"],
                }

            b, a = figure(before), figure(after)
            report.add(
                f"{name}, {after['pages']} pages: peak RSS",
                a,
                ("peak", "growth"),
                "MB",
                baseline=b,
                ratio=b["peak"] / a["peak"],
                ratio_of="before/after peak",
                note=f"growth before/after {b['growth'] / max(a['growth'], 1):.1f}x",
            )
            results[name]["ratio_peak"] = b["peak"] / a["peak"]
            results[name]["ratio_growth"] = b["growth"] / max(a["growth"], 1)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    print()
    print(report.table())
    for name, entry in results.items():
        before, after = entry["before"], entry["after"]
        print(
            f"{name}: before {before['peak_kb'] / 1024:.0f} MB peak ({before['seconds']:.1f} s), "
            f"after {after['peak_kb'] / 1024:.0f} MB peak ({after['seconds']:.1f} s); "
            f"peak ratio {entry['ratio_peak']:.1f}x, growth ratio {entry['ratio_growth']:.1f}x"
        )
    write_results(args.json, {"python": platform.python_version(), "figures": report.rows, "runs": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
