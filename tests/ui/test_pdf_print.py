"""Printing a protocol keeps memory bounded: the preview renders only the pages in sight, at screen
resolution, and keeps a few; printing renders each page just before it goes to the printer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from esca_desktop.services.assessments import AssessmentService
from esca_desktop.services.demo import create_demo_assessments
from esca_desktop.services.documents import DocumentService
from esca_desktop.ui import pdf_print
from esca_desktop.ui.pdf_print import CACHED_PAGES, PdfPages, PdfPreviewDialog, paint_pdf


@pytest.fixture(scope="module")
def protocol(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from esca_desktop.context import open_context

    folder = tmp_path_factory.mktemp("protocol")
    context = open_context(folder / "data")
    try:
        created = create_demo_assessments(AssessmentService(context))
        path = folder / "protocol.pdf"
        DocumentService(context).write_protocol(created["gold"], path, blank=False, lang="de")
        yield path
    finally:
        context.close()


def test_the_preview_renders_only_the_pages_in_sight_at_screen_resolution(
    qtbot: QtBot, protocol: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[int] = []
    render = PdfPages.render
    monkeypatch.setattr(PdfPages, "render", lambda self, n, scale: rendered.append(n) or render(self, n, scale))
    dialog = PdfPreviewDialog(protocol, "Interview protocol")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: bool(rendered), timeout=5000)
    pages, column = dialog.pages, dialog.preview.column
    assert pages.count >= 20
    assert 1 <= len(rendered) <= 3  # the first screenful, not the document
    first = column.image(0)
    assert abs(first.width() - column.page_rect(0).width() * column.devicePixelRatioF()) <= 1  # not 300 dpi

    bar = dialog.preview.verticalScrollBar()
    held = 0
    for value in range(0, bar.maximum() + bar.pageStep(), bar.pageStep()):  # read it to the end
        bar.setValue(value)
        dialog.preview.viewport().repaint()
        held = max(held, len(column.cached))
    assert set(rendered) == set(range(pages.count))  # every page was shown …
    assert held <= CACHED_PAGES  # … but only a few were ever held at once
    assert pages.count - 1 in column.cached

    dialog.reject()
    assert column.cached == []


def test_printing_renders_each_page_just_before_it_is_printed(
    qapp: QApplication, protocol: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    render = PdfPages.render

    def recorded(self: PdfPages, n: int, scale: float) -> QImage:
        events.append(f"render {n}")
        return render(self, n, scale)

    monkeypatch.setattr(PdfPages, "render", recorded)
    monkeypatch.setattr(pdf_print.QPrinter, "newPage", lambda self: events.append("new page") or True)
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    printer.setFullPage(True)
    printed = paint_pdf(protocol, printer)
    assert printed >= 20
    expected = ["render 0"]
    for n in range(1, printed):
        expected += ["new page", f"render {n}"]
    assert events == expected


def test_printing_a_page_range_renders_only_those_pages(qapp: QApplication, protocol: Path, tmp_path: Path) -> None:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "range.pdf"))
    printer.setFullPage(True)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(3, 5)
    assert paint_pdf(protocol, printer) == 3
    assert len(pdfium.PdfDocument(str(tmp_path / "range.pdf"))) == 3
