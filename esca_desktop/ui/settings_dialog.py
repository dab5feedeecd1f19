"""Settings: the assessor profile (stored with the data), the UI language and the data folder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from esca_desktop.domain.model import AssessorProfile
from esca_desktop.settings import Settings
from esca_desktop.ui.style import role

if TYPE_CHECKING:
    from esca_desktop.context import AppContext


class SettingsDialog(QDialog):
    def __init__(self, context: AppContext, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.settings = settings
        self.restart_needed = False
        self.setWindowTitle(self.tr("Settings"))
        profile = context.repository.profile() or AssessorProfile(context.assessor_name() or "")

        profile_box = QGroupBox(self.tr("Assessor profile"))
        profile_form = QFormLayout(profile_box)
        self.name = QLineEdit(profile.name)
        self.email = QLineEdit(profile.email)
        self.expert_id = QLineEdit(profile.expert_id)
        self.expert_id.setPlaceholderText(self.tr("ESCA expert number"))
        for label, widget in (
            (self.tr("&Name"), self.name),
            (self.tr("&E-mail"), self.email),
            (self.tr("E&xpert id"), self.expert_id),
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            widget.setAccessibleName(label.replace("&", ""))
            profile_form.addRow(caption, widget)
        self.name_error = QLabel()
        role(self.name_error, "fieldError")
        self.name_error.setVisible(False)
        profile_form.addRow("", self.name_error)

        program_box = QGroupBox(self.tr("Program"))
        program_form = QFormLayout(program_box)
        self.language = QComboBox()
        self.language.addItem(self.tr("As the system"), "system")
        self.language.addItem("English", "en")
        self.language.addItem("Deutsch", "de")
        self.language.setCurrentIndex(max(0, self.language.findData(settings.ui_language)))
        self.language.setAccessibleName(self.tr("Language of the program"))
        self.data_dir = QLineEdit(settings.data_dir)
        self.data_dir.setPlaceholderText(str(context.data_dir))
        self.data_dir.setAccessibleName(self.tr("Data folder"))
        browse = QPushButton(self.tr("Choose…"))
        browse.clicked.connect(self._browse)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.data_dir, 1)
        folder_row.addWidget(browse)
        program_form.addRow(self.tr("&Language"), self.language)
        folder_caption = QLabel(self.tr("&Data folder"))
        folder_caption.setBuddy(self.data_dir)  # a row of a layout gets no buddy: without one "&" shows as text
        program_form.addRow(folder_caption, folder_row)
        note = QLabel(self.tr("Language and data folder apply after a restart."))
        role(note, "mutedLabel")
        program_form.addRow("", note)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(profile_box)
        layout.addWidget(program_box)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Data folder"), self.data_dir.text() or str(self.context.data_dir)
        )
        if folder:
            self.data_dir.setText(folder)

    def accept(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.name_error.setText(self.tr("The name is required: it is recorded with every change"))
            self.name_error.setVisible(True)
            return
        self.context.repository.save_profile(
            AssessorProfile(name, self.email.text().strip(), self.expert_id.text().strip())
        )
        self.context.set_actor(name)
        language = str(self.language.currentData())
        folder = self.data_dir.text().strip()
        self.restart_needed = language != self.settings.ui_language or folder != self.settings.data_dir
        self.settings.ui_language = language
        self.settings.data_dir = folder
        super().accept()
