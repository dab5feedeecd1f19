"""One indicator on one page, built from the catalog: what it measures, the questions, the evidence
checklist, the typed fields with inline messages, the live result, override, notes and evidence.

The number, title and live result sit in a strip above the scrolling part, so the result of what
is being typed stays in sight on a small screen.

The page only shows and reports: every edit leaves as a signal; the workspace stores it and
tells the page what changed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QPoint, QSignalBlocker, Qt, QUrl, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from esca_desktop.domain.model import EvidenceItem, ReviewComment
from esca_desktop.domain.photos import is_photo
from esca_desktop.forms.catalog import Indicator
from esca_desktop.forms.results import AnswerResult, ProblemKind, ResultStatus
from esca_desktop.forms.session import FormSession
from esca_desktop.ui.editors import FieldEditor, editor_for
from esca_desktop.ui.elided_label import ElidedLabel
from esca_desktop.ui.evidence_list import EVIDENCE_ROLE, EvidenceList
from esca_desktop.ui.icons import status_icon
from esca_desktop.ui.page_keys import ATTACH_KEYS, FINDING_KEYS, FOLLOW_UP_KEYS, NOTES_KEYS, keys_text
from esca_desktop.ui.photos import PhotoStrip, ThumbnailCache
from esca_desktop.ui.review_comment import ReviewCommentBox
from esca_desktop.ui.style import role


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _section(title: str) -> QLabel:
    label = QLabel(title)
    role(label, "sectionTitle")
    return label


class IndicatorPage(QScrollArea):
    answer_edited = Signal(str, object)  # field key, raw input
    answer_committed = Signal(str)  # field key: the person left the field
    note_edited = Signal(str, str)  # indicator id, text
    follow_up_toggled = Signal(str, bool)
    override_requested = Signal(str, object, object, str)  # indicator, ResultStatus, points, justification
    override_cleared = Signal(str)
    finding_edited = Signal(str, str)  # indicator id, text for the report
    evidence_checked_toggled = Signal(str, int, bool)  # indicator id, checklist position, ticked
    files_dropped = Signal(str, list)  # indicator, [Path]
    attach_requested = Signal(str)
    photo_attach_requested = Signal(str)  # indicator
    evidence_open_requested = Signal(object)  # EvidenceItem
    evidence_remove_requested = Signal(object)  # EvidenceItem
    evidence_rename_requested = Signal(object)
    evidence_relink_requested = Signal(object)

    def __init__(
        self,
        session: FormSession,
        indicator: Indicator,
        evidence: list[EvidenceItem],
        read_only: bool,
        review: ReviewComment | None = None,
        parent: QWidget | None = None,
        thumbnails: ThumbnailCache | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.indicator = indicator
        self.lang = session.lang
        self.read_only = read_only
        self.editors: dict[str, FieldEditor] = {}
        self.messages: dict[str, QLabel] = {}
        self.evidence_checks: list[QCheckBox] = []
        self.attached_hint: QLabel | None = None
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAcceptDrops(not read_only)

        body = QWidget()
        body.setObjectName("indicatorBody")
        column = QVBoxLayout(body)
        column.setContentsMargins(24, 18, 24, 24)
        column.setSpacing(10)
        lang = self.lang

        self.header_strip = self._header_strip()
        if indicator.measures:
            measures = QLabel(indicator.measures.get(lang))
            role(measures, "mutedLabel")
            measures.setWordWrap(True)
            column.addWidget(measures)

        # The reviewer's comment when the assessment came back returned, with the assessor's reply
        self.review_box: ReviewCommentBox | None = None
        if review is not None:
            self.review_box = ReviewCommentBox(review, read_only, body)
            column.addWidget(self.review_box)

        # Guidance and evidence checklist side by side when there is room
        if indicator.guidance or indicator.evidence:
            info = QHBoxLayout()
            info.setSpacing(16)
            if indicator.guidance:
                guidance = QGroupBox(self.tr("Interview guidance"))
                g_layout = QVBoxLayout(guidance)
                guidance_text = QLabel(indicator.guidance.get(lang))
                guidance_text.setWordWrap(True)
                guidance_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                g_layout.addWidget(guidance_text)
                info.addWidget(guidance, 3)
            if indicator.evidence:
                checklist = QGroupBox(self.tr("Evidence to check"))
                e_layout = QVBoxLayout(checklist)
                checked = session.state(indicator.id).evidence_checked
                for position, item in enumerate(indicator.evidence):
                    box = QCheckBox(item.get(lang))
                    box.setToolTip(self.tr("Tick when you have seen this document"))
                    box.setChecked(position in checked)
                    box.setEnabled(not read_only)
                    box.toggled.connect(lambda on, n=position: self.evidence_checked_toggled.emit(indicator.id, n, on))
                    e_layout.addWidget(box)
                    self.evidence_checks.append(box)
                self.attached_hint = QLabel()
                role(self.attached_hint, "mutedLabel")
                self.attached_hint.setWordWrap(True)
                self.attached_hint.setVisible(False)
                e_layout.addWidget(self.attached_hint)
                e_layout.addStretch(1)
                info.addWidget(checklist, 2)
            column.addLayout(info)

        # Fields
        column.addWidget(_section(self.tr("Answers")))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(4)
        for fld in indicator.fields:
            editor = editor_for(fld, lang, self)
            editor.show_answer(session.value(fld.key), session.draft(fld.key))
            editor.set_read_only(read_only)
            label_text = fld.label.get(lang) + (" *" if fld.required else "")
            label = QLabel(label_text)
            label.setWordWrap(True)
            label.setBuddy(editor.focus_widget())
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance("M") * 12)
            label.setMaximumWidth(label.fontMetrics().horizontalAdvance("M") * 26)
            # QFormLayout does not grow a row for a wrapped label: reserve the lines it may need.
            label.setMinimumHeight(label.heightForWidth(label.minimumWidth()))
            if fld.computed:
                label.setToolTip(self.tr("Computed from other answers"))
            cell = QWidget()
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 6)
            cell_layout.setSpacing(2)
            cell_layout.addWidget(editor.widget)
            if fld.help:
                help_label = QLabel(fld.help.get(lang))
                role(help_label, "helpLabel")
                help_label.setWordWrap(True)
                cell_layout.addWidget(help_label)
            message = QLabel()
            role(message, "fieldError")
            message.setWordWrap(True)
            message.setVisible(False)
            cell_layout.addWidget(message)
            form.addRow(label, cell)
            self.editors[fld.key] = editor
            self.messages[fld.key] = message
            editor.edited.connect(lambda raw, key=fld.key: self.answer_edited.emit(key, raw))
            editor.committed.connect(lambda key=fld.key: self.answer_committed.emit(key))
            editor.next_requested.connect(lambda key=fld.key: self.focus_after(key))
            if not session.field_relevant(fld):  # widgets are shown by default: only hide
                label.setVisible(False)
                cell.setVisible(False)
            editor.setProperty("row_widgets", (label, cell))
        column.addLayout(form)

        # Result (shown in the header strip), problems and override
        column.addWidget(_section(self.tr("Result")))
        self.problems_label = QLabel()
        role(self.problems_label, "fieldError")
        self.problems_label.setWordWrap(True)
        column.addWidget(self.problems_label)
        column.addWidget(self._override_box())

        # The finding (printed in the report), then the internal notes and follow-up (never printed there)
        state = session.state(indicator.id)
        column.addWidget(_section(self.tr("Finding for the report")))
        self.finding_edit = QPlainTextEdit()
        self.finding_edit.setTabChangesFocus(True)
        self.finding_edit.setPlaceholderText(
            self.tr("What the report says about this indicator, written for the organisation")
        )
        self.finding_edit.setAccessibleName(self.tr("Finding for the report"))
        self.finding_edit.setToolTip(self.tr("Finding for the report (%1)").replace("%1", keys_text(FINDING_KEYS)))
        self.finding_edit.setMinimumHeight(self.finding_edit.fontMetrics().lineSpacing() * 3 + 12)
        self.finding_edit.setMaximumHeight(self.finding_edit.fontMetrics().lineSpacing() * 8 + 12)
        self.finding_edit.setPlainText(state.finding)
        self.finding_edit.setReadOnly(read_only)
        self.finding_edit.textChanged.connect(
            lambda: self.finding_edited.emit(indicator.id, self.finding_edit.toPlainText())
        )
        column.addWidget(self.finding_edit)
        column.addWidget(_section(self.tr("Internal notes (never printed in the report)")))
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setPlaceholderText(self.tr("What you saw and heard, for you and the secretariat"))
        self.note_edit.setAccessibleName(self.tr("Internal notes"))
        self.note_edit.setToolTip(self.tr("Internal notes (%1)").replace("%1", keys_text(NOTES_KEYS)))
        self.note_edit.setMinimumHeight(self.note_edit.fontMetrics().lineSpacing() * 4 + 12)
        self.note_edit.setMaximumHeight(self.note_edit.fontMetrics().lineSpacing() * 8 + 12)
        self.note_edit.setPlainText(state.note)
        self.note_edit.setReadOnly(read_only)
        self.note_edit.textChanged.connect(lambda: self.note_edited.emit(indicator.id, self.note_edit.toPlainText()))
        column.addWidget(self.note_edit)
        self.follow_up = QCheckBox(self.tr("Follow up on this indicator later"))
        self.follow_up.setChecked(state.follow_up)
        self.follow_up.setEnabled(not read_only)
        self.follow_up.setToolTip(
            self.tr("Mark or unmark for a follow-up (%1)").replace("%1", keys_text(FOLLOW_UP_KEYS))
        )
        self.follow_up.toggled.connect(lambda on: self.follow_up_toggled.emit(indicator.id, on))
        column.addWidget(self.follow_up)

        # Evidence
        column.addWidget(_section(self.tr("Evidence seen")))
        self.evidence_list = EvidenceList()
        self.evidence_list.setAccessibleName(self.tr("Evidence files"))
        self.evidence_list.setToolTip(
            self.tr("Enter opens the file, F2 renames it, Delete removes it; right-click for more")
        )
        self.evidence_list.setMaximumHeight(self.evidence_list.fontMetrics().height() * 7)
        self.evidence_list.itemActivated.connect(self._activated)
        self.evidence_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.evidence_list.customContextMenuRequested.connect(self._evidence_context_menu)
        if not read_only:
            self.evidence_list.remove_requested.connect(self.evidence_remove_requested)
            self.evidence_list.rename_requested.connect(self.evidence_rename_requested)
        column.addWidget(self.evidence_list)
        # Photos: a row of thumbnails under the list, made when the page has photos (most have none)
        self._thumbnails = thumbnails
        self._evidence_column = column
        self.photo_strip: PhotoStrip | None = None
        attach_row = QHBoxLayout()
        attach = QPushButton(self.tr("Attach file…"))
        attach.setEnabled(not read_only)
        attach.clicked.connect(lambda: self.attach_requested.emit(indicator.id))
        attach.setToolTip(self.tr("Attach a file to this indicator (%1)").replace("%1", keys_text(ATTACH_KEYS)))
        attach_photo = QPushButton(self.tr("Attach photo…"))
        attach_photo.setToolTip(self.tr("A picture from a camera or phone folder, with a caption"))
        attach_photo.setEnabled(not read_only)
        attach_photo.clicked.connect(lambda: self.photo_attach_requested.emit(indicator.id))
        hint = QLabel(self.tr("or drop files onto this page"))
        role(hint, "mutedLabel")
        attach_row.addWidget(attach)
        attach_row.addWidget(attach_photo)
        attach_row.addWidget(hint)
        attach_row.addStretch(1)
        column.addLayout(attach_row)
        column.addStretch(1)
        self.setWidget(body)
        self.set_evidence(evidence)
        if self.override_form is not None:
            self._chain_override_tab_order()
        self.refresh_messages()
        self.refresh_result()
        self._place_header_strip()

    def _header_strip(self) -> QWidget:
        """Number, title, flags and the live result: a strip that does not scroll with the page."""
        indicator, lang = self.indicator, self.lang
        strip = QWidget(self)  # a child of the scroll area, outside its viewport
        strip.setObjectName("indicatorHeader")
        strip.setAutoFillBackground(True)
        layout = QVBoxLayout(strip)
        layout.setContentsMargins(24, 10, 24, 0)
        layout.setSpacing(4)
        heading = QHBoxLayout()
        number = QLabel(indicator.id)
        role(number, "indicatorNumber")
        title = ElidedLabel(indicator.title.get(lang))
        role(title, "indicatorTitle")
        self.title_label = title
        heading.addWidget(number)
        heading.addWidget(title, 1)
        for flag, text in (
            (indicator.minimum_requirement, self.tr("Minimum requirement")),
            (indicator.silver_scope and self.session.catalog.scheme == "gold", self.tr("Silver scope")),
        ):
            if flag:
                badge = QLabel(text)
                role(badge, "badge")
                heading.addWidget(badge)
        layout.addLayout(heading)
        result_row = QHBoxLayout()
        self.result_icon = QLabel()
        self.result_text = ElidedLabel()
        role(self.result_text, "resultText")
        result_row.addWidget(self.result_icon)
        result_row.addWidget(self.result_text, 1)
        layout.addLayout(result_row)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)
        return strip

    def _place_header_strip(self) -> None:
        height = self.header_strip.sizeHint().height()
        self.setViewportMargins(0, height, 0, 0)
        area = self.contentsRect()
        self.header_strip.setGeometry(area.x(), area.y(), area.width(), height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._place_header_strip()
        super().resizeEvent(event)

    def _override_box(self) -> QWidget:
        """The check box now; the form itself only when it is needed (most indicators never get one)."""
        state = self.session.state(self.indicator.id)
        wrapper = QWidget()
        self._override_layout = QVBoxLayout(wrapper)
        self._override_layout.setContentsMargins(0, 0, 0, 0)
        self.override_check = QCheckBox(self.tr("Override the result (assessor's judgement, with a justification)"))
        self.override_check.setChecked(state.override is not None)
        self.override_check.setEnabled(not self.read_only)
        self.override_check.setAccessibleName(self.tr("Override the result"))
        self._override_layout.addWidget(self.override_check)
        self.override_form: QGroupBox | None = None
        if state.override is not None:
            self._build_override_form()
        self.override_check.toggled.connect(self._override_toggled)
        return wrapper

    def _build_override_form(self) -> QGroupBox:
        if self.override_form is not None:
            return self.override_form
        state = self.session.state(self.indicator.id)
        self.override_form = QGroupBox()
        layout = QFormLayout(self.override_form)
        self.override_status = QComboBox()
        for status, text in (
            (ResultStatus.MET, self.tr("Met")),
            (ResultStatus.NOT_MET, self.tr("Not met")),
            (ResultStatus.NOT_APPLICABLE, self.tr("Not applicable")),
        ):
            self.override_status.addItem(status_icon(status), text, status)
        self.override_points = QDoubleSpinBox()
        self.override_points.setDecimals(1)
        self.override_points.setRange(0, max(self.indicator.scoring.max_points, 0))
        self.override_points.setSingleStep(1)
        self.override_points.setEnabled(self.indicator.scoring.max_points > 0)
        self.override_justification = QPlainTextEdit()
        self.override_justification.setTabChangesFocus(True)
        self.override_justification.setPlaceholderText(self.tr("Why the result differs from the rule (required)"))
        self.override_justification.setMaximumHeight(self.override_justification.fontMetrics().lineSpacing() * 4 + 12)
        if state.override is not None:
            self.override_status.setCurrentIndex(max(self.override_status.findData(state.override.status), 0))
            self.override_points.setValue(state.override.points or 0)
            self.override_justification.setPlainText(state.override.justification)
        self.override_message = QLabel()
        role(self.override_message, "fieldError")
        self.override_message.setWordWrap(True)
        self.override_message.setVisible(False)
        apply_button = QPushButton(self.tr("Apply override"))
        apply_button.clicked.connect(self._apply_override)
        self.override_apply = apply_button
        self.override_status.setAccessibleName(self.tr("Overridden result"))
        self.override_points.setAccessibleName(self.tr("Overridden points"))
        self.override_justification.setAccessibleName(self.tr("Justification of the override"))
        order = (self.override_status, self.override_points, self.override_justification, apply_button)
        for widget in order:
            widget.setEnabled(widget.isEnabled() and not self.read_only)
        layout.addRow(self.tr("Result"), self.override_status)
        layout.addRow(self.tr("Points"), self.override_points)
        layout.addRow(self.tr("Justification"), self.override_justification)
        layout.addRow("", self.override_message)
        layout.addRow("", apply_button)
        self._override_layout.addWidget(self.override_form)
        self._override_order = order
        if hasattr(self, "finding_edit"):  # built later than the page: would come last in the Tab chain
            self._chain_override_tab_order()
        return self.override_form

    def _chain_override_tab_order(self) -> None:
        """The override form right after its check box, then the finding (Tab order follows the page)."""
        previous: QWidget = self.override_check
        for widget in self._override_order:
            QWidget.setTabOrder(previous, widget)
            previous = widget
        QWidget.setTabOrder(previous, self.finding_edit)

    def _override_toggled(self, on: bool) -> None:
        form = self._build_override_form() if on else self.override_form
        if form is not None:
            form.setVisible(on)
        if not on and self.session.state(self.indicator.id).override is not None:
            self.override_cleared.emit(self.indicator.id)

    def _apply_override(self) -> None:
        status = self.override_status.currentData()
        points = self.override_points.value() if self.indicator.scoring.max_points > 0 else None
        self.override_requested.emit(self.indicator.id, status, points, self.override_justification.toPlainText())

    def show_override_message(self, message: str) -> None:
        self._build_override_form()
        self.override_message.setText(message)
        self.override_message.setVisible(bool(message))

    # --- updates from the workspace -------------------------------------------------------------

    def show_answer_result(self, result: AnswerResult) -> None:
        """What is wrong with the input being typed, at once (before it is saved)."""
        label = self.messages.get(result.key)
        if label is None:
            return
        self._show_message(result.key, "" if result.status.value == "ok" else result.message)

    def _show_message(self, key: str, message: str) -> None:
        # Under its field a message needs no "1.1.1.smes (of which SMEs): " in front: that names the field
        # in lists (summary, report), not here.
        label = self.messages[key]
        prefix = f"{key} ({self.editors[key].field.label.get(self.lang)}): "
        text = message.removeprefix(prefix)
        label.setText(text)
        label.setVisible(bool(text))

    def refresh_messages(self) -> None:
        """Each field's message from what is stored: a kept draft, a contradiction, a computed value.
        Re-run after every saved edit, so a message goes as soon as the answer it depends on is fixed."""
        problems = {
            p.field_key: p.message
            for p in self.session.indicator_problems(self.indicator.id)
            if p.field_key is not None and p.kind is not ProblemKind.REQUIRED
        }
        for key in self.messages:
            self._show_message(key, problems.get(key, ""))

    def refresh_values(self, keys: frozenset[str] | set[str] | None = None) -> None:
        """Show current values of computed (or undone) fields, and field relevance."""
        for key, editor in self.editors.items():
            if keys is None or key in keys:
                editor.show_answer(self.session.value(key), self.session.draft(key))
            relevant = self.session.field_relevant(editor.field)
            label, cell = editor.property("row_widgets")
            label.setVisible(relevant)
            cell.setVisible(relevant)

    def refresh_result(self) -> None:
        session = self.session
        result = session.result(self.indicator.id)
        problems = session.indicator_problems(self.indicator.id)
        state = session.state(self.indicator.id)
        size = self.fontMetrics().height() + 4
        self.result_icon.setPixmap(status_icon(result.status, bool(problems), state.follow_up).pixmap(size, size))
        parts = [f"<b>{result.status.label(self.lang)}</b>"]
        if result.max_points:
            points = "–" if result.points is None else f"{result.points:g}"
            parts.append(self.tr("%1 of %2 points").replace("%1", points).replace("%2", f"{result.max_points:g}"))
            threshold = self.indicator.scoring.threshold
            if threshold is not None:
                parts.append(self.tr("needs %1").replace("%1", f"{threshold:g}"))
        level = session.matched_level(self.indicator.id)
        if level is not None and level.label:
            parts.append(level.label.get(self.lang))
        if result.overridden:
            parts.append(self.tr("overridden by the assessor"))
        self.result_text.setText(" · ".join(parts))
        plain = self.result_text.text().replace("<b>", "").replace("</b>", "")
        self.result_text.setAccessibleName(self.tr("Result: ") + plain)
        field_problems = [p.message for p in problems if p.field_key is None]
        self.problems_label.setText("\n".join(field_problems))
        self.problems_label.setVisible(bool(field_problems))
        with QSignalBlocker(self.follow_up):
            self.follow_up.setChecked(state.follow_up)

    def set_evidence(self, evidence: list[EvidenceItem]) -> None:
        current = self.evidence_list.current_evidence()
        self.evidence_list.clear()
        linked_here = 0
        photos: list[EvidenceItem] = []
        for item in evidence:
            if item.indicators and self.indicator.id not in item.indicators:
                continue
            linked_here += bool(item.indicators)
            if is_photo(item):
                photos.append(item)
                continue
            text = f"{item.description or item.file_name}  —  {item.file_name}, {_human_size(item.size)}"
            entry = QListWidgetItem(text)
            entry.setData(EVIDENCE_ROLE, item)
            entry.setToolTip(self._evidence_tooltip(item))
            self.evidence_list.addItem(entry)
            if current is not None and item.id == current.id:
                self.evidence_list.setCurrentItem(entry)
        if photos or self.photo_strip is not None:
            strip = self._photo_strip()
            strip.set_photos(photos, strip.current_evidence(), self._evidence_tooltip)
            strip.setVisible(bool(photos))
        self.evidence_list.setVisible(self.evidence_list.count() > 0 or not photos)
        if self.evidence_list.count() == 0:
            placeholder = QListWidgetItem(self.tr("No files attached yet"))
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.evidence_list.addItem(placeholder)
        elif self.evidence_list.currentItem() is None:  # for Delete and F2, without highlighting it
            self.evidence_list.setCurrentRow(0, QItemSelectionModel.SelectionFlag.NoUpdate)
        self.evidence_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        if self.attached_hint is not None:
            self.attached_hint.setText(
                self.tr("✓ %1 file(s) attached to this indicator (see Evidence seen)").replace("%1", str(linked_here))
            )
            self.attached_hint.setVisible(linked_here > 0)

    def _photo_strip(self) -> PhotoStrip:
        """The thumbnails, acting like the list of files (Enter, F2, Delete, context menu)."""
        if self.photo_strip is not None:
            return self.photo_strip
        strip = PhotoStrip()
        strip.set_cache(self._thumbnails)
        strip.setAccessibleName(self.tr("Photos"))
        strip.setToolTip(
            self.tr("Enter opens the photo, F2 changes its caption, Delete removes it; right-click for more")
        )
        strip.itemActivated.connect(self._activated)
        strip.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        strip.customContextMenuRequested.connect(self._photo_context_menu)
        if not self.read_only:
            strip.remove_requested.connect(self.evidence_remove_requested)
            strip.rename_requested.connect(self.evidence_rename_requested)
        column = self._evidence_column
        column.insertWidget(column.indexOf(self.evidence_list) + 1, strip)
        self.photo_strip = strip
        return strip

    def photo_captions(self) -> list[str]:
        """The captions under the thumbnails shown, in order."""
        strip = self.photo_strip
        return strip.photo_captions() if strip is not None and strip.isVisibleTo(self) else []

    def _evidence_tooltip(self, item: EvidenceItem) -> str:
        linked = ", ".join(item.indicators) if item.indicators else self.tr("the whole assessment")
        return f"SHA-256 {item.sha256}\n{item.added_by}, {item.added_at:%Y-%m-%d %H:%M}\n" + self.tr(
            "Belongs to: %1"
        ).replace("%1", linked)

    def _activated(self, entry: QListWidgetItem) -> None:
        evidence = entry.data(EVIDENCE_ROLE)
        if isinstance(evidence, EvidenceItem):
            self.evidence_open_requested.emit(evidence)

    def evidence_menu(self, evidence: EvidenceItem) -> QMenu:
        """What can be done with one evidence item (the list's context menu)."""
        menu = QMenu(self.evidence_list)
        editable = not self.read_only
        actions = (
            (self.tr("&Open"), QKeySequence("Return"), self.evidence_open_requested, True),
            (self.tr("&Rename…"), QKeySequence("F2"), self.evidence_rename_requested, editable),
            (self.tr("&Link to indicators…"), QKeySequence(), self.evidence_relink_requested, editable),
            (self.tr("Re&move from the assessment…"), QKeySequence("Del"), self.evidence_remove_requested, editable),
        )
        for text, keys, signal, enabled in actions:
            action = menu.addAction(text)
            if not keys.isEmpty():
                # shown beside the entry; the list itself handles the keys
                action.setText(f"{text}\t{keys.toString(QKeySequence.SequenceFormat.NativeText)}")
            action.setEnabled(enabled)
            action.triggered.connect(lambda _checked=False, s=signal: s.emit(evidence))
        return menu

    def _evidence_context_menu(self, pos: QPoint, view: EvidenceList | None = None) -> None:
        view = view or self.evidence_list
        entry = view.itemAt(pos)
        evidence = entry.data(EVIDENCE_ROLE) if entry is not None else None
        if entry is None or not isinstance(evidence, EvidenceItem):
            return
        view.setCurrentItem(entry)
        menu = self.evidence_menu(evidence)
        menu.exec(view.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _photo_context_menu(self, pos: QPoint) -> None:
        self._evidence_context_menu(pos, self.photo_strip)

    def focus_first_field(self) -> None:
        for editor in self.editors.values():
            if self._can_type_in(editor):
                editor.focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)
                return

    def _can_type_in(self, editor: FieldEditor) -> bool:
        widget = editor.focus_widget()
        return widget.isVisibleTo(self) and widget.isEnabled() and not editor.field.computed

    def focus_after(self, key: str) -> None:
        """Enter in a field: on to the next field that can be answered (relevance already follows the
        answer just committed), after the last one to the internal notes. Never to another indicator:
        that is Ctrl+PgDown, so that Enter cannot leave the page by surprise."""
        keys = list(self.editors)
        for next_key in keys[keys.index(key) + 1 :]:
            editor = self.editors[next_key]
            if self._can_type_in(editor):
                self.ensureWidgetVisible(editor.widget)
                editor.focus_widget().setFocus(Qt.FocusReason.TabFocusReason)
                return
        self.focus_notes()

    def focus_notes(self) -> None:
        self.ensureWidgetVisible(self.note_edit)
        self.note_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_finding(self) -> None:
        self.ensureWidgetVisible(self.finding_edit)
        self.finding_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def toggle_follow_up(self) -> None:
        if self.follow_up.isEnabled():
            self.ensureWidgetVisible(self.follow_up)
            self.follow_up.toggle()

    def request_attach(self) -> None:
        if not self.read_only:
            self.attach_requested.emit(self.indicator.id)

    def focus_field(self, key: str) -> None:
        editor = self.editors.get(key)
        if editor is not None:
            self.ensureWidgetVisible(editor.widget)
            editor.focus_widget().setFocus(Qt.FocusReason.OtherFocusReason)

    # --- drag and drop of evidence files --------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if not self.read_only and event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if QUrl(url).isLocalFile()]
        if paths:
            self.files_dropped.emit(self.indicator.id, paths)
            event.acceptProposedAction()
