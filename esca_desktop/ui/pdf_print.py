"""Printing a PDF we wrote: the system print dialog with a preview of the real pages (PDFium renders
each page at the printer's resolution)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

MAX_DPI = 300


def page_images(pdf_path: Path, dpi: int) -> list[QImage]:
    """Every page as an image at `dpi` (kept in memory only while printing)."""
    import pypdfium2 as pdfium  # type: ignore[import-untyped]  # imported on first print (≈ 30 ms)

    document = pdfium.PdfDocument(str(pdf_path))
    images = []
    try:
        for index in range(len(document)):
            page = document[index]
            bitmap = page.render(scale=dpi / 72, rev_byteorder=True)
            image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB888)
            images.append(image.copy())  # detach from PDFium's buffer
            bitmap.close()
            page.close()
    finally:
        document.close()
    return images


def paint_pdf(pdf_path: Path, printer: QPrinter) -> int:
    """Draw each PDF page on a printer page, keeping its proportions. Returns the page count."""
    dpi = min(printer.resolution(), MAX_DPI)
    images = page_images(pdf_path, dpi)
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


def print_with_preview(pdf_path: Path, title: str, parent: QWidget | None = None) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setFullPage(True)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(title)
    dialog.paintRequested.connect(lambda target: paint_pdf(pdf_path, target))
    dialog.exec()


def print_directly(pdf_path: Path, title: str, parent: QWidget | None = None) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setFullPage(True)
    if QPrintDialog(printer, parent).exec():
        paint_pdf(pdf_path, printer)
