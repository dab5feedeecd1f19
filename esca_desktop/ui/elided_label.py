"""A one-line label for headers that may be long (organisation names, indicator titles, results):
cut with "…" when there is no room, the whole text in its tooltip, and never the reason a window
is wider than the screen (its minimum width is a few characters)."""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent, QTextDocument
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MINIMUM_CHARACTERS = 6  # shown before the "…" when the label is squeezed to its minimum


class ElidedLabel(QLabel):
    """`setText` takes plain text, or simple rich text (such as "<b>met</b> · 3 points") that is shown
    as is when it fits and as elided plain text when it does not."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self._plain = ""
        self._rich = False
        self._full_width = 0
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setText(text)

    def text(self) -> str:  # the whole text, not the cut one on screen
        return self._full

    def shown_text(self) -> str:
        """What is on screen (cut with "…" when there is no room)."""
        return super().text()

    def is_elided(self) -> bool:
        return self.shown_text() != self._full

    def setText(self, text: str) -> None:
        self._full = text
        self._rich = QtGui.Qt.mightBeRichText(text)  # a function of QtGui
        if self._rich:
            document = QTextDocument()
            document.setDocumentMargin(0)
            document.setDefaultFont(self.font())
            document.setHtml(text)
            self._plain = document.toPlainText()
            self._full_width = int(document.idealWidth()) + 1
        else:
            self._plain = text
            self._full_width = self.fontMetrics().horizontalAdvance(text)
        self.setToolTip(self._plain)
        self.setAccessibleName(self._plain)
        self._show()
        self.updateGeometry()

    def _show(self) -> None:
        room = self.contentsRect().width()
        if self._full_width <= room:
            self.setTextFormat(Qt.TextFormat.RichText if self._rich else Qt.TextFormat.PlainText)
            super().setText(self._full)
            return
        self.setTextFormat(Qt.TextFormat.PlainText)
        super().setText(self.fontMetrics().elidedText(self._plain, Qt.TextElideMode.ElideRight, max(room, 0)))

    def sizeHint(self) -> QSize:
        margins = self.contentsMargins()
        width = self._full_width + margins.left() + margins.right()
        return QSize(width, self._line_height())

    def minimumSizeHint(self) -> QSize:
        margins = self.contentsMargins()
        sample = self._plain[:MINIMUM_CHARACTERS] + "…"
        width = min(self._full_width, self.fontMetrics().horizontalAdvance(sample))
        return QSize(width + margins.left() + margins.right(), self._line_height())

    def _line_height(self) -> int:
        margins = self.contentsMargins()
        return self.fontMetrics().height() + margins.top() + margins.bottom()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._show()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # a role's font: measure again
            self.setText(self._full)
