"""The main window: the assessments list and the interview workspace, menus, toolbar, status bar.

The window paints first and opens the data store right after (`start`), so that the program
appears at once; everything heavy is imported on first use. It fits the screen it opens on (a
netbook's 1024×600 too): a saved size is restored only if it fits, and nothing inside may make
it wider or taller than the screen."""

from __future__ import annotations

import base64
import contextlib
import datetime
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from esca_desktop import __version__
from esca_desktop.errors import UserError
from esca_desktop.settings import Settings, save_settings
from esca_desktop.ui.assessment_list import SUMMARY_ROLE, AssessmentListPage
from esca_desktop.ui.documents import DocumentActions
from esca_desktop.ui.elided_label import ElidedLabel
from esca_desktop.ui.i18n import counted
from esca_desktop.ui.page_keys import ATTACH_KEYS, FINDING_KEYS, FOLLOW_UP_KEYS, NOTES_KEYS
from esca_desktop.ui.style import role
from esca_desktop.ui.sync_actions import SyncActions
from esca_desktop.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from esca_desktop.context import AppContext
    from esca_desktop.domain.model import AssessmentSummary
    from esca_desktop.services.assessments import AssessmentService
    from esca_desktop.services.sync import SyncOverview, SyncReport
    from esca_desktop.ui.workspace import InterviewWorkspace

# Room for the title bar and borders before the window manager has told us their size.
FRAME_ALLOWANCE = QSize(16, 40)


