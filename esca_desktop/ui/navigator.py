"""The navigator: areas → indicators with status icons and per-area counts, filtered by a search field.

The search ignores case and diacritics ("uberprufung" finds "Überprüfung") and is not sticky: it
clears when an indicator is chosen, on Escape, and when the tree is rebuilt for another assessment
or language, so that the tree always shows where Previous and Next lead."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from esca_desktop.domain.search import fold, matches_all, search_words
from esca_desktop.forms.results import ResultStatus
from esca_desktop.forms.session import FormSession
from esca_desktop.ui.icons import status_icon

INDICATOR_ROLE = Qt.ItemDataRole.UserRole + 1
AREA_ROLE = Qt.ItemDataRole.UserRole + 2
OPEN_COMMENT_BRUSH = QBrush(QColor(224, 160, 0, 70))  # the banner's amber: a reviewer's comment to answer


class Navigator(QWidget):
    jump_requested = Signal(str)  # indicator id

    def __init__(self, session: FormSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Find indicator (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Find indicator by number or title"))
        self.search.textChanged.connect(self.apply_filter)
        self.search.returnPressed.connect(self._jump_to_first_match)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)
        escape.activated.connect(self._escape)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setAccessibleName(self.tr("Indicators"))
        self.tree.setIndentation(14)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        self._items: dict[str, QTreeWidgetItem] = {}
        self._areas: dict[str, QTreeWidgetItem] = {}
        self._comments: dict[str, bool] = {}  # indicator id → the reviewer's comment on it is resolved
        self._haystacks: dict[str, str] = {}  # indicator id -> folded number and titles
        self.rebuild()

    def rebuild(self) -> None:
        lang = self.session.lang
        self.search.clear()
        self.tree.clear()
        self._items.clear()
        self._areas.clear()
        self._haystacks.clear()
        for area in self.session.catalog.areas:
            area_item = QTreeWidgetItem([area.title.get(lang)])
            area_item.setData(0, AREA_ROLE, area.id)
            area_item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = area_item.font(0)
            font.setBold(True)
            area_item.setFont(0, font)
            self.tree.addTopLevelItem(area_item)
            self._areas[area.id] = area_item
            for indicator in area.indicators:
                item = QTreeWidgetItem([f"{indicator.id}  {indicator.title.get(lang)}"])
                item.setData(0, INDICATOR_ROLE, indicator.id)
                item.setToolTip(0, indicator.title.get(lang))
                area_item.addChild(item)
                self._items[indicator.id] = item
                self._haystacks[indicator.id] = fold(
                    f"{indicator.id} {indicator.title.get(lang)} {indicator.title.get('en')}"
                )
        self.tree.expandAll()
        self.refresh()

    def refresh(self, indicator_ids: frozenset[str] | set[str] | None = None) -> None:
        session = self.session
        ids = self._items.keys() if indicator_ids is None else indicator_ids
        for indicator_id in ids:
            item = self._items.get(indicator_id)
            if item is None:
                continue
            result = session.result(indicator_id)
            problems = bool(session.indicator_problems(indicator_id))
            follow_up = session.state(indicator_id).follow_up
            comment = self.review_marker(indicator_id)
            item.setIcon(0, status_icon(result.status, problems, follow_up, comment))
            flags = [result.status.label(session.lang)]
            if problems:
                flags.append(self.tr("has a problem"))
            if follow_up:
                flags.append(self.tr("follow-up"))
            if comment == "open":
                flags.append(self.tr("reviewer's comment to answer"))
            elif comment == "resolved":
                flags.append(self.tr("reviewer's comment resolved"))
            item.setData(0, Qt.ItemDataRole.AccessibleDescriptionRole, ", ".join(flags))
            item.setBackground(0, OPEN_COMMENT_BRUSH if comment == "open" else QBrush())
            title = session.catalog.indicator_by_id[indicator_id].title.get(session.lang)
            item.setToolTip(0, f"{title}\n{flags[-1]}" if comment else title)
        self._refresh_counts()

    def set_review_comments(self, resolved: dict[str, bool]) -> None:
        """Mark the indicators the reviewer commented on (value: whether the comment is resolved)."""
        changed = set(self._comments) | set(resolved)
        self._comments = dict(resolved)
        self.refresh(changed)

    def review_marker(self, indicator_id: str) -> str:
        """ "open", "resolved" or "" (no reviewer's comment on the indicator)."""
        resolved = self._comments.get(indicator_id)
        return "" if resolved is None else "resolved" if resolved else "open"

    def _refresh_counts(self) -> None:
        lang = self.session.lang
        for area in self.session.catalog.areas:
            done = total = 0
            for indicator in area.indicators:
                status = self.session.result(indicator.id).status
                if status is ResultStatus.NOT_APPLICABLE:
                    continue
                total += 1
                done += status is not ResultStatus.OPEN
            self._areas[area.id].setText(0, f"{area.title.get(lang)}  ({done}/{total})")

    def select(self, indicator_id: str | None) -> None:
        if indicator_id is None:
            self.tree.clearSelection()
            return
        item = self._items.get(indicator_id)
        if item is not None:
            self.tree.setCurrentItem(item)
            self.tree.scrollToItem(item)

    def apply_filter(self, text: str) -> None:
        words = search_words(text)
        for area in self.session.catalog.areas:
            visible_children = 0
            for indicator in area.indicators:
                match = matches_all(words, self._haystacks.get(indicator.id, ""))
                self._items[indicator.id].setHidden(not match)
                visible_children += match
            self._areas[area.id].setHidden(visible_children == 0)

    def first_match(self) -> str | None:
        for indicator_id, item in self._items.items():
            if not item.isHidden():
                return indicator_id
        return None

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def clear_filter(self) -> None:
        """Show every indicator again, keeping the current one in view."""
        if self.search.text():
            self.search.clear()
        current = self.tree.currentItem()
        if current is not None and current.isSelected():
            self.tree.scrollToItem(current)

    def _escape(self) -> None:
        if self.search.text():
            self.clear_filter()
        else:
            self.tree.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _choose(self, indicator_id: str) -> None:
        self.jump_requested.emit(indicator_id)
        self.clear_filter()

    def _jump_to_first_match(self) -> None:
        indicator_id = self.first_match()
        if indicator_id:
            self._choose(indicator_id)

    def _activated(self, item: QTreeWidgetItem) -> None:
        indicator_id = item.data(0, INDICATOR_ROLE)
        if indicator_id:
            self._choose(indicator_id)
