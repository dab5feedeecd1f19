"""Printing a PDF we wrote: our own preview of the real pages, then the system print dialog.

Memory stays bounded whatever the page count. The preview renders (with PDFium) only the pages in
sight, at screen resolution, and keeps the last few; printing renders one page at a time at the
printer's resolution (at most 300 dpi) and lets it go before the next. (Qt's print preview had
every page rendered at printer resolution up front and kept twice: 1.5 GB for a 24-page protocol.)"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QRect, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import QGuiApplication, QImage, QKeySequence, QPainter, QPaintEvent, QPalette, QResizeEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

MAX_DPI = 300
CACHED_PAGES = 6  # rendered preview pages kept (a screenful is one to three)
PAGE_GAP = 12  # pixels around each preview page


class PdfPages:
    """An open PDF whose pages are rendered one at a time, when asked for."""

    def __init__(self, pdf_path: Path) -> None:
        import pypdfium2 as pdfium  # type: ignore[import-untyped]  # imported on first print (≈ 30 ms)

        self._document = pdfium.PdfDocument(str(pdf_path))
        self.count = len(self._document)
        self.sizes = [QSizeF(*self._document.get_page_size(n)) for n in range(self.count)]  # in points
        self.renders = 0  # pages rendered so far

    def render(self, index: int, scale: float) -> QImage:
        """Page `index` (from 0) at `scale` pixels per point, in memory of its own."""
        page = self._document[index]
        try:
            bitmap = page.render(scale=scale, rev_byteorder=True)
            try:
                view = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, QImage.Format.Format_RGB888)
                image = view.copy()  # detach from PDFium's buffer, which is freed below
            finally:
                bitmap.close()
        finally:
            page.close()
        self.renders += 1
        return image

    def close(self) -> None:
        self._document.close()


def paint_pages(pages: PdfPages, printer: QPrinter) -> int:
    """Draw the pages (or the range chosen in the print dialog) on printer pages, keeping their
    proportions, one rendered page in memory at a time. Returns the number of pages printed."""
    dpi = min(printer.resolution(), MAX_DPI)
    first, last = 0, pages.count - 1
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = printer.fromPage() - 1
        last = min(printer.toPage() or pages.count, pages.count) - 1
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    printed = 0
    try:
        for index in range(first, last + 1):
            if printed:
                printer.newPage()
            image = pages.render(index, dpi / 72)
            area = painter.viewport()
            size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(area.x() + (area.width() - size.width()) // 2, area.y(), size.width(), size.height())
            painter.setViewport(target)
            painter.setWindow(image.rect())
            painter.drawImage(0, 0, image)
            painter.setViewport(area)
            painter.setWindow(area)
            del image  # before the next page is rendered
            printed += 1
    finally:
        painter.end()
    return printed


def paint_pdf(pdf_path: Path, printer: QPrinter) -> int:
    """Print a PDF file page by page. Returns the number of pages printed."""
    pages = PdfPages(pdf_path)
    try:
        return paint_pages(pages, printer)
    finally:
        pages.close()


class PageColumn(QWidget):
    """The pages one below the other, each rendered when it first comes into sight."""

    def __init__(self, pages: PdfPages, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pages = pages
        self._cache: OrderedDict[int, QImage] = OrderedDict()
        self._rects: list[QRect] = []
        self._page_width = 0
        self._released = False
        self.set_page_width(600)

    def release(self) -> None:
        """Drop the rendered pages and render no more (the document is about to close)."""
        self._released = True
        self._cache.clear()
        self._rects = []
        self.update()

    @property
    def cached(self) -> list[int]:
        """Pages held as images now, oldest first."""
        return list(self._cache)

    def page_rect(self, index: int) -> QRect:
        return self._rects[index]

    def set_page_width(self, width: int) -> None:
        width = max(width, 120)
        if width == self._page_width or self._released:
            return
        self._page_width = width
        self._cache.clear()  # rendered for another width
        self._rects = []
        top = PAGE_GAP
        for size in self.pages.sizes:
            height = round(width * size.height() / max(size.width(), 1))
            self._rects.append(QRect(PAGE_GAP, top, width, height))
            top += height + PAGE_GAP
        self.setFixedSize(width + 2 * PAGE_GAP, top)
        self.update()

    def image(self, index: int) -> QImage:
        image = self._cache.get(index)
        if image is not None:
            self._cache.move_to_end(index)
            return image
        ratio = self.devicePixelRatioF()
        scale = self._rects[index].width() * ratio / max(self.pages.sizes[index].width(), 1)
        image = self.pages.render(index, scale)
        image.setDevicePixelRatio(ratio)
        self._cache[index] = image
        while len(self._cache) > CACHED_PAGES:
            self._cache.popitem(last=False)
        return image

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        exposed = event.rect()
        for index, rect in enumerate(self._rects):
            if rect.top() > exposed.bottom():
                break
            if rect.intersects(exposed):
                painter.fillRect(rect, Qt.GlobalColor.white)
                painter.drawImage(QRectF(rect), self.image(index))
                painter.setPen(self.palette().color(QPalette.ColorRole.Mid))
                painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.end()


class PdfPreview(QScrollArea):
    """The page column, as wide as the view."""

    def __init__(self, pages: PdfPages, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = PageColumn(pages)
        self.setWidget(self.column)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.setBackgroundRole(QPalette.ColorRole.Dark)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)  # no width flip-flop
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.column.set_page_width(self.viewport().width() - 2 * PAGE_GAP)


class PdfPreviewDialog(QDialog):
    """The pages as they will print, with Print… and Close."""

    def __init__(self, pdf_path: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.setWindowTitle(title)
        self.pages = PdfPages(pdf_path)
        self._closed = False
        self.preview = PdfPreview(self.pages)
        self.preview.setAccessibleName(self.tr("Print preview"))
        pages = self.tr("%1 pages").replace("%1", str(self.pages.count)) if self.pages.count != 1 else self.tr("1 page")
        count = QLabel(pages)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.print_button = QPushButton(self.tr("&Print…"))
        self.print_button.setDefault(True)
        self.print_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.print_button.clicked.connect(self.print_pages)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(count)
        bottom.addWidget(buttons, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(bottom)
        self.resize(self._fitting_size())

    def _fitting_size(self) -> QSize:
        screen = self.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        # pages as wide as a reader wants them (fit to width, scrolled down), within the screen
        return QSize(min(int(area.width() * 0.9), 860), int(area.height() * 0.9))

    def print_pages(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.title)
        printer.setFullPage(True)
        printer.setFromTo(1, self.pages.count)
        dialog = QPrintDialog(printer, self)
        if dialog.exec():
            paint_pages(self.pages, printer)
            self.accept()

    def done(self, result: int) -> None:
        super().done(result)
        if not self._closed:
            self._closed = True
            self.preview.column.release()  # drop the rendered pages now, not when collected
            self.pages.close()


def print_with_preview(pdf_path: Path, title: str, parent: QWidget | None = None) -> None:
    PdfPreviewDialog(pdf_path, title, parent).exec()


def print_directly(pdf_path: Path, title: str, parent: QWidget | None = None) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setFullPage(True)
    if QPrintDialog(printer, parent).exec():
        paint_pdf(pdf_path, printer)
