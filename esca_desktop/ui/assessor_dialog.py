"""First start: ask the assessor's name (and e-mail), which every change records and reports print.

Shown when the data folder has no assessor profile and no signing identity to take the name from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from esca_desktop.domain.model import AssessorProfile
from esca_desktop.ui.style import role

if TYPE_CHECKING:
    from esca_desktop.context import AppContext


class AssessorDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(self.tr("Welcome to ESCA Assessor"))
        intro = QLabel(
            self.tr(
                "Your name is recorded with every change you make and printed in protocols and reports. "
                "You can change it later under File → Settings."
            )
        )
        intro.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("First name and surname"))
        self.email = QLineEdit()
        self.email.setPlaceholderText(self.tr("optional"))
        form = QFormLayout()
        for label, widget in ((self.tr("&Your name"), self.name), (self.tr("&E-mail"), self.email)):
            caption = QLabel(label)
            caption.setBuddy(widget)
            widget.setAccessibleName(label.replace("&", ""))
            form.addRow(caption, widget)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Later"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        note = QLabel(self.tr("Until a name is given, changes cannot be recorded."))
        role(note, "mutedLabel")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.name.textChanged.connect(self._update)
        self._update()
        self.resize(self.fontMetrics().horizontalAdvance("M") * 34, self.sizeHint().height())

    def _update(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.name.text().strip()))

    def accept(self) -> None:
        name = self.name.text().strip()
        if not name:
            return
        self.context.repository.save_profile(AssessorProfile(name, self.email.text().strip()))
        self.context.set_actor(name)
        super().accept()
