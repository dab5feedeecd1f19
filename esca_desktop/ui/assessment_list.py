"""The assessments list: a thin table model over `AssessmentSummary` rows, a word filter that ignores
case and diacritics ("lodz" finds "Łódź"), sorting. Its Sync column says where each assessment is on
its way to the secretariat and back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedLayout,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from esca_desktop.domain.search import fold, matches_all, search_words
from esca_desktop.ui.i18n import counted, moment_format_of
from esca_desktop.ui.style import role

if TYPE_CHECKING:
    from esca_desktop.domain.model import AssessmentSummary
    from esca_desktop.services.sync import AssessmentSync

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 3
STATUS_COLUMN = 3
SYNC_COLUMN = 4
# The order of the Sync column when sorted: what needs attention first, then along the way.
_SYNC_RANK = {"failed": 0, "returned": 1, "queued": 2, "sending": 2, "sent": 3, "approved": 4}

_Index = QModelIndex | QPersistentModelIndex


class AssessmentTableModel(QAbstractTableModel):
    """Rows are precomputed once per refresh, so that painting and filtering stay cheap."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AssessmentSummary] = []
        self._display: list[tuple[str, ...]] = []
        self._sort: list[tuple[Any, ...]] = []
        self._haystack: list[str] = []
        self._tips: list[str] = []
        self._lang = "en"
        self.headers = (
            self.tr("Organisation"),
            self.tr("Country"),
            self.tr("Scheme"),
            self.tr("Status"),
            self.tr("Sync"),
            self.tr("Progress"),
            self.tr("Score"),
            self.tr("Last change"),
        )

    def set_summaries(
        self, rows: list[AssessmentSummary], lang: str = "en", sync: Mapping[str, AssessmentSync] | None = None
    ) -> None:
        self.beginResetModel()
        self._lang = lang
        self._rows = rows
        self._display = []
        self._sort = []
        locale = QLocale()  # the UI language's (app.build_window sets it): 12,5 % and 03.12.2026 in German
        moment_format = moment_format_of(locale)
        self._tips = []
        sync = sync or {}
        for s in rows:
            state = sync.get(s.id)
            sync_text, sync_tip = self.sync_texts(state)
            self._tips.append(sync_tip)
            percent = None if s.score_points is None or not s.score_max else 100 * s.score_points / s.score_max
            score = "" if percent is None else f"{locale.toString(percent, 'f', 1)} %"
            if s.outcome_passed is True:
                score += "  ✓"
            progress = f"{s.progress_done} / {s.progress_total}"
            changed = s.updated_at.astimezone().strftime(moment_format)
            self._display.append(
                (
                    s.organisation,
                    s.country,
                    s.scheme.capitalize(),
                    self.tr("archived") if s.archived else s.status.label(lang),
                    sync_text,
                    progress,
                    score,
                    changed,
                )
            )
            fraction = s.progress_done / s.progress_total if s.progress_total else 0.0
            self._sort.append(
                (
                    s.organisation.casefold(),
                    s.country,
                    s.scheme,
                    s.status.value,
                    (_SYNC_RANK.get(state.state, 5), -(state.at.timestamp() if state.at else 0.0))
                    if state
                    else (6, 0.0),
                    fraction,
                    -1.0 if percent is None else percent,
                    s.updated_at.timestamp(),
                )
            )
        self._haystack = [fold(" ".join(row)) + " " + s.id for row, s in zip(self._display, rows, strict=True)]
        self.endResetModel()

    def sync_texts(self, state: AssessmentSync | None) -> tuple[str, str]:
        """The Sync column's text and its tooltip (what it means, and why a try failed)."""
        if state is None:
            return "", ""
        if state.state == "approved":
            return self.tr("approved ✓"), self.tr("The secretariat approved this assessment.")
        if state.state == "returned":
            text = (
                self.tr("returned · 1 comment")
                if state.comments == 1
                else self.tr("returned · %1 comments").replace("%1", str(state.comments))
            )
            return text, self.tr("The secretariat returned it; the reviewer's comments show on the indicators.")
        when = _when(state.at)
        if state.state == "sent":
            return (
                self.tr("sent %1").replace("%1", when),
                self.tr("Revision %1 was sent to the secretariat; its review comes with a later sync.").replace(
                    "%1", str(state.revision)
                ),
            )
        if state.state == "failed":
            return self.tr("⚠ failed"), self.tr("Not sent: %1").replace("%1", state.detail)
        tip = self.tr("Revision %1 waits in the outbox (since %2) and is sent with the next sync.")
        tip = tip.replace("%1", str(state.revision)).replace("%2", when)
        if state.detail:
            return self.tr("⚠ queued"), tip + "\n" + self.tr("The last try failed: %1").replace("%1", state.detail)
        return self.tr("queued"), tip

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = index.row(), index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display[row][column]
        if role == SORT_ROLE:
            return self._sort[row][column]
        if role == ID_ROLE:
            return self._rows[row].id
        if role == SUMMARY_ROLE:
            return self._rows[row]
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (5, 6):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and column == 0:
            return f"{self._rows[row].organisation}\n{self._rows[row].id}"
        if role == Qt.ItemDataRole.ToolTipRole and column == SYNC_COLUMN:
            return self._tips[row] or None
        if self._rows[row].archived:
            if role == Qt.ItemDataRole.ToolTipRole and column == STATUS_COLUMN:
                return self.tr("Archived (%1): read-only until unarchived").replace(
                    "%1", self._rows[row].status.label(self._lang)
                )
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setItalic(True)
                return font
            if role == Qt.ItemDataRole.ForegroundRole:
                return QPalette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows themselves on precomputed keys (much faster than a proxy asking `data()`)."""
        if not 0 <= column < len(self.headers) or not self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_rows = [index.row() for index in old]
        permutation = sorted(
            range(len(self._rows)), key=lambda n: self._sort[n][column], reverse=order == Qt.SortOrder.DescendingOrder
        )
        self._rows = [self._rows[n] for n in permutation]
        self._display = [self._display[n] for n in permutation]
        self._sort = [self._sort[n] for n in permutation]
        self._tips = [self._tips[n] for n in permutation]
        self._haystack = [self._haystack[n] for n in permutation]
        new_position = {old_row: new_row for new_row, old_row in enumerate(permutation)}
        self.changePersistentIndexList(
            old, [self.index(new_position[row], index.column()) for row, index in zip(old_rows, old, strict=True)]
        )
        self.layoutChanged.emit()

    def matches(self, row: int, words: list[str]) -> bool:
        """Whether every (folded) word occurs in the row."""
        return matches_all(words, self._haystack[row])

    def archived(self, row: int) -> bool:
        return self._rows[row].archived

    def archived_count(self) -> int:
        return sum(1 for s in self._rows if s.archived)

    def row_of(self, assessment_id: str) -> int:
        for n, summary in enumerate(self._rows):
            if summary.id == assessment_id:
                return n
        return -1


class AssessmentFilterProxy(QSortFilterProxyModel):
    """Every typed word must occur somewhere in the row (organisation, country, scheme, status…);
    archived assessments only when they are asked for."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self.show_archived = False
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is the source model's job; the proxy only filters and keeps the source order."""
        self._sort_column, self._sort_order = column, order
        model = self.sourceModel()
        if model is not None:
            model.sort(column, order)

    def resort(self) -> None:
        if self._sort_column >= 0:
            self.sort(self._sort_column, self._sort_order)

    def set_filter_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = search_words(text)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_show_archived(self, show: bool) -> None:
        self.beginFilterChange()
        self.show_archived = show
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, AssessmentTableModel)
        if not self.show_archived and model.archived(source_row):
            return False
        if not self._words:
            return True
        return model.matches(source_row, self._words)


