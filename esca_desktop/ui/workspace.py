"""The interview workspace: navigator, one indicator page (or the summary), previous/next, and the
autosave that stores every edit within 300 ms and at once on page change, focus change and close.

The command line may change the same data folder while the window is open. The workspace looks
every few seconds (and when the window is activated, and when an edit is refused for it) and then
shows what is stored, on the same page, keeping what the assessor typed and had not saved yet."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, QStandardPaths, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImageReader
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from esca_desktop.domain.countries import find_country
from esca_desktop.domain.model import Changes, EvidenceItem
from esca_desktop.domain.photos import PHOTO_SUFFIXES
from esca_desktop.errors import NotFoundError, UserError
from esca_desktop.forms.results import NavEvent, NavEventKind, Problem, ProblemKind, ResultStatus
from esca_desktop.paths import thumbnails_dir
from esca_desktop.services.assessments import AssessmentChangedError
from esca_desktop.services.visit import Visit
from esca_desktop.settings import Settings, save_settings
from esca_desktop.ui.elided_label import ElidedLabel
from esca_desktop.ui.evidence_links import EvidenceLinkDialog
from esca_desktop.ui.i18n import counted
from esca_desktop.ui.indicator_page import IndicatorPage
from esca_desktop.ui.navigator import Navigator
from esca_desktop.ui.photos import ThumbnailCache
from esca_desktop.ui.review_comment import ReviewBanner
from esca_desktop.ui.style import role
from esca_desktop.ui.summary_page import SummaryPage
from esca_desktop.ui.visit_page import VisitPage
from esca_desktop.ui.visit_timer import AreaTimer, VisitBar

if TYPE_CHECKING:
    from esca_desktop.services.assessments import Interview

AUTOSAVE_DELAY_MS = 300
OUTSIDE_CHECK_MS = 3000  # how often to look whether another program changed the assessment


class InterviewWorkspace(QWidget):
    save_state_changed = Signal(str, str)  # state ("saving", "saved", "error"), message
    assessment_changed = Signal(str)  # an assessment's list row changed
    close_requested = Signal()
    details_requested = Signal()  # the assessor wants to correct the organisation, dates, place, assessors
    stored_shown = Signal()  # the assessment was read again from the store (another program changed it)

    def __init__(self, interview: Interview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.interview = interview
        self.session = interview.session
        self.read_only = not interview.editable
        self._pending: dict[str, object] = {}
        self._pending_note: tuple[str, str] | None = None
        self._pending_finding: tuple[str, str] | None = None  # indicator id, finding for the report
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        # The position is remembered half a second after the last page change (not on every page of a
        # fast walk through the form); closing and flushing write it at once.
        self._position_timer = QTimer(self)
        self._position_timer.setSingleShot(True)
        self._position_timer.setInterval(500)
        self._position_timer.timeout.connect(self._remember_position)
        self._outside_timer = QTimer(self)
        self._outside_timer.setInterval(OUTSIDE_CHECK_MS)
        self._outside_timer.timeout.connect(self.check_outside_change)
        self._showing_stored = False
        self._evidence: list[EvidenceItem] = interview.evidence()
        self.thumbnails = ThumbnailCache(thumbnails_dir(interview.context.data_dir), interview.evidence_path, self)
        self.settings: Settings | None = None  # the window's, to remember the photo folder
        self.page: IndicatorPage | None = None

        assessment = interview.assessment
        org = assessment.organisation
        title = ElidedLabel(org.name)  # long names are cut with "…", whole in the tooltip
        role(title, "workspaceTitle")
        self.title = title
        details = ElidedLabel(self._details_text())
        role(details, "mutedLabel")
        self.details = details
        self.language = QComboBox()
        self.language.addItem("English", "en")
        self.language.addItem("Deutsch", "de")
        self.language.setCurrentIndex(max(0, self.language.findData(self.session.lang)))
        self.language.setToolTip(self.tr("Language of the interview texts"))
        self.language.setAccessibleName(self.tr("Interview language"))
        self.language.currentIndexChanged.connect(lambda _i: self.set_interview_language(self.language.currentData()))
        back = QPushButton(self.tr("All assessments"))
        back.setToolTip(self.tr("Back to the list of assessments (Ctrl+W)"))
        back.clicked.connect(self.close_requested)
        header = QHBoxLayout()
        header.addWidget(back)
        header.addSpacing(12)
        header_text = QVBoxLayout()
        header_text.setSpacing(0)
        header_text.addWidget(title)
        header_text.addWidget(details)
        header.addLayout(header_text, 1)
        # the visit: agenda, attendance and quick notes (a page), the interview timer (the header)
        self.visit = Visit(interview)
        self.area_timer = AreaTimer(self.visit, interview.context.clock, interview.editable, self)
        self.area_of = {ind.id: area.id for area in interview.catalog.areas for ind in area.indicators}
        self.visit_bar = VisitBar(self.area_timer)
        self.visit_bar.quick_note_requested.connect(self.ask_quick_note)
        header.addWidget(self.visit_bar)
        self.details_button = QPushButton(self.tr("Details…"))
        self.details_button.setToolTip(self.tr("Correct the organisation, interview dates, place and assessors"))
        self.details_button.setEnabled(interview.editable)
        self.details_button.clicked.connect(self.details_requested)
        header.addWidget(self.details_button)
        language_label = QLabel(self.tr("Interview language"))
        language_label.setBuddy(self.language)
        header.addWidget(language_label)
        header.addWidget(self.language)

        self.navigator = Navigator(self.session)
        self.navigator.jump_requested.connect(self.jump_to)
        self.review_banner = ReviewBanner(self)
        self.review_banner.go_requested.connect(self.go_to_first_comment)
        self.stack = QStackedWidget()
        self.summary = SummaryPage(interview, self)
        self.summary.jump_requested.connect(self.jump_to)
        self.summary.changed.connect(self._after_summary_change)
        self.summary.changed_elsewhere.connect(self._refused)
        self.summary.save_state_changed.connect(self.save_state_changed)
        self.stack.addWidget(self.summary)
        self.visit_page = VisitPage(self.visit, interview.editable, self.area_timer.elapsed, self)
        self.visit_page.changed.connect(self._visit_changed)
        self.visit_page.sessions_changed.connect(self.visit_bar.set_sessions)
        self.area_timer.changed.connect(self.visit_page.refresh_times)
        self.stack.addWidget(self.visit_page)
        splitter = QSplitter()
        splitter.addWidget(self.navigator)
        splitter.addWidget(self.stack)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([self.fontMetrics().horizontalAdvance("M") * 30, 900])
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter

        self.previous_button = QPushButton(self.tr("◀  Previous"))
        self.previous_button.setToolTip(self.tr("Previous indicator (Ctrl+PgUp)"))
        self.previous_button.clicked.connect(self.step_previous)
        self.next_button = QPushButton(self.tr("Next  ▶"))
        self.next_button.setToolTip(self.tr("Next indicator (Ctrl+PgDown)"))
        self.next_button.clicked.connect(self.step_next)
        self.problem_button = QPushButton(self.tr("Next problem"))
        self.problem_button.setToolTip(self.tr("Go to the next indicator with a missing or invalid answer (F8)"))
        self.problem_button.clicked.connect(self.next_problem)
        self.summary_button = QPushButton(self.tr("Summary"))
        self.summary_button.setToolTip(self.tr("Scores, outcome, remaining problems and finalisation"))
        self.summary_button.clicked.connect(self.show_summary)
        self.visit_button = QPushButton(self.tr("Visit"))
        self.visit_button.setToolTip(self.tr("Agenda, attendance, quick notes and interview time"))
        self.visit_button.clicked.connect(self.show_visit)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setAccessibleName(self.tr("Progress"))
        bottom = QHBoxLayout()
        bottom.addWidget(self.previous_button)
        bottom.addWidget(self.next_button)
        bottom.addSpacing(12)
        bottom.addWidget(self.progress, 1)
        bottom.addSpacing(12)
        bottom.addWidget(self.problem_button)
        bottom.addWidget(self.visit_button)
        bottom.addWidget(self.summary_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self.review_banner)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.refresh_progress()
        self._refresh_review(banner=True)
        self.show_indicator(self.session.current.id)
        self._outside_timer.start()

    # --- header ---------------------------------------------------------------------------------

    def _details_text(self) -> str:
        a = self.interview.assessment
        country = find_country(a.organisation.country)
        lang = self.session.lang
        parts = [
            self.session.catalog.title.get(lang),
            country.name(lang) if country else a.organisation.country,
            a.status.label(lang) + (f" · {self.tr('revision')} {a.revision}" if a.revision > 1 else ""),
        ]
        if a.archived_at is not None:
            parts.append(self.tr("archived"))
        if self.read_only:
            parts.append(self.tr("read-only"))
        return "  ·  ".join(parts)

    def details_changed(self) -> None:
        """After the details were edited: the header, and the summary (drawn signatures were removed)."""
        org = self.interview.assessment.organisation
        self.title.setText(org.name)
        self.details.setText(self._details_text())
        self.summary.refresh()
        self.assessment_changed.emit(self.interview.id)

    def set_interview_language(self, lang: str) -> None:
        if lang == self.session.lang:
            return
        self.flush()
        self.session.lang = lang
        with QSignalBlocker(self.language):
            self.language.setCurrentIndex(max(0, self.language.findData(lang)))
        self.navigator.rebuild()
        self.details.setText(self._details_text())
        self.summary.refresh()
        if self.page is not None:
            self.show_indicator(self.page.indicator.id)

    # --- pages and navigation -------------------------------------------------------------------

    def current_indicator_id(self) -> str | None:
        return self.page.indicator.id if self.page is not None and self.stack.currentWidget() is self.page else None

    def show_indicator(self, indicator_id: str) -> None:
        self.flush()
        self.session.jump_to(indicator_id)
        indicator = self.session.catalog.indicator_by_id[indicator_id]
        page = IndicatorPage(
            self.session,
            indicator,
            self._evidence,
            self.read_only,
            self.interview.review_comment(indicator_id),
            self,
            thumbnails=self.thumbnails,
        )
        if page.review_box is not None:
            page.review_box.reply_changed.connect(self._reply_changed)
        page.answer_edited.connect(self._answer_edited)
        page.answer_committed.connect(self._answer_committed)
        page.note_edited.connect(self._note_edited)
        page.follow_up_toggled.connect(self._follow_up_toggled)
        page.override_requested.connect(self._override_requested)
        page.override_cleared.connect(self._override_cleared)
        page.finding_edited.connect(self._finding_edited)
        page.evidence_checked_toggled.connect(self._evidence_checked)
        page.attach_requested.connect(self.attach_evidence)
        page.files_dropped.connect(self._files_dropped)
        page.photo_attach_requested.connect(self.attach_photo)
        page.evidence_open_requested.connect(self._open_evidence)
        page.evidence_remove_requested.connect(self.remove_evidence)
        page.evidence_rename_requested.connect(self.rename_evidence)
        page.evidence_relink_requested.connect(self.relink_evidence)
        old = self.page
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self.page = page
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()
        self.navigator.select(indicator_id)
        self.area_timer.set_area(self.area_of.get(indicator_id))
        self._update_buttons()
        if not self.read_only:
            self._position_timer.start()

    def show_summary(self) -> None:
        self.flush()
        self.summary.refresh()
        self.stack.setCurrentWidget(self.summary)
        self.navigator.select(None)
        self.area_timer.set_area(None)
        self._update_buttons()

    def show_visit(self) -> None:
        """The Visit page: agenda, attendance, quick notes, time per area (no area is timed there)."""
        self.flush()
        self.visit_page.refresh()
        self.stack.setCurrentWidget(self.visit_page)
        self.navigator.select(None)
        self.area_timer.set_area(None)
        self._update_buttons()

    def _visit_changed(self, changes: Changes) -> None:
        if changes.summary:  # attendance is in the report: a drawn signature may have been removed
            self.summary.refresh()
        self.assessment_changed.emit(self.interview.id)

    def ask_quick_note(self) -> None:
        """A quick note from the header, wherever the interview is."""
        text, ok = QInputDialog.getText(self, self.tr("Quick note"), self.tr("Note for the whole visit (internal):"))
        if ok and text.strip():
            self.visit_page.add_note(text)

    def jump_to(self, indicator_id: str) -> None:
        self.show_indicator(indicator_id)
        if self.page is not None:
            self.page.focus_first_field()

    def _navigate(self, event: NavEvent) -> None:
        if event.kind is NavEventKind.END_OF_FORM:
            self.show_summary()
            return
        self.show_indicator(event.indicator_id)
        if self.page is not None:
            self.page.focus_first_field()

    def step_next(self) -> None:
        if self.stack.currentWidget() is self.summary:
            return
        self.flush()
        self._navigate(self.session.step_next())

    def step_previous(self) -> None:
        self.flush()
        if self.stack.currentWidget() is self.summary:
            self.jump_to(self.session.current.id)
            return
        event = self.session.step_previous()
        if event.kind is NavEventKind.MOVED:
            self._navigate(event)

    def next_problem(self) -> None:
        self.flush()
        event = self.session.next_problem()
        if event is None:
            self.save_state_changed.emit("saved", self.tr("No problems left"))
            return
        problems = self.session.indicator_problems(event.indicator_id)
        self.show_problem(problems[0])

    def show_problem(self, problem: Problem) -> None:
        """Open the problem's indicator with the keyboard in the field concerned."""
        self.show_indicator(problem.indicator_id)
        if self.page is None:
            return
        field_key = problem.field_key or next(
            (p.field_key for p in self.session.indicator_problems(problem.indicator_id) if p.field_key), None
        )
        if field_key:
            self.page.focus_field(field_key)
        else:
            self.page.focus_first_field()

    def invalid_entries(self) -> list[Problem]:
        """Fields whose typed text is kept as a draft because it is not a valid answer."""
        return [p for p in self.session.problems() if p.kind is ProblemKind.INVALID]

    def go_to_first_comment(self) -> None:
        """To the first indicator whose reviewer's comment is not resolved yet (else the first one)."""
        comments = self.interview.review_comments()
        target = next((c for c in comments if not c.resolved), comments[0] if comments else None)
        if target is not None:
            self.jump_to(target.indicator_id)
            if self.page is not None and self.page.review_box is not None:
                self.page.ensureWidgetVisible(self.page.review_box)

    def _refresh_review(self, banner: bool = False) -> None:
        """The navigator's comment markers, and the banner of a returned assessment (shown on `banner`)."""
        comments = self.interview.review_comments()
        self.navigator.set_review_comments({c.indicator_id: c.resolved for c in comments})
        revision = self.interview.assessment.revision
        returned = self.interview.editable and bool(comments) and comments[0].revision < revision
        if returned:
            self.review_banner.show_comments(comments)
        if banner or not returned:
            self.review_banner.setVisible(returned)

    def _reply_changed(self, indicator_id: str, reply: str, resolved: bool) -> None:
        if self.read_only:
            return
        try:
            changes = self.interview.set_review_reply(indicator_id, reply, resolved)
        except AssessmentChangedError:
            self._refused()
            return
        except UserError as exc:
            self.save_state_changed.emit("error", str(exc))
            return
        self._refresh_review()
        if changes.assessment_ids:
            self.assessment_changed.emit(self.interview.id)
            self.save_state_changed.emit("saved", self.tr("Reply saved"))

    def focus_search(self) -> None:
        self.navigator.focus_search()

    def _update_buttons(self) -> None:
        on_summary = self.stack.currentWidget() is self.summary
        self.next_button.setEnabled(not on_summary)
        self.previous_button.setEnabled(True)
        self.summary_button.setEnabled(not on_summary)
        self.visit_button.setEnabled(self.stack.currentWidget() is not self.visit_page)

    def refresh_progress(self) -> None:
        progress = self.session.progress()
        self.progress.setMaximum(max(progress.indicators_total, 1))
        self.progress.setValue(progress.indicators_done)
        problems = len(self.session.problems())
        text = (
            self.tr("%1 of %2 indicators done")
            .replace("%1", str(progress.indicators_done))
            .replace("%2", str(progress.indicators_total))
        )
        if problems:
            text += " · " + counted(problems, self.tr("%1 problem"), self.tr("%1 problems"))
        self.progress.setFormat(text)
        self.problem_button.setEnabled(problems > 0)

    # --- edits and autosave ---------------------------------------------------------------------

    def _answer_edited(self, key: str, raw: object) -> None:
        if self.read_only:
            return
        self._pending[key] = raw
        check = self.session.check_answer(key, raw)
        if self.page is not None:
            self.page.show_answer_result(check)
        self.save_state_changed.emit("saving", self.tr("Saving…"))
        self._timer.start()

    def _answer_committed(self, _key: str) -> None:
        self.flush()
        self.session.end_edit()

    def _note_edited(self, indicator_id: str, text: str) -> None:
        if self.read_only:
            return
        self._pending_note = (indicator_id, text)
        self.save_state_changed.emit("saving", self.tr("Saving…"))
        self._timer.start()

    @property
    def has_pending(self) -> bool:
        review = self.page.review_box if self.page is not None else None
        return (
            bool(self._pending)
            or self._pending_note is not None
            or self._pending_finding is not None
            or self.summary.has_pending
            or (review is not None and review.has_pending)
        )

    def flush(self) -> None:
        """Store everything typed so far (called by the timer, on page change, focus change, close)."""
        self._timer.stop()
        self.summary.flush()
        self._flush_finding()
        if self.page is not None and self.page.review_box is not None:
            self.page.review_box.flush()  # the reply to the reviewer's comment stores itself
        if not self._pending and self._pending_note is None:
            return
        pending, self._pending = self._pending, {}
        note, self._pending_note = self._pending_note, None
        changes = Changes()
        try:
            for key, raw in pending.items():
                # keep=True: what was typed is saved even when it is not a valid answer (as a draft),
                # shown and counted as a problem until corrected; nothing typed is lost.
                _result, change = self.interview.answer(key, raw, keep=True, typing=True)
                changes = changes | change
            if note is not None:
                changes = changes | self.interview.set_note(*note)
        except AssessmentChangedError:
            # nothing of it was stored: shown again on top of what is stored now, and saved then
            self._pending = {**pending, **self._pending}
            self._pending_note = self._pending_note or note
            self._refused()
            return
        except UserError as exc:
            self.save_state_changed.emit("error", str(exc))
            return
        except BaseException:
            # Keep what was typed, so that nothing shown is lost; the crash dialog explains.
            self._pending = {**pending, **self._pending}
            self._pending_note = self._pending_note or note
            self.save_state_changed.emit("error", self.tr("Not saved"))
            raise
        self._apply_changes(changes)
        self._report_saved()

    def _report_saved(self) -> None:
        drafts = len(self.invalid_entries())
        if drafts:
            text = counted(
                drafts,
                self.tr("Saved; %1 entry is not valid yet (F8)"),
                self.tr("Saved; %1 entries are not valid yet (F8)"),
            )
            self.save_state_changed.emit("problem", text)
        else:
            self.save_state_changed.emit("saved", self.tr("Saved"))

    def _apply_changes(self, changes: Changes) -> None:
        if not changes.assessment_ids:
            return
        page = self.page
        if page is not None:
            page.refresh_values(changes.answers - {k for k in changes.answers if k in self._pending})
            page.refresh_messages()
            page.refresh_result()
        self.navigator.refresh(changes.indicators | ({page.indicator.id} if page else set()))
        self.refresh_progress()
        if self.stack.currentWidget() is self.summary:
            self.summary.refresh()
        self.assessment_changed.emit(self.interview.id)

    def _after_summary_change(self) -> None:
        self.interview.assessment = self.interview.repository.get(self.interview.id)
        self.read_only = not self.interview.editable
        self.details_button.setEnabled(self.interview.editable)
        self.details.setText(self._details_text())
        self.navigator.refresh()
        self.refresh_progress()
        self.assessment_changed.emit(self.interview.id)

    def _finding_edited(self, indicator_id: str, text: str) -> None:
        if self.read_only:
            return
        self._pending_finding = (indicator_id, text)
        self.save_state_changed.emit("saving", self.tr("Saving…"))
        self._timer.start()

    def _flush_finding(self) -> None:
        """Store the finding typed for the report (part of `flush`)."""
        finding, self._pending_finding = self._pending_finding, None
        if finding is None:
            return
        try:
            changes = self.interview.set_finding(*finding)
        except AssessmentChangedError:
            self._pending_finding = self._pending_finding or finding
            self._refused()
            return
        except UserError as exc:
            self.save_state_changed.emit("error", str(exc))
            return
        except BaseException:
            self._pending_finding = self._pending_finding or finding
            self.save_state_changed.emit("error", self.tr("Not saved"))
            raise
        self._apply_changes(changes)
        self.save_state_changed.emit("saved", self.tr("Saved"))

    def _evidence_checked(self, indicator_id: str, position: int, on: bool) -> None:
        self.flush()
        try:
            changes = self.interview.set_evidence_checked(indicator_id, position, on)
        except AssessmentChangedError:
            self._refused()
            return
        except UserError as exc:
            self.save_state_changed.emit("error", str(exc))
            return
        self._apply_changes(changes)
        self.save_state_changed.emit("saved", self.tr("Saved"))

    def _follow_up_toggled(self, indicator_id: str, on: bool) -> None:
        self.flush()
        try:
            self._apply_changes(self.interview.set_follow_up(indicator_id, on))
        except AssessmentChangedError:
            self._refused()

    def _override_requested(self, indicator_id: str, status: ResultStatus, points: float | None, text: str) -> None:
        self.flush()
        try:
            changes = self.interview.set_override(indicator_id, status, points, text)
        except AssessmentChangedError:
            self._refused()
            return
        except UserError as exc:
            if self.page is not None:
                self.page.show_override_message(str(exc))
            return
        if self.page is not None:
            self.page.show_override_message("")
        self._apply_changes(changes)

    def _override_cleared(self, indicator_id: str) -> None:
        self.flush()
        try:
            self._apply_changes(self.interview.clear_override(indicator_id))
        except AssessmentChangedError:
            self._refused()

    def undo(self) -> None:
        self.flush()
        try:
            result, changes = self.interview.undo()
        except AssessmentChangedError:
            self._refused()
            return
        self._after_undo(result is not None, changes)

    def redo(self) -> None:
        self.flush()
        try:
            result, changes = self.interview.redo()
        except AssessmentChangedError:
            self._refused()
            return
        self._after_undo(result is not None, changes)

    def _after_undo(self, happened: bool, changes: Changes) -> None:
        if not happened:
            self.save_state_changed.emit("saved", self.tr("Nothing to undo"))
            return
        current = self.session.current.id
        if self.page is None or self.page.indicator.id != current or self.stack.currentWidget() is not self.page:
            self.show_indicator(current)
        if self.page is not None:
            self.page.refresh_values(changes.answers)
        self._apply_changes(changes)
        self._report_saved()

    # --- evidence -------------------------------------------------------------------------------

    def attach_evidence(self, indicator_id: str | None = None) -> None:
        target = indicator_id or (self.page.indicator.id if self.page else None)
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Attach evidence"),
            "",
            self.tr("Documents and photos (*.pdf *.png *.jpg *.jpeg *.docx *.xlsx *.pptx *.odt *.txt);;All files (*)"),
        )
        if not paths:
            return
        description = ""
        if len(paths) == 1:
            text, ok = QInputDialog.getText(
                self,
                self.tr("Describe the evidence"),
                self.tr("Description (e.g. 'Statutes of 2019, § 4')"),
                text=Path(paths[0]).stem,
            )
            if not ok:
                return
            description = text
        self._add_evidence_files(target or "", [Path(p) for p in paths], description)

    def attach_photo(self, indicator_id: str | None = None) -> None:
        """Attach pictures from a camera or phone folder (the last one used, else Pictures), with a caption."""
        target = indicator_id or (self.page.indicator.id if self.page else None)
        readable = {bytes(f.data()).decode().lower() for f in QImageReader.supportedImageFormats()}
        patterns = ["*.jpg", "*.jpeg", "*.png", "*.webp"] + [f"*.{s}" for s in ("heic", "heif") if s in readable]
        patterns += [p.upper() for p in patterns]  # cameras write IMG_0042.JPG
        folder = self.settings.photo_directory if self.settings is not None else ""
        if not folder or not Path(folder).is_dir():
            folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation)
        paths, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Attach photo"),
            folder,
            self.tr("Photos (%1);;All files (*)").replace("%1", " ".join(patterns)),
        )
        if not paths:
            return
        if self.settings is not None:
            self.settings.photo_directory = str(Path(paths[0]).parent)
            with contextlib.suppress(OSError):  # a convenience; never block the interview
                save_settings(self.settings)
        caption = ""
        if len(paths) == 1:
            asked = self._ask_caption(Path(paths[0]))
            if asked is None:
                return
            caption = asked
        self._add_evidence_files(target or "", [Path(p) for p in paths], caption, photos=True)

    def _ask_caption(self, path: Path) -> str | None:
        """The caption of one photo (prefilled with when it was taken, else the file's name); None: cancelled."""
        reader = QImageReader(str(path))
        taken = next(
            (
                reader.text(k)
                for k in ("DateTimeOriginal", "DateTime", "Creation Time", "CreationDate")
                if reader.text(k)
            ),
            "",
        )
        text, ok = QInputDialog.getText(
            self,
            self.tr("Caption of the photo"),
            self.tr("Caption of %1 (e.g. 'Cluster office, meeting room')").replace("%1", path.name),
            text=taken or path.stem,
        )
        return text if ok else None

    def _files_dropped(self, indicator_id: str, paths: list[Path]) -> None:
        caption = ""
        if len(paths) == 1 and paths[0].suffix.lower() in PHOTO_SUFFIXES:
            asked = self._ask_caption(paths[0])
            if asked is None:
                return
            caption = asked
        self._add_evidence_files(indicator_id, paths, caption)

    def _add_evidence_files(
        self, indicator_id: str, paths: list[Path], description: str = "", photos: bool = False
    ) -> None:
        """Attach files; pictures (by their suffix, or all with `photos`) are checked to be pictures."""
        indicators = [indicator_id] if indicator_id else []
        changes = Changes()
        for path in paths:
            try:
                if photos or path.suffix.lower() in PHOTO_SUFFIXES:
                    _, change = self.interview.add_photo(path, description or path.stem, indicators)
                else:
                    _, change = self.interview.add_evidence(path, description or path.stem, indicators)
            except UserError as exc:
                QMessageBox.warning(self, self.tr("Evidence not attached"), str(exc))
                continue
            changes = changes | change
        self._evidence = self.interview.evidence()
        if self.page is not None:
            self.page.set_evidence(self._evidence)
        if changes.evidence:
            self.save_state_changed.emit("saved", self.tr("Evidence attached"))

    def _open_evidence(self, item: EvidenceItem) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.interview.evidence_path(item))))

    def _evidence_changed(self, message: str) -> None:
        self._evidence = self.interview.evidence()
        if self.page is not None:
            self.page.set_evidence(self._evidence)
        self.assessment_changed.emit(self.interview.id)
        self.save_state_changed.emit("saved", message)

    def remove_evidence(self, item: EvidenceItem) -> None:
        """Take an evidence item out of the assessment, after asking (the audit trail keeps the record)."""
        if self.read_only:
            return
        others = [i for i in item.indicators if self.page is None or i != self.page.indicator.id]
        text = self.tr(
            "Remove “%1” from the assessment?\n\nIts copy in the data folder is deleted; it leaves the report and "
            "any bundle exported from now on. The audit trail keeps its name and SHA-256 fingerprint."
        ).replace("%1", item.description or item.file_name)
        if others:
            text += "\n\n" + self.tr("It is also linked to %1.").replace("%1", ", ".join(others))
        answer = QMessageBox.question(
            self,
            self.tr("Remove evidence"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.interview.remove_evidence(item.id)
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Evidence not removed"), str(exc))
            return
        self._evidence_changed(self.tr("Evidence removed"))

    def rename_evidence(self, item: EvidenceItem) -> None:
        """Change the description an evidence item is listed under (the file keeps its name and fingerprint)."""
        if self.read_only:
            return
        text, ok = QInputDialog.getText(
            self,
            self.tr("Rename evidence"),
            self.tr("Description of %1").replace("%1", item.file_name),
            text=item.description,
        )
        if not ok or text.strip() == item.description:
            return
        try:
            self.interview.describe_evidence(item.id, text)
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Evidence not renamed"), str(exc))
            return
        self._evidence_changed(self.tr("Evidence renamed"))

    def relink_evidence(self, item: EvidenceItem) -> None:
        """Choose the indicators an evidence item belongs to."""
        if self.read_only:
            return
        dialog = EvidenceLinkDialog(self.session, item, self)
        if not dialog.exec():
            return
        try:
            self.interview.link_evidence(item.id, dialog.selected())
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Evidence not linked"), str(exc))
            return
        self._evidence_changed(self.tr("Evidence linked"))

    # --- changes made by another program ---------------------------------------------------------

    def check_outside_change(self) -> bool:
        """Whether another program (the command line) changed the stored assessment; if so, show what
        is stored. Not while a dialog is open: what it was opened on stays until it is closed."""
        if self._showing_stored or QApplication.activeModalWidget() is not None:
            return False
        try:
            changed = self.interview.changed_elsewhere()
        except NotFoundError:
            self._outside_timer.stop()
            self.read_only = True
            self.save_state_changed.emit(
                "error", self.tr("This assessment was deleted by another program; nothing more can be saved.")
            )
            return True
        if not changed:
            return False
        self.interview.reload()
        self.show_stored()
        return True

    def _refused(self) -> None:
        """An edit was refused because another program had changed the assessment (the interview has
        read it again): show what is stored now."""
        if self._showing_stored:  # refused again while showing it: once more, after this
            QTimer.singleShot(0, self, self.show_stored)
            return
        self.show_stored()

    def show_stored(self) -> None:
        """Show the stored state the interview has read again, on the page in sight; what was typed and
        not saved yet is kept and saved on top of it, and the assessor is told."""
        if self._showing_stored:
            return
        self._showing_stored = True
        lost = False
        try:
            self._timer.stop()
            pending, self._pending = self._pending, {}
            note, self._pending_note = self._pending_note, None
            finding, self._pending_finding = self._pending_finding, None
            interview = self.interview
            self.read_only = not interview.editable
            self._evidence = interview.evidence()
            self.title.setText(interview.assessment.organisation.name)
            self.details.setText(self._details_text())
            self.details_button.setEnabled(interview.editable)
            self.summary.show_stored_texts()
            self.summary.refresh()
            self.navigator.refresh()
            self._refresh_review(banner=True)
            if self.stack.currentWidget() is self.visit_page:
                self.visit_page.refresh()
            elif self.page is not None and self.stack.currentWidget() is self.page:
                self.show_indicator(self.page.indicator.id)
            lost = self.read_only and bool(pending or note is not None or finding is not None)
            if not self.read_only:
                self._pending, self._pending_note, self._pending_finding = pending, note, finding
                self.flush()
                if self.page is not None and pending:
                    typed_here = [k for k in pending if k in self.page.editors]
                    if typed_here:
                        self.page.focus_field(typed_here[0])
            self.refresh_progress()
        finally:
            self._showing_stored = False
        self.assessment_changed.emit(interview.id)
        self.stored_shown.emit()
        if lost:
            message = self.tr(
                "This assessment was changed by another program (the command line?) and is read-only now; "
                "what you typed last was not saved."
            )
        else:
            message = self.tr(
                "This assessment was changed by another program (the command line?); "
                "the window now shows the stored answers."
            )
        self.save_state_changed.emit("problem", message)

    # --- closing --------------------------------------------------------------------------------

    def _remember_position(self) -> None:
        self._position_timer.stop()
        if not self.read_only and self.page is not None and self.interview.editable:
            self.interview.remember_position()

    def close_interview(self) -> None:
        self._outside_timer.stop()
        self.flush()
        self.area_timer.pause()  # stores the time counted
        self._remember_position()
        self.thumbnails.wait()
