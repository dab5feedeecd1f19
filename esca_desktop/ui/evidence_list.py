"""The list of evidence files on an indicator page, with the keys that act on the current one."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QListWidget

from esca_desktop.domain.model import EvidenceItem

EVIDENCE_ROLE = Qt.ItemDataRole.UserRole + 1


class EvidenceList(QListWidget):
    """The evidence files of a page: Delete removes the current one, F2 renames it (both ask first)."""

    remove_requested = Signal(object)  # EvidenceItem
    rename_requested = Signal(object)

    def current_evidence(self) -> EvidenceItem | None:
        item = self.currentItem()
        evidence = item.data(EVIDENCE_ROLE) if item is not None else None
        return evidence if isinstance(evidence, EvidenceItem) else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        evidence = self.current_evidence()
        if evidence is not None and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.remove_requested.emit(evidence)
                return
            if event.key() == Qt.Key.Key_F2:
                self.rename_requested.emit(evidence)
                return
        super().keyPressEvent(event)
