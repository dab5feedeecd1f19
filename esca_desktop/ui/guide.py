"""Help → Guide (F1): the user guide in a window of its own, beside the interview, in the UI language.

The guide is Markdown (resources/guide/guide.md, guide.de.md; docs/ holds identical copies for
reading on the web), rendered by QTextBrowser. Qt gives Markdown headings no anchors, so each heading
gets the anchor a GitHub page would give it, and the guide's own links (`[Finalise](#finalise)`)
work in the window as they do on the web. Ctrl+F searches, Enter finds the next match."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QGuiApplication,
    QKeySequence,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QTextBrowser, QVBoxLayout, QWidget

from esca_desktop.resources import resource
from esca_desktop.ui.style import role

GUIDE_FILES = {"en": "guide.md", "de": "guide.de.md"}


def guide_path(lang: str) -> Path:
    """The guide in the UI language (English when there is none in that language)."""
    return resource("guide", GUIDE_FILES.get(lang, GUIDE_FILES["en"]))


def heading_anchor(text: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens."""
    kept = "".join(ch for ch in text.strip().lower() if ch in " -_" or unicodedata.category(ch)[0] in ("L", "N"))
    return re.sub(" ", "-", kept)


class GuideWindow(QWidget):
    """A non-modal window with the guide and a search field."""

    def __init__(self, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.lang = lang
        self.setObjectName("guideWindow")
        self.setWindowTitle(self.tr("ESCA Assessor guide"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search the guide (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Search the guide"))
        self.search.setClearButtonEnabled(True)
        self.search.returnPressed.connect(lambda: self.find_text(self.search.text()))
        self.search.textEdited.connect(self._search_as_typed)
        self.search_state = QLabel()
        role(self.search_state, "mutedLabel")
        self.browser = QTextBrowser()
        self.browser.setAccessibleName(self.tr("Guide"))
        self.browser.setOpenLinks(False)  # links to sections are followed here, others by the system
        self.browser.anchorClicked.connect(self.follow_link)
        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.search_state)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.browser, 1)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.focus_search)
        previous = QShortcut(
            QKeySequence("Shift+Return"), self.search, lambda: self.find_text(self.search.text(), True)
        )
        previous.setContext(Qt.ShortcutContext.WidgetShortcut)
        QShortcut(QKeySequence(QKeySequence.StandardKey.FindNext), self, lambda: self.find_text(self.search.text()))
        QShortcut(QKeySequence("Escape"), self, self.close)
        self.load(lang)
        metrics = self.fontMetrics()
        wanted = QSize(metrics.horizontalAdvance("M") * 56, metrics.height() * 40)
        screen = self.screen() or QGuiApplication.primaryScreen()
        self.resize(wanted.boundedTo(screen.availableGeometry().size() - QSize(40, 60)))  # a netbook's too

    # --- content --------------------------------------------------------------------------------

    def load(self, lang: str) -> None:
        self.lang = lang
        self.browser.setMarkdown(guide_path(lang).read_text(encoding="utf-8"))
        self._anchor_headings()

    def _anchor_headings(self) -> None:
        block = self.browser.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0:
                cursor = QTextCursor(block)
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
                anchor = QTextCharFormat()
                anchor.setAnchor(True)
                anchor.setAnchorNames([heading_anchor(block.text())])
                cursor.mergeCharFormat(anchor)
            block = block.next()

    def headings(self) -> list[str]:
        """The section titles, in order."""
        found = []
        block = self.browser.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0:
                found.append(block.text())
            block = block.next()
        return found

    # --- links ----------------------------------------------------------------------------------

    def show_section(self, anchor: str) -> bool:
        """Scroll to the section with this anchor; False when the guide has none."""
        if anchor not in {heading_anchor(title) for title in self.headings()}:
            return False
        self.browser.scrollToAnchor(anchor)
        return True

    def follow_link(self, url: QUrl) -> None:
        if url.scheme() in ("", "file") and not url.path() and url.hasFragment():
            self.show_section(url.fragment())
        elif url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)

    # --- search ---------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def _search_as_typed(self, text: str) -> None:
        cursor = self.browser.textCursor()  # look again from where the last match began
        cursor.setPosition(cursor.selectionStart())
        self.browser.setTextCursor(cursor)
        self.find_text(text)

    def find_text(self, text: str, backward: bool = False) -> bool:
        """Select the next (or previous) match, going round the end; False when there is none."""
        if not text:
            self.search_state.clear()
            return False
        flags = QTextDocument.FindFlag.FindBackward if backward else QTextDocument.FindFlag(0)
        found = self.browser.find(text, flags)
        if not found:
            cursor = self.browser.textCursor()
            cursor.movePosition(QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start)
            self.browser.setTextCursor(cursor)
            found = self.browser.find(text, flags)
        self.search_state.setText("" if found else self.tr("Not found"))
        return found


def show_guide(parent: QWidget, lang: str) -> GuideWindow:
    """Show the guide window of `parent` (one per main window), creating it on first use."""
    window = parent.findChild(GuideWindow)
    if window is None:
        window = GuideWindow(lang, parent)
    elif window.lang != lang:
        window.load(lang)
    if window.isMinimized():
        window.showNormal()
    window.show()
    if QGuiApplication.platformName() != "offscreen":  # no stacking there, and Qt warns about it
        window.raise_()
    window.activateWindow()
    return window
