"""The "Assessment details" dialog: the New-assessment dialog's fields and checks, filled with an open
assessment's organisation, interview dates, place and assessors, saving the corrections (audited; drawn
signatures are removed, since the details are part of what they sign). Scheme and language stay."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from esca_desktop.domain.model import AssessmentDetails
from esca_desktop.errors import UserError
from esca_desktop.ui.new_assessment import NewAssessmentDialog

if TYPE_CHECKING:
    from esca_desktop.services.assessments import Interview


class AssessmentDetailsDialog(NewAssessmentDialog):
    def __init__(self, interview: Interview, lang: str, parent: QWidget | None = None) -> None:
        super().__init__(interview.service, ", ".join(interview.assessment.assessors), lang, parent)
        self.interview = interview
        self.changed: list[str] = []  # what the save changed ("organisation.name", "place", …)
        self.setWindowTitle(self.tr("Assessment details"))
        for key in ("catalog", "interview_lang"):  # bound for the life of the assessment
            self.form.setRowVisible(self.cells[key], False)
        self.open_after.setVisible(False)
        save = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert save is not None
        save.setText(self.tr("Save"))

        a = interview.assessment
        org = a.organisation
        self.name.setText(org.name)
        self.country.setCurrentIndex(self.country.findData(org.country))
        self.region.setText(org.region)
        self.legal_form.setText(org.legal_form)
        self.sector.setCurrentIndex(max(0, self.sector.findData(org.sector)))
        self.website.setText(org.website)
        self.contact.setText(org.contact)
        self.place.setText(a.place)
        if a.interview_start:
            self.start.setDate(QDate(a.interview_start.year, a.interview_start.month, a.interview_start.day))
        end = a.interview_end or a.interview_start
        if end:
            self.end.setDate(QDate(end.year, end.month, end.day))
        # Without stored dates the fields show today's: they are saved only when the assessor sets them.
        self._dates_set = a.interview_start is not None or a.interview_end is not None
        self.start.dateChanged.connect(self._dates_edited)
        self.end.dateChanged.connect(self._dates_edited)
        self.validate()
        self.resize(self.width(), self.sizeHint().height())  # without the room of the hidden rows
        self.name.setFocus()

    def _dates_edited(self) -> None:
        self._dates_set = True

    def details(self) -> AssessmentDetails:
        request = self.request()
        a = self.interview.assessment
        start, end = (
            (request.interview_start, request.interview_end)
            if self._dates_set
            else (
                a.interview_start,
                a.interview_end,
            )
        )
        return AssessmentDetails(request.organisation, request.assessors, start, end, request.place)

    def accept(self) -> None:
        if not self.validate():
            return
        try:
            self.changed, _ = self.interview.edit_details(self.details())
        except UserError as exc:
            self.general_error.setText(str(exc))
            self.general_error.setVisible(True)
            return
        QDialog.accept(self)