def available_geometry(widget: QWidget) -> QRect:
    """The part of the widget's screen that windows may use (without panels and docks)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


class MainWindow(QMainWindow):
    ready = Signal()  # the store is open and the list is shown

    def __init__(self, settings: Settings, ui_lang: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.ui_lang = ui_lang
        self.context: AppContext | None = None
        self.service: AssessmentService | None = None
        self.workspace: InterviewWorkspace | None = None
        self.assessor_dialog: QDialog | None = None  # the first-start question, while shown
        self.setWindowTitle("ESCA Assessor")
        self.list_page = AssessmentListPage()
        self.list_page.open_requested.connect(self.open_assessment)
        self.list_page.new_requested.connect(self.new_assessment)
        self.list_page.show_archived.toggled.connect(lambda _on: self._update_actions())
        self.stack = QStackedWidget()
        self.stack.addWidget(self.list_page)
        self.setCentralWidget(self.stack)
        self.tasks = TaskRunner(self)
        self.documents = DocumentActions(self)
        self.sync_actions = SyncActions(self)
        self.tasks.busy_changed.connect(lambda _busy: self._update_actions())
        self._build_actions()
        table = self.list_page.table
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        table.addActions([self.open_action, self.archive_action, self.unarchive_action, self.delete_action])
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), table)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self.delete_assessment)
        self._build_menus()
        self._build_toolbar()
        self.save_label = QLabel()
        self.save_label.setObjectName("saveState")
        self.location_label = ElidedLabel()
        role(self.location_label, "mutedLabel")
        self.sync_label = QLabel()  # "Last sync 14:02 · 2 queued"
        self.sync_label.setObjectName("syncState")
        role(self.sync_label, "mutedLabel")
        status = self.statusBar()
        status.addWidget(self.save_label)
        status.addPermanentWidget(self.sync_label)
        status.addPermanentWidget(self.location_label)
        self.save_label.setText(self.tr("Opening…"))
        self._list_dirty = False
        self._fitted_on_show = False
        self._restore_geometry()
        selection = self.list_page.table.selectionModel()
        selection.currentChanged.connect(lambda *_args: self._update_actions())
        self._update_actions()

    # --- start-up -------------------------------------------------------------------------------

    def start_after_first_paint(self, data_dir: str | None, open_id: str | None = None, samples: bool = False) -> None:
        """Open the store as soon as the window has been painted once (or after 1 s at the latest)."""
        started = False

        def go() -> None:
            nonlocal started
            if not started:
                started = True
                self.removeEventFilter(watcher)
                self.start(data_dir, open_id, samples)

        class FirstPaint(QObject):
            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == QEvent.Type.Paint:
                    QTimer.singleShot(0, self, go)
                return False

        watcher = FirstPaint(self)
        self.installEventFilter(watcher)
        QTimer.singleShot(1000, watcher, go)  # not after the window is gone

    def start(self, data_dir: str | None, open_id: str | None = None, samples: bool = False) -> None:
        """Open the store (after the window has painted), fill the list, open an assessment."""
        if self.context is not None:
            return  # already started (a test or script may start it before the first paint)
        from esca_desktop.context import open_context
        from esca_desktop.services.assessments import AssessmentService

        self.context = open_context(data_dir or self.settings.data_dir or None, lang=self.ui_lang)
        self.service = AssessmentService(self.context)
        self.location_label.setText(self.tr("Data: %1").replace("%1", str(self.context.data_dir)))
        if self.context.assessor_name() is None:
            # First start: whose name goes into the audit trail and the reports. The samples are
            # recorded under it, so then the answer is waited for; otherwise the window goes on.
            named = self.ask_assessor(wait=samples)
            samples = samples and named
        if samples:
            self._ensure_samples()
        self.refresh_list()
        self.set_save_state("saved", self.tr("Ready"))
        target = open_id or (self._first_sample_id() if samples else None)
        if target:
            self.open_assessment(self.service.resolve(target))
        elif self.settings.last_assessment and self.list_page.model.row_of(self.settings.last_assessment) >= 0:
            self.open_assessment(self.settings.last_assessment)  # where the assessor left off
        self.ready.emit()

    def _ensure_samples(self) -> None:
        assert self.context is not None and self.service is not None
        folder = str(self.context.data_dir)
        if folder in self.settings.samples_created and self.service.list_summaries():
            return
        from esca_desktop.services.demo import create_demo_assessments

        created = create_demo_assessments(self.service)
        self.settings.samples_created.append(folder)
        self.settings.last_assessment = created["gold"]
        save_settings(self.settings)

    def _first_sample_id(self) -> str | None:
        assert self.service is not None
        for summary in self.service.list_summaries():
            if summary.scheme == "gold":
                return summary.id
        return None

    # --- actions --------------------------------------------------------------------------------

    def _action(
        self,
        text: str,
        slot: object,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        tip: str = "",
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(
                f"{tip} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})" if shortcut else tip
            )
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        k = QKeySequence.StandardKey
        self.new_action = self._action(
            self.tr("&New assessment…"), self.new_assessment, k.New, self.tr("Start a new assessment")
        )
        self.open_action = self._action(
            self.tr("&Open"), self.list_page.open_current, k.Open, self.tr("Open the selected assessment")
        )
        self.close_action = self._action(
            self.tr("&Close assessment"), self.close_assessment, k.Close, self.tr("Back to the list of assessments")
        )
        self.settings_action = self._action(self.tr("&Settings…"), self.open_settings, k.Preferences)
        if self.settings_action.shortcut().isEmpty():
            self.settings_action.setShortcut(QKeySequence("Ctrl+,"))
        self.quit_action = self._action(self.tr("&Quit"), self.close, k.Quit)
        if self.quit_action.shortcut().isEmpty():
            self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.undo_action = self._action(self.tr("&Undo answer"), self._undo, k.Undo, self.tr("Undo the last answer"))
        self.redo_action = self._action(
            self.tr("&Redo answer"), self._redo, QKeySequence("Ctrl+Shift+Z"), self.tr("Redo the answer")
        )
        self.find_action = self._action(
            self.tr("&Find indicator"), self._find, k.Find, self.tr("Find an indicator by number or title")
        )
        self.previous_action = self._action(
            self.tr("&Previous indicator"), self._previous, QKeySequence("Ctrl+PgUp"), self.tr("Previous indicator")
        )
        self.next_action = self._action(
            self.tr("&Next indicator"), self._next, QKeySequence("Ctrl+PgDown"), self.tr("Next indicator")
        )
        self.problem_action = self._action(
            self.tr("Next p&roblem"),
            self._next_problem,
            QKeySequence("F8"),
            self.tr("Go to the next missing or invalid answer"),
        )
        self.summary_action = self._action(
            self.tr("&Summary"),
            self._summary,
            QKeySequence("Ctrl+Shift+S"),
            self.tr("Scores, outcome and finalisation"),
        )
        self.details_action = self._action(
            self.tr("Assessment &details…"),
            self.edit_details,
            tip=self.tr("Correct the organisation, interview dates, place and assessors"),
        )
        self.archive_action = self._action(
            self.tr("&Archive assessment"),
            self.archive_assessment,
            tip=self.tr("Hide the assessment from the list; it is read-only until unarchived"),
        )
        self.unarchive_action = self._action(
            self.tr("&Unarchive assessment"), self.unarchive_assessment, tip=self.tr("Bring it back into the list")
        )
        self.delete_action = self._action(
            self.tr("De&lete assessment…"),
            self.delete_assessment,
            tip=self.tr("Delete an assessment never sent, with its evidence files (the audit trail keeps a record)"),
        )
        self.notes_action = self._action(
            self.tr("Internal &notes"),
            lambda: self._on_page("focus_notes"),
            NOTES_KEYS,
            self.tr("Write in the internal notes"),
        )
        self.follow_up_action = self._action(
            self.tr("Follo&w up later"),
            lambda: self._on_page("toggle_follow_up"),
            FOLLOW_UP_KEYS,
            self.tr("Mark or unmark the indicator for a follow-up"),
        )
        self.attach_action = self._action(
            self.tr("&Attach evidence…"),
            lambda: self._on_page("request_attach"),
            ATTACH_KEYS,
            self.tr("Attach a file to this indicator"),
        )
        self.finding_action = self._action(
            self.tr("Finding for the re&port"),
            lambda: self._on_page("focus_finding"),
            FINDING_KEYS,
            self.tr("Write the finding printed in the report"),
        )
        self.page_actions = (self.notes_action, self.follow_up_action, self.attach_action, self.finding_action)
        self.samples_action = self._action(self.tr("Load &sample assessments"), self.load_samples)
        self.about_action = self._action(self.tr("&About ESCA Assessor"), self.about)
        self.log_action = self._action(self.tr("Open &data folder"), self.open_data_folder)
        self.guide_action = self._action(
            self.tr("&Guide"),
            self.show_guide,
            QKeySequence("F1"),
            self.tr("How to work with ESCA Assessor, step by step"),
        )

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        for action in (self.new_action, self.open_action, self.close_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        for action in (self.archive_action, self.unarchive_action, self.delete_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit_menu = bar.addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.details_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self.find_action)
        edit_menu.addSeparator()
        for action in self.page_actions:
            edit_menu.addAction(action)
        documents_menu = bar.addMenu(self.tr("&Documents"))
        self.documents.add_to(documents_menu)
        self.sync_actions.add_to(bar.addMenu(self.tr("&Sync")))
        go_menu = bar.addMenu(self.tr("&Go"))
        for action in (self.previous_action, self.next_action, self.problem_action, self.summary_action):
            go_menu.addAction(action)
        self.file_menu = file_menu
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addAction(self.guide_action)
        help_menu.addSeparator()
        help_menu.addAction(self.samples_action)
        help_menu.addAction(self.log_action)
        help_menu.addSeparator()
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar(self.tr("Main toolbar"))
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for action in (self.new_action, self.close_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        for action in (self.previous_action, self.next_action, self.problem_action, self.summary_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.undo_action)
        toolbar.addAction(self.redo_action)
        toolbar.addSeparator()
        toolbar.addAction(self.sync_actions.sync_action)
        self.addToolBar(toolbar)

    def _update_actions(self) -> None:
        interviewing = self.workspace is not None and self.stack.currentWidget() is self.workspace
        for action in (
            self.close_action,
            self.undo_action,
            self.redo_action,
            self.find_action,
            self.previous_action,
            self.next_action,
            self.problem_action,
            self.summary_action,
            *self.page_actions,
        ):
            action.setEnabled(interviewing)
        self.open_action.setEnabled(not interviewing)
        self.details_action.setEnabled(
            interviewing and self.workspace is not None and self.workspace.interview.editable
        )
        target = self._target_summary()
        archived = target is not None and target.archived
        self.archive_action.setEnabled(target is not None and not archived and not self.tasks.busy)
        self.unarchive_action.setEnabled(archived and not self.tasks.busy)
        self.delete_action.setEnabled(target is not None and not self.tasks.busy)
        selected = interviewing or self.list_page.current_id() is not None
        self.documents.update(selected and self.context is not None, self.tasks.busy)
        self.sync_actions.update(selected, self.tasks.busy)

    # --- list -----------------------------------------------------------------------------------

    def refresh_list(self) -> None:
        if self.service is None or self.context is None:
            return
        from esca_desktop.services import sync as sync_service

        summaries = self.service.list_summaries()
        overview = sync_service.overview(self.context, summaries)
        self.list_page.set_summaries(summaries, self.ui_lang, overview.assessments)
        self._show_sync_state(overview)
        self._list_dirty = False
        self._update_actions()

    def show_sync_result(self, report: SyncReport) -> None:
        """After any sync: the list, and the open assessment reloaded when the sync changed it — a
        returned one comes back as a new, editable revision with the reviewer's comments."""
        self.refresh_list()
        workspace = self.workspace
        if workspace is None or workspace.interview.id not in report.changes.assessment_ids:
            return
        on_page = workspace.current_indicator_id()
        self.open_assessment(workspace.interview.id)
        if self.workspace is not None and on_page is not None:
            self.workspace.show_indicator(on_page)

    def refresh_sync_state(self) -> None:
        """The status bar's sync state (the list's Sync column follows with `refresh_list`)."""
        if self.context is None:
            return
        from esca_desktop.services import sync as sync_service

        self._show_sync_state(sync_service.overview(self.context))

    def _show_sync_state(self, overview: SyncOverview) -> None:
        state = overview.state
        if state.last_sync_at is not None:
            local = state.last_sync_at.astimezone()
            today = local.date() == datetime.datetime.now().astimezone().date()
            when = local.strftime("%H:%M" if today else "%Y-%m-%d %H:%M")
            parts = [self.tr("Last sync %1").replace("%1", when)]
        elif state.signed_in:
            parts = [self.tr("Not synced yet")]
        else:
            parts = [self.tr("Not signed in")]
        if overview.queued:
            parts.append(self.tr("%1 queued").replace("%1", str(overview.queued)))
        if overview.failed:
            parts.append(self.tr("%1 failed").replace("%1", str(overview.failed)))
        self.sync_label.setText(" · ".join(parts))
        where = (
            self.tr("Review service: %1, signed in as %2").replace("%1", state.server_url).replace("%2", state.account)
            if state.signed_in
            else self.tr("Not signed in to a review service (Sync → Sign in…)")
        )
        self.sync_label.setToolTip(
            where + "\n" + self.tr("Queued: waiting to be sent with the next sync (F5). Failed: see the Sync column.")
        )

    def _mark_list_dirty(self, _assessment_id: str = "") -> None:
        self._list_dirty = True
        self.refresh_sync_state()  # finalising queues an upload
        self._update_actions()  # and makes the details read-only

    # --- interview ------------------------------------------------------------------------------

    def open_assessment(self, assessment_id: str) -> None:
        if self.service is None:
            return
        from esca_desktop.ui.workspace import InterviewWorkspace

        self.close_assessment(refresh=False)
        lang = self.settings.interview_language or None
        interview = self.service.open(assessment_id, lang=lang)
        workspace = InterviewWorkspace(interview)
        workspace.settings = self.settings
        workspace.save_state_changed.connect(self.set_save_state)
        workspace.assessment_changed.connect(self._mark_list_dirty)
        workspace.close_requested.connect(self.close_assessment)
        workspace.details_requested.connect(self.edit_details)
        workspace.stored_shown.connect(self._after_outside_change)
        self.workspace = workspace
        self.stack.addWidget(workspace)
        self.stack.setCurrentWidget(workspace)
        if self.settings.splitter_state:
            workspace.splitter.restoreState(QByteArray(base64.b64decode(self.settings.splitter_state)))
        self.setWindowTitle(f"{interview.assessment.organisation.name} — ESCA Assessor")
        self.settings.last_assessment = assessment_id
        self._save_settings_quietly()
        self._update_actions()
        if workspace.page is not None:
            QTimer.singleShot(0, workspace.page.focus_first_field)

    def _after_outside_change(self) -> None:
        """The open assessment was read again because another program changed it: the title (the
        organisation's name may have changed) and what may be done with it now."""
        if self.workspace is not None:
            self.setWindowTitle(f"{self.workspace.interview.assessment.organisation.name} — ESCA Assessor")
        self._list_dirty = True
        self._update_actions()

    def close_assessment(self, refresh: bool = True) -> bool:
        """Back to the list; False when the person chose to stay and correct invalid entries."""
        workspace = self.workspace
        if workspace is None:
            return True
        if not self._may_leave(workspace):
            return False
        workspace.close_interview()
        self.settings.splitter_state = base64.b64encode(bytes(workspace.splitter.saveState().data())).decode()
        self.workspace = None
        self.stack.setCurrentWidget(self.list_page)
        self.stack.removeWidget(workspace)
        workspace.deleteLater()
        self.setWindowTitle("ESCA Assessor")
        self.settings.last_assessment = ""
        self._save_settings_quietly()
        if refresh or self._list_dirty:
            self.refresh_list()
        self._update_actions()
        self.list_page.filter_edit.setFocus()
        self.set_save_state("saved", self.tr("Saved"))  # what was said of the closed assessment no longer applies
        return True

    def _may_leave(self, workspace: InterviewWorkspace) -> bool:
        """Entries that are not valid answers are kept as drafts, but the assessor is asked first."""
        workspace.flush()
        drafts = workspace.invalid_entries()
        if not drafts:
            return True
        details = "\n".join(f"• {p.message}" for p in drafts[:8])
        answer = QMessageBox.question(
            self,
            self.tr("Entries to correct"),
            counted(
                len(drafts),
                self.tr(
                    "%1 entry is not a valid answer yet. It is kept and shown again when you reopen the assessment."
                ),
                self.tr(
                    "%1 entries are not valid answers yet. They are kept and shown again when you reopen "
                    "the assessment."
                ),
            )
            + "\n\n"
            + details
            + "\n\n"
            + self.tr("Leave anyway?"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            return True
        self.stack.setCurrentWidget(workspace)
        workspace.show_problem(drafts[0])
        return False

    def ask_assessor(self, wait: bool = False) -> bool:
        """Ask the assessor's name (first start); with `wait`, return whether a name was given."""
        from esca_desktop.ui.assessor_dialog import AssessorDialog

        assert self.context is not None
        dialog = AssessorDialog(self.context, self)
        self.assessor_dialog = dialog
        if wait:
            return bool(dialog.exec())
        dialog.open()  # window-modal, without a nested event loop: the window keeps starting up
        return False

    def new_assessment(self) -> None:
        if self.service is None or self.context is None:
            return
        if self.context.assessor_name() is None and not self.ask_assessor(wait=True):
            return
        from esca_desktop.ui.new_assessment import NewAssessmentDialog

        dialog = NewAssessmentDialog(self.service, self.context.actor, self.ui_lang, self)
        if dialog.exec() and dialog.created_id:
            self.refresh_list()
            self.list_page.select(dialog.created_id)
            if dialog.open_after.isChecked():
                self.open_assessment(dialog.created_id)

    # --- details, archive, delete ---------------------------------------------------------------

    def _target_summary(self) -> AssessmentSummary | None:
        """The assessment the archive and delete actions act on: the open one, else the selected one."""
        model = self.list_page.model
        if self.workspace is not None and self.stack.currentWidget() is self.workspace:
            row = model.row_of(self.workspace.interview.id)
            return model.index(row, 0).data(SUMMARY_ROLE) if row >= 0 else None
        return self.list_page.current_summary()

    def edit_details(self) -> None:
        workspace = self.workspace
        if workspace is None or self.stack.currentWidget() is not workspace or not workspace.interview.editable:
            return
        from esca_desktop.ui.details_dialog import AssessmentDetailsDialog

        workspace.flush()
        dialog = AssessmentDetailsDialog(workspace.interview, self.ui_lang, self)
        if not dialog.exec() or not dialog.changed:
            return
        workspace.details_changed()
        self.setWindowTitle(f"{workspace.interview.assessment.organisation.name} — ESCA Assessor")
        self.refresh_list()
        self.set_save_state("saved", self.tr("Details saved"))

    def archive_assessment(self) -> None:
        target = self._target_summary()
        if self.service is None or target is None or target.archived:
            return
        if self.workspace is not None and self.workspace.interview.id == target.id and not self.close_assessment():
            return
        try:
            self.service.archive(target.id)
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Not archived"), str(exc))
            return
        self.refresh_list()
        self.set_save_state(
            "saved", self.tr("“%1” archived: Show archived lists it again").replace("%1", target.organisation)
        )

    def unarchive_assessment(self) -> None:
        target = self._target_summary()
        if self.service is None or target is None or not target.archived:
            return
        try:
            self.service.unarchive(target.id)
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Not unarchived"), str(exc))
            return
        if self.workspace is not None and self.workspace.interview.id == target.id:
            self.open_assessment(target.id)  # editable again
        self.refresh_list()
        self.list_page.select(target.id)
        self.set_save_state("saved", self.tr("“%1” unarchived").replace("%1", target.organisation))

    def delete_assessment(self) -> None:
        """Delete an assessment never sent, after a confirmation that names it."""
        target = self._target_summary()
        if self.service is None or target is None or self.tasks.busy:
            return
        what = f"“{target.organisation}” ({target.scheme.capitalize()}, {target.status.label(self.ui_lang)})"
        if not self.service.deletable(target.id):
            QMessageBox.warning(
                self,
                self.tr("Not deleted"),
                self.tr(
                    "The assessment of %1 was sent to the secretariat, so it cannot be deleted. "
                    "Archive it to take it out of the list."
                ).replace("%1", what),
            )
            return
        answer = QMessageBox.question(
            self,
            self.tr("Delete assessment"),
            self.tr(
                "Delete the assessment of %1?\n\nIts answers, notes, signatures and evidence files are removed "
                "from this computer, the files in the data folder too. This cannot be undone. The audit trail "
                "keeps a record of the assessment and of its deletion."
            ).replace("%1", what),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        open_here = self.workspace is not None and self.workspace.interview.id == target.id
        if open_here and not self.close_assessment(refresh=False):
            return
        try:
            self.service.delete(target.id)
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Not deleted"), str(exc))
            return
        if self.settings.last_assessment == target.id:
            self.settings.last_assessment = ""
            self._save_settings_quietly()
        self.refresh_list()
        self.set_save_state("saved", self.tr("%1 deleted").replace("%1", what))

    def load_samples(self) -> None:
        if self.service is None or self.context is None:
            return
        if self.context.assessor_name() is None and not self.ask_assessor(wait=True):
            return
        from esca_desktop.services.demo import create_demo_assessments

        created = create_demo_assessments(self.service)
        self.refresh_list()
        self.list_page.select(created["gold"])
        self.set_save_state("saved", self.tr("Sample assessments created"))

    def _with_workspace(self, name: str) -> None:
        if self.workspace is not None and self.stack.currentWidget() is self.workspace:
            getattr(self.workspace, name)()

    def _on_page(self, name: str) -> None:
        """A command of the indicator page in sight (none on the summary)."""
        workspace = self.workspace
        if workspace is not None and self.stack.currentWidget() is workspace and workspace.current_indicator_id():
            getattr(workspace.page, name)()

    def _undo(self) -> None:
        self._with_workspace("undo")

    def _redo(self) -> None:
        self._with_workspace("redo")

    def _find(self) -> None:
        self._with_workspace("focus_search")

    def _previous(self) -> None:
        self._with_workspace("step_previous")

    def _next(self) -> None:
        self._with_workspace("step_next")

    def _next_problem(self) -> None:
        self._with_workspace("next_problem")

    def _summary(self) -> None:
        self._with_workspace("show_summary")

    # --- status ---------------------------------------------------------------------------------

    def set_save_state(self, state: str, message: str) -> None:
        marks = {"saving": "…", "saved": "✓", "problem": "⚠", "error": "⚠"}
        self.save_label.setText(f"{marks.get(state, '')} {message}".strip())
        self.save_label.setToolTip(message)  # whole, when a narrow window cuts it short
        roles = {"error": "saveError", "problem": "saveWarning"}
        role(self.save_label, roles.get(state, "saveState"))

    # --- dialogs --------------------------------------------------------------------------------

    def open_settings(self) -> None:
        if self.context is None:
            return
        from esca_desktop.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.context, self.settings, self)
        if dialog.exec():
            save_settings(self.settings)
            if dialog.restart_needed:
                QMessageBox.information(
                    self, self.tr("Settings"), self.tr("The new language or data folder applies when you restart.")
                )

    def show_guide(self) -> None:
        from esca_desktop.ui.guide import show_guide

        show_guide(self, self.ui_lang)

    def open_data_folder(self) -> None:
        if self.context is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.context.data_dir)))

    def about(self) -> None:
        from importlib.metadata import PackageNotFoundError, version

        def version_of(package: str) -> str:
            try:
                return version(package)
            except PackageNotFoundError:
                return "?"

        folder = str(self.context.data_dir) if self.context else "—"
        QMessageBox.about(
            self,
            self.tr("About ESCA Assessor"),
            (
                f"<h3>ESCA Assessor {__version__}</h3>"
                + self.tr(
                    "<p>Offline assessments for the European Cluster Management Excellence labels "
                    "(Bronze, Silver, Gold).</p>"
                )
                + f"<p>Python {sys.version.split()[0]} · PySide6 {version_of('pyside6-essentials')} · "
                f"SQLAlchemy {version_of('sqlalchemy')} · ReportLab {version_of('reportlab')} · "
                f"pyHanko {version_of('pyhanko')}</p>" + self.tr("<p>Data folder: %1</p>").replace("%1", folder)
            ),
        )

    # --- window state ---------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        area = available_geometry(self)
        if self.settings.window_geometry:
            saved = QByteArray(base64.b64decode(self.settings.window_geometry))
            if self.restoreGeometry(saved) and (self.isMaximized() or self._fits(self.geometry(), area)):
                return
        metrics = self.fontMetrics()
        wanted = QSize(metrics.horizontalAdvance("M") * 95, metrics.height() * 46)
        self.resize(wanted.boundedTo(area.size() - FRAME_ALLOWANCE))

    @staticmethod
    def _fits(inner: QRect, area: QRect) -> bool:
        """Whether a window with client rectangle `inner` and its frame fits on `area` (a saved size
        from a larger screen does not); its position is corrected once it is shown."""
        room = area.size() - FRAME_ALLOWANCE
        return area.intersects(inner) and inner.width() <= room.width() and inner.height() <= room.height()

    def fit_to_screen(self) -> None:
        """Shrink and move the window so that all of it, frame included, is on its screen."""
        if self.isMaximized() or self.isFullScreen():
            return
        area = available_geometry(self)
        frame, inner = self.frameGeometry(), self.geometry()
        extra = frame.size() - inner.size()
        if extra.width() <= 0 and extra.height() <= 0:  # not framed yet
            extra = FRAME_ALLOWANCE
        size = self.size().boundedTo(area.size() - extra)
        if size != self.size():
            self.resize(size)
        frame = self.frameGeometry()
        x = max(area.left(), min(frame.left(), area.right() + 1 - frame.width()))
        y = max(area.top(), min(frame.top(), area.bottom() + 1 - frame.height()))
        if (x, y) != (frame.left(), frame.top()):
            self.move(x, y)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        # back from the command line (or any other program): show what it changed at once
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow() and self.workspace is not None:
            self.workspace.check_outside_change()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted_on_show:  # now the frame's size is known
            self._fitted_on_show = True
            QTimer.singleShot(0, self, self.fit_to_screen)

    def _save_settings_quietly(self) -> None:
        with contextlib.suppress(OSError):  # settings are a convenience; never block the interview
            save_settings(self.settings)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.workspace is not None and not self._may_leave(self.workspace):
            event.ignore()
            return
        self.tasks.shutdown()  # a sign-in or sync waiting for a server is abandoned: the rest stays queued
        self.tasks.wait(30_000)  # a document being written finishes first
        if self.workspace is not None:
            self.workspace.flush()
            self.workspace.close_interview()
            self.settings.splitter_state = base64.b64encode(bytes(self.workspace.splitter.saveState().data())).decode()
        self.settings.window_geometry = base64.b64encode(bytes(self.saveGeometry().data())).decode()
        self._save_settings_quietly()
        if self.context is not None:
            self.context.close()
        event.accept()