class AssessmentListPage(QWidget):
    open_requested = Signal(str)
    new_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AssessmentTableModel(self)
        self.proxy = AssessmentFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(self.tr("Filter by organisation, country, scheme or status"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(self.tr("Filter assessments"))
        self.filter_edit.textChanged.connect(self.proxy.set_filter_text)
        self.count_label = QLabel()
        role(self.count_label, "mutedLabel")
        new_button = QPushButton(self.tr("New assessment…"))
        new_button.clicked.connect(self.new_requested)
        self.show_archived = QCheckBox(self.tr("Show archived"))
        self.show_archived.setToolTip(self.tr("List the archived assessments too (read-only until unarchived)"))
        self.show_archived.toggled.connect(self._show_archived_toggled)

        top = QHBoxLayout()
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.show_archived)
        top.addWidget(self.count_label)
        top.addWidget(new_button)

        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(7, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 12)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Fixed widths from the font: measuring 10,000 rows to fit columns would take a second.
        metrics = self.fontMetrics()
        samples = (
            "Country",
            "Bronze",
            "in progress",
            "returned · 2 comments",
            "Progress",
            "100.0 %  ✓",
            "2026-11-26 20:08",
        )
        for column, sample in enumerate(samples, start=1):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + 28)
        header.setHighlightSections(False)
        self.table.setAccessibleName(self.tr("Assessments"))
        self.table.doubleClicked.connect(self._open_index)
        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            shortcut = QShortcut(QKeySequence(key), self.table)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.open_current)

        self.empty_label = QLabel(
            self.tr(
                "<h3>No assessments yet</h3><p>Create one with <b>New assessment…</b> (Ctrl+N), "
                "or load the samples with <b>Help → Load sample assessments</b>.</p>"
            )
        )
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.stack = QStackedLayout()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(self.stack, 1)
        self.setFocusProxy(self.filter_edit)
        self.filter_edit.returnPressed.connect(self._focus_table)
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.rowsRemoved.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.proxy.layoutChanged.connect(self._update_count)

    def set_summaries(
        self, rows: list[AssessmentSummary], lang: str = "en", sync: Mapping[str, AssessmentSync] | None = None
    ) -> None:
        selected = self.current_id()
        self.model.set_summaries(rows, lang, sync)
        self.proxy.resort()
        self.stack.setCurrentWidget(self.table if rows else self.empty_label)
        if selected:
            self.select(selected)
        if not self.table.currentIndex().isValid() and self.proxy.rowCount():
            self.table.selectRow(0)  # also when the selected one was archived or deleted
        self._update_count()

    def _show_archived_toggled(self, show: bool) -> None:
        self.proxy.set_show_archived(show)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if not self.proxy.show_archived:
            total -= self.model.archived_count()
        self.count_label.setText(
            self.tr("%1 of %2").replace("%1", str(shown)).replace("%2", str(total))
            if shown != total
            else counted(total, self.tr("%1 assessment"), self.tr("%1 assessments"))
        )

    def current_id(self) -> str | None:
        index = self.table.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def current_summary(self) -> AssessmentSummary | None:
        index = self.table.currentIndex()
        return index.data(SUMMARY_ROLE) if index.isValid() else None

    def select(self, assessment_id: str) -> None:
        row = self.model.row_of(assessment_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)

    def open_current(self) -> None:
        assessment_id = self.current_id()
        if assessment_id:
            self.open_requested.emit(assessment_id)

    def _open_index(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(index.data(ID_ROLE))

    def _focus_table(self) -> None:
        if self.proxy.rowCount():
            if not self.table.currentIndex().isValid():
                self.table.selectRow(0)
            self.table.setFocus()


def _when(at: dt.datetime | None) -> str:
    """A time of today as 14:02, of another day as its date."""
    if at is None:
        return ""
    local = at.astimezone()
    return (
        local.strftime("%H:%M") if local.date() == dt.datetime.now().astimezone().date() else local.strftime("%Y-%m-%d")
    )
