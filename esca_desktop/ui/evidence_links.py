"""Choosing the indicators an evidence item belongs to: every indicator of the catalog as a check box,
with a filter, and "the whole assessment" when none is ticked."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from esca_desktop.domain.model import EvidenceItem
from esca_desktop.forms.session import FormSession
from esca_desktop.ui.style import role

INDICATOR_ROLE = Qt.ItemDataRole.UserRole + 1


class EvidenceLinkDialog(QDialog):
    def __init__(self, session: FormSession, item: EvidenceItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Link evidence to indicators"))
        lang = session.lang
        intro = QLabel(
            self.tr("Tick the indicators “%1” is evidence for.").replace("%1", item.description or item.file_name)
        )
        intro.setWordWrap(True)
        hint = QLabel(self.tr("With none ticked, it belongs to the whole assessment and shows on every page."))
        role(hint, "mutedLabel")
        hint.setWordWrap(True)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(self.tr("Filter by number or title"))
        self.filter.setAccessibleName(self.tr("Filter indicators"))
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.indicators = QListWidget()
        self.indicators.setAccessibleName(self.tr("Indicators"))
        for indicator in session.catalog.indicators:
            entry = QListWidgetItem(f"{indicator.id}  {indicator.title.get(lang)}")
            entry.setData(INDICATOR_ROLE, indicator.id)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            entry.setCheckState(Qt.CheckState.Checked if indicator.id in item.indicators else Qt.CheckState.Unchecked)
            self.indicators.addItem(entry)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(hint)
        layout.addWidget(self.filter)
        layout.addWidget(self.indicators, 1)
        layout.addWidget(buttons)
        width = self.fontMetrics().horizontalAdvance("M") * 50
        self.resize(width, int(width * 1.1))

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for row in range(self.indicators.count()):
            entry = self.indicators.item(row)
            entry.setHidden(bool(needle) and needle not in entry.text().casefold())

    def set_checked(self, indicator_id: str, checked: bool) -> None:
        for row in range(self.indicators.count()):
            entry = self.indicators.item(row)
            if entry.data(INDICATOR_ROLE) == indicator_id:
                entry.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def selected(self) -> list[str]:
        """The ticked indicators, in catalog order."""
        return [
            str(entry.data(INDICATOR_ROLE))
            for entry in (self.indicators.item(row) for row in range(self.indicators.count()))
            if entry.checkState() == Qt.CheckState.Checked
        ]
