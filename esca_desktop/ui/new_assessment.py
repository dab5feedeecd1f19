"""The "New assessment" dialog: organisation, scheme, interview dates and assessors, checked as typed.

The line under each checked field is reserved whether or not it shows a message, so that a message
appearing while typing never moves the fields below it (a click or a typed key lands where aimed)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from esca_desktop.domain.countries import COUNTRIES, find_country
from esca_desktop.domain.model import Organisation
from esca_desktop.domain.sectors import SECTORS, sector_label
from esca_desktop.errors import UserError
from esca_desktop.ui.style import role

CHECKED_FIELDS = ("name", "country", "website", "dates")  # the ones `validate` can show a message for

if TYPE_CHECKING:
    from esca_desktop.forms.registry import CatalogEntry
    from esca_desktop.services.assessments import AssessmentService, NewAssessment


def _date(edit: QDateEdit) -> dt.date:
    value = edit.date()
    return dt.date(value.year(), value.month(), value.day())


class NewAssessmentDialog(QDialog):
    def __init__(
        self, service: AssessmentService, default_assessor: str, lang: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.lang = lang
        self.created_id: str | None = None
        self.setWindowTitle(self.tr("New assessment"))

        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Cluster Nordwest e.V."))
        self.country = QComboBox()
        self.country.setEditable(True)
        self.country.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for country in sorted(COUNTRIES, key=lambda c: c.name(lang)):
            self.country.addItem(f"{country.name(lang)} ({country.alpha2})", country.alpha2)
        completer = self.country.completer()
        assert completer is not None
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.country.setCurrentIndex(-1)
        self.country.setEditText("")
        self.region = QLineEdit()
        self.legal_form = QLineEdit()
        self.sector = QComboBox()
        self.sector.addItem(self.tr("— choose —"), "")
        for sector_id in SECTORS:
            self.sector.addItem(sector_label(sector_id, lang), sector_id)
        self.website = QLineEdit()
        self.website.setPlaceholderText("https://")
        self.contact = QLineEdit()
        self.contact.setPlaceholderText(self.tr("Cluster manager, e-mail"))

        self.catalog = QComboBox()
        entries: list[CatalogEntry] = service.context.catalogs.entries()
        for entry in reversed(entries):
            catalog = entry.catalog
            text = f"{catalog.title.get(lang)} — {catalog.version}"
            if catalog.provisional:
                text += "  " + self.tr("(provisional criteria)")
            self.catalog.addItem(text, catalog.ref)
        # The longest scheme title must not set the dialog's width (it opens on small screens too).
        self.catalog.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.catalog.setMinimumContentsLength(30)
        self.catalog.setToolTip(self.catalog.currentText())
        self.catalog.currentTextChanged.connect(self.catalog.setToolTip)
        self.start = QDateEdit(QDate.currentDate())
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd")
        self.end = QDateEdit(QDate.currentDate())
        self.end.setCalendarPopup(True)
        self.end.setDisplayFormat("yyyy-MM-dd")
        self.place = QLineEdit()
        self.assessors = QLineEdit(default_assessor)
        self.assessors.setPlaceholderText(self.tr("Names, separated by commas"))
        self.interview_lang = QComboBox()
        self.interview_lang.addItem("English", "en")
        self.interview_lang.addItem("Deutsch", "de")
        self.interview_lang.setCurrentIndex(max(0, self.interview_lang.findData(lang)))
        self.open_after = QCheckBox(self.tr("Open the interview now"))
        self.open_after.setChecked(True)

        self.errors: dict[str, QLabel] = {}
        self.cells: dict[str, QWidget] = {}  # the field cell of each row (the details dialog hides some)
        form = QFormLayout()
        self.form = form
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        def row(key: str, label: str, widget: QWidget) -> None:
            cell = QWidget()
            layout = QVBoxLayout(cell)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.setSpacing(2)
            layout.addWidget(widget)
            error = QLabel()
            role(error, "fieldError")
            if key in CHECKED_FIELDS:
                error.setMinimumHeight(error.fontMetrics().height())
                policy = error.sizePolicy()
                policy.setRetainSizeWhenHidden(True)
                error.setSizePolicy(policy)
            error.setVisible(False)
            layout.addWidget(error)
            self.errors[key] = error
            self.cells[key] = cell
            caption = QLabel(label)
            caption.setBuddy(widget)
            widget.setAccessibleName(label.replace("&", "").rstrip(" *"))
            form.addRow(caption, cell)

        row("name", self.tr("&Organisation *"), self.name)
        row("country", self.tr("&Country *"), self.country)
        row("region", self.tr("&Region"), self.region)
        row("legal_form", self.tr("&Legal form"), self.legal_form)
        row("sector", self.tr("&Sector portfolio"), self.sector)
        row("website", self.tr("&Website"), self.website)
        row("contact", self.tr("Con&tact"), self.contact)
        row("catalog", self.tr("Sc&heme *"), self.catalog)
        dates = QWidget()
        dates_layout = QHBoxLayout(dates)
        dates_layout.setContentsMargins(0, 0, 0, 0)
        dates_layout.addWidget(self.start)
        dates_layout.addWidget(QLabel("–"))
        dates_layout.addWidget(self.end)
        dates_layout.addStretch(1)
        dates.setFocusProxy(self.start)
        row("dates", self.tr("Interview &dates"), dates)
        row("place", self.tr("&Place"), self.place)
        row("assessors", self.tr("&Assessors"), self.assessors)
        row("interview_lang", self.tr("Interview lan&guage"), self.interview_lang)

        self.general_error = QLabel()
        role(self.general_error, "fieldError")
        self.general_error.setWordWrap(True)
        self.general_error.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.setText(self.tr("Create"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.open_after)
        layout.addWidget(self.buttons)
        for signal in (
            self.name.textChanged,
            self.country.editTextChanged,
            self.website.textChanged,
            self.start.dateChanged,
            self.end.dateChanged,
        ):
            signal.connect(self.validate)
        self.validate()
        self.resize(self.fontMetrics().horizontalAdvance("M") * 62, self.sizeHint().height())

    def _set_error(self, key: str, message: str) -> None:
        label = self.errors[key]
        label.setText(message)
        label.setVisible(bool(message))

    def country_code(self) -> str | None:
        data = self.country.currentData()
        text = self.country.currentText().strip()
        if data and self.country.itemText(self.country.currentIndex()) == text:
            return str(data)
        if text.endswith(")") and "(" in text:
            text = text[text.rindex("(") + 1 : -1]
        found = find_country(text)
        return found.alpha2 if found else None

    def validate(self) -> bool:
        ok = True
        name = self.name.text().strip()
        self._set_error("name", "" if name or not self.name.isModified() else self.tr("The name is required"))
        ok &= bool(name)
        country_text = self.country.currentText().strip()
        code = self.country_code()
        self._set_error(
            "country", "" if code or not country_text else self.tr("Not a country: choose one from the list")
        )
        ok &= code is not None
        website = self.website.text().strip()
        bad_site = bool(website) and (" " in website or "." not in website)
        self._set_error("website", self.tr("Not a web address") if bad_site else "")
        ok &= not bad_site
        bad_dates = self.end.date() < self.start.date()
        self._set_error("dates", self.tr("The last day is before the first day") if bad_dates else "")
        ok &= not bad_dates
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert button is not None
        button.setEnabled(ok)
        return ok

    def request(self) -> NewAssessment:
        from esca_desktop.services.assessments import NewAssessment

        return NewAssessment(
            catalog_ref=str(self.catalog.currentData()),
            organisation=Organisation(
                self.name.text(),
                self.country_code() or self.country.currentText(),
                self.region.text(),
                self.legal_form.text(),
                str(self.sector.currentData() or ""),
                self.website.text(),
                self.contact.text(),
            ),
            assessors=tuple(a.strip() for a in self.assessors.text().split(",") if a.strip()),
            interview_start=_date(self.start),
            interview_end=_date(self.end),
            place=self.place.text(),
            interview_lang=str(self.interview_lang.currentData()),
        )

    def accept(self) -> None:
        if not self.validate():
            return
        try:
            self.created_id, _ = self.service.create(self.request())
        except UserError as exc:
            self.general_error.setText(str(exc))
            self.general_error.setVisible(True)
            return
        super().accept()
