"""The summary page: scores per area with a chart, the outcome, remaining problems and follow-ups
as links, the closing texts, drawn signatures, and finalisation (refused while problems remain)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from esca_desktop.errors import UserError
from esca_desktop.forms.results import ResultStatus
from esca_desktop.services.assessments import AssessmentChangedError
from esca_desktop.ui.score_chart import AreaScoreChart
from esca_desktop.ui.signature_pad import SignatureDialog
from esca_desktop.ui.style import role

if TYPE_CHECKING:
    from esca_desktop.services.assessments import Interview
    from esca_desktop.storage.repository import RemovedSignature

TEXT_FIELDS = ("strengths", "improvement_areas", "recommendations")
ROLES = ("assessor", "interviewee")


class SummaryPage(QScrollArea):
    jump_requested = Signal(str)
    changed = Signal()  # status or signatures changed
    changed_elsewhere = Signal()  # an edit was refused: another program changed the assessment
    save_state_changed = Signal(str, str)

    def __init__(self, interview: Interview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.interview = interview
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._pending: dict[str, str] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.flush)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(24, 18, 24, 24)
        column.setSpacing(12)
        heading = QLabel(self.tr("Summary"))
        role(heading, "indicatorTitle")
        column.addWidget(heading)
        self.outcome = QLabel()
        role(self.outcome, "outcomeLabel")
        self.outcome.setWordWrap(True)
        self.outcome.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.outcome)
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.reasons)

        scores = QGroupBox(self.tr("Scores by area"))
        scores_layout = QVBoxLayout(scores)
        self.chart = AreaScoreChart()
        scores_layout.addWidget(self.chart)
        self.checks = QLabel()
        self.checks.setWordWrap(True)
        self.checks.setTextFormat(Qt.TextFormat.RichText)
        scores_layout.addWidget(self.checks)
        column.addWidget(scores)

        lists = QHBoxLayout()
        problems_box = QGroupBox(self.tr("Remaining problems"))
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.RichText)
        self.problems.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.problems.linkActivated.connect(self.jump_requested)
        self.problems.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        QVBoxLayout(problems_box).addWidget(self.problems)
        follow_box = QGroupBox(self.tr("Follow-ups"))
        self.follow_ups = QLabel()
        self.follow_ups.setWordWrap(True)
        self.follow_ups.setTextFormat(Qt.TextFormat.RichText)
        self.follow_ups.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.follow_ups.linkActivated.connect(self.jump_requested)
        self.follow_ups.setTextInteractionFlags(self.problems.textInteractionFlags())
        QVBoxLayout(follow_box).addWidget(self.follow_ups)
        lists.addWidget(problems_box, 3)
        lists.addWidget(follow_box, 2)
        column.addLayout(lists)

        texts = QGroupBox(self.tr("Findings for the report"))
        form = QFormLayout(texts)
        labels = {
            "strengths": self.tr("Strengths"),
            "improvement_areas": self.tr("Areas for improvement"),
            "recommendations": self.tr("Recommendations"),
        }
        self.text_edits: dict[str, QPlainTextEdit] = {}
        for name in TEXT_FIELDS:
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setAccessibleName(labels[name])
            edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * 4 + 12)
            edit.setPlainText(getattr(interview.assessment, name))
            edit.textChanged.connect(lambda name=name, edit=edit: self._text_edited(name, edit.toPlainText()))
            form.addRow(labels[name], edit)
            self.text_edits[name] = edit
        column.addWidget(texts)

        signatures = QGroupBox(self.tr("Signatures drawn by hand"))
        grid = QGridLayout(signatures)
        self.signature_notice = QLabel()
        role(self.signature_notice, "signatureNotice")
        self.signature_notice.setTextFormat(Qt.TextFormat.PlainText)  # names are typed by people
        self.signature_notice.setWordWrap(True)
        self.signature_notice.setVisible(False)
        grid.addWidget(self.signature_notice, 0, 0, 1, len(ROLES))
        hint = QLabel(self.tr("A signature confirms the assessment as it is when signed: any later change removes it."))
        role(hint, "helpLabel")
        hint.setWordWrap(True)
        grid.addWidget(hint, 1, 0, 1, len(ROLES))
        self.signature_images: dict[str, QLabel] = {}
        self.signature_buttons: dict[str, QPushButton] = {}
        self._signed_shown = False
        role_labels = {"assessor": self.tr("Assessor"), "interviewee": self.tr("Interviewee (cluster manager)")}
        for n, signer_role in enumerate(ROLES):
            grid.addWidget(QLabel(role_labels[signer_role]), 2, n)
            image = QLabel(self.tr("not signed yet"))
            role(image, "signatureImage")
            image.setMinimumHeight(self.fontMetrics().height() * 5)
            image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid.addWidget(image, 3, n)
            button = QPushButton(self.tr("Sign…"))
            button.setAccessibleName(self.tr("Sign as %1").replace("%1", role_labels[signer_role]))
            button.clicked.connect(lambda _checked=False, role=signer_role: self._sign(role))
            grid.addWidget(button, 4, n, Qt.AlignmentFlag.AlignLeft)
            self.signature_images[signer_role] = image
            self.signature_buttons[signer_role] = button
        column.addWidget(signatures)

        actions = QHBoxLayout()
        self.finalise_button = QPushButton(self.tr("Finalise assessment…"))
        role(self.finalise_button, "primaryButton")
        self.finalise_button.clicked.connect(self.finalise)
        self.reopen_button = QPushButton(self.tr("Reopen as new revision…"))
        self.reopen_button.clicked.connect(self.reopen)
        actions.addStretch(1)
        actions.addWidget(self.reopen_button)
        actions.addWidget(self.finalise_button)
        column.addLayout(actions)
        column.addStretch(1)
        self.setWidget(body)
        self.refresh()

    # --- display --------------------------------------------------------------------------------

    def refresh(self) -> None:
        session = self.interview.session
        lang = session.lang
        catalog = session.catalog
        outcome = session.outcome()
        total = session.total()
        if outcome.judgement == "benchmark":
            verdict = self.tr("Benchmarking: no pass/fail judgement")
            colour = "palette(text)"
        elif outcome.passed is True:
            verdict, colour = self.tr("Passes"), "#2e8b57"
        elif outcome.passed is False:
            verdict, colour = self.tr("Does not pass"), "#c0392b"
        else:
            verdict, colour = self.tr("Open: not decided yet"), "#b07800"
        score = ""
        if total.max_points and total.percent is not None:
            score = (
                self.tr("%1 of %2 points (%3 %)")
                .replace("%1", f"{total.points:g}")
                .replace("%2", f"{total.max_points:g}")
                .replace("%3", f"{total.percent:.1f}")
            )
            if outcome.pass_percent:
                score += " · " + self.tr("threshold %1 %").replace("%1", f"{outcome.pass_percent:g}")
        self.outcome.setText(
            f"<span style='font-size:15pt; color:{colour}'><b>{html.escape(verdict)}</b></span><br>{html.escape(score)}"
        )
        self.reasons.setText("".join(f"• {html.escape(r)}<br>" for r in outcome.reasons))
        self.reasons.setVisible(bool(outcome.reasons))

        rows = [
            (f"{a.area_id}  {catalog.area_by_id[a.area_id].title.get(lang)}", a.points, a.max_points)
            for a in session.area_scores()
            if a.max_points > 0
        ]
        self.chart.set_scores(rows, outcome.pass_percent)
        self.chart.setVisible(bool(rows))
        if outcome.checks:
            icons = {ResultStatus.MET: "✓", ResultStatus.NOT_MET: "✗", ResultStatus.OPEN: "…"}
            self.checks.setText(
                "<b>"
                + html.escape(self.tr("Eligibility checks"))
                + "</b><br>"
                + "".join(
                    f"{icons.get(c.status, '')} {html.escape(c.label)}: {html.escape(c.status.label(lang))}<br>"
                    for c in outcome.checks
                )
            )
        elif not rows:
            counts: dict[ResultStatus, int] = {}
            for area in session.area_scores():
                for status, n in area.counts.items():
                    counts[status] = counts.get(status, 0) + n
            self.checks.setText(", ".join(f"{n} {s.label(lang)}" for s, n in counts.items()))
        else:
            self.checks.setText("")

        problems = session.problems()
        if problems:
            self.problems.setText(
                "".join(
                    f"<a href='{p.indicator_id}'>{html.escape(p.indicator_id)}</a> {html.escape(p.message)}<br>"
                    for p in problems[:60]
                )
                + (self.tr("… and %1 more").replace("%1", str(len(problems) - 60)) if len(problems) > 60 else "")
            )
        else:
            self.problems.setText(self.tr("None: every required answer is given."))
        follow_ups = session.follow_ups()
        self.follow_ups.setText(
            "".join(
                f"<a href='{i}'>{html.escape(i)}</a> {html.escape(catalog.indicator_by_id[i].title.get(lang))}<br>"
                for i in follow_ups
            )
            or self.tr("None")
        )

        self.refresh_signatures()
        editable = self.interview.editable
        for edit in self.text_edits.values():
            edit.setReadOnly(not editable)
        for button in self.signature_buttons.values():
            button.setEnabled(editable)
        self.finalise_button.setVisible(editable)
        self.reopen_button.setVisible(
            not editable and self.interview.assessment.status.value in ("finalised", "returned")
        )

    def refresh_signatures(self) -> None:
        """The signatures of the content as it is, and which were removed by a change after signing."""
        signed = {kind: (name, png) for kind, name, png, _at in self.interview.drawn_signatures()}
        self._signed_shown = bool(signed)
        for kind in ROLES:
            label = self.signature_images[kind]
            if kind in signed:
                name, png = signed[kind]
                pixmap = QPixmap()
                pixmap.loadFromData(QByteArray(png))
                height = self.fontMetrics().height() * 4
                label.setPixmap(pixmap.scaledToHeight(height, Qt.TransformationMode.SmoothTransformation))
                label.setToolTip(name)
                label.setAccessibleName(self.tr("Signed by %1").replace("%1", name))
            else:
                label.setText(self.tr("not signed yet"))
                label.setToolTip("")
                label.setAccessibleName(self.tr("not signed yet"))
        removed = self.interview.removed_signatures() if self.interview.editable else []
        self.signature_notice.setText(self._removed_text(removed))
        self.signature_notice.setVisible(bool(removed))

    def _removed_text(self, removed: list[RemovedSignature]) -> str:
        because = {
            "answers": self.tr("the answers changed after signing"),
            "note": self.tr("a note changed after signing"),
            "follow_up": self.tr("a follow-up flag changed after signing"),
            "override": self.tr("an override changed after signing"),
            "summary": self.tr("the closing texts for the report changed after signing"),
            "finding": self.tr("a finding for the report changed after signing"),
            "evidence_checklist": self.tr("the evidence seen changed after signing"),
            "revision": self.tr("the assessment was reopened as a new revision"),
        }
        by_reason: dict[str, list[str]] = {}
        for signature in removed:
            by_reason.setdefault(signature.reason, []).append(signature.signer_name)
        sentences = []
        for reason, names in by_reason.items():
            reason_text = because.get(reason, self.tr("the assessment changed after signing"))
            if len(names) == 1:
                sentence = self.tr("The signature of %1 was removed because %2; sign again.")
                who = names[0]
            else:
                sentence = self.tr("The signatures of %1 were removed because %2; sign again.")
                who = self.tr("%1 and %2").replace("%1", ", ".join(names[:-1])).replace("%2", names[-1])
            sentences.append(sentence.replace("%1", who).replace("%2", reason_text))
        return "\n".join(sentences)

    # --- texts ----------------------------------------------------------------------------------

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    def show_stored_texts(self) -> None:
        """The summary texts as stored (another program may have changed them); those typed and not
        saved yet stay as typed."""
        for name, edit in self.text_edits.items():
            stored = getattr(self.interview.assessment, name)
            if name not in self._pending and edit.toPlainText() != stored:
                with QSignalBlocker(edit):
                    edit.setPlainText(stored)

    def _text_edited(self, name: str, text: str) -> None:
        if not self.interview.editable:
            return
        self._pending[name] = text
        self.save_state_changed.emit("saving", self.tr("Saving…"))
        self._timer.start()

    def flush(self) -> None:
        self._timer.stop()
        if not self._pending:
            return
        pending, self._pending = self._pending, {}
        try:
            self.interview.set_summary_texts(pending)
        except AssessmentChangedError:
            self._pending = {**pending, **self._pending}  # saved on top of the stored state
            self.changed_elsewhere.emit()
            return
        except BaseException:
            self._pending = {**pending, **self._pending}
            raise
        if self._signed_shown:  # the change removed them
            self.refresh_signatures()
        self.save_state_changed.emit("saved", self.tr("Saved"))

    # --- signatures, finalisation ---------------------------------------------------------------

    def _sign(self, role: str) -> None:
        self.flush()
        assessment = self.interview.assessment
        default = (assessment.assessors[0] if assessment.assessors else "") if role == "assessor" else ""
        if role == "interviewee":
            default = assessment.organisation.contact.split(",")[0].strip()
        result = SignatureDialog.ask(default, self)
        if result is None:
            return
        name, png = result
        try:
            self.interview.add_drawn_signature(role, name, png)
        except AssessmentChangedError:
            self._changed_elsewhere_warning(
                self.tr("Signature not stored"),
                self.tr(
                    "This assessment was changed by another program (the command line?) while it was being "
                    "signed; the window now shows the stored answers. Check them and sign again."
                ),
            )
            return
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Signature not stored"), str(exc))
            return
        self.refresh()
        self.changed.emit()

    def finalise(self) -> None:
        self.flush()
        problems = self.interview.blocking_problems()
        if problems:
            listed = "\n".join(f"• {p.message}" for p in problems[:15])
            more = "\n" + self.tr("… and %1 more").replace("%1", str(len(problems) - 15)) if len(problems) > 15 else ""
            QMessageBox.warning(
                self,
                self.tr("Cannot finalise yet"),
                self.tr("These problems must be solved first:") + "\n\n" + listed + more,
            )
            return
        answer = QMessageBox.question(
            self,
            self.tr("Finalise assessment"),
            self.tr(
                "After finalising, the assessment is read-only. Changing it later starts a new revision. Finalise now?"
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.interview.finalise()
        except AssessmentChangedError:
            self._changed_elsewhere_warning(
                self.tr("Not finalised"),
                self.tr(
                    "This assessment was changed by another program (the command line?), so it was not "
                    "finalised; the window now shows the stored answers. Check them and finalise again."
                ),
            )
            return
        except UserError as exc:
            QMessageBox.warning(self, self.tr("Cannot finalise"), str(exc))
            return
        self.refresh()
        self.changed.emit()

    def _changed_elsewhere_warning(self, title: str, text: str) -> None:
        """Say why an action was refused, then let the workspace show the stored state."""
        QMessageBox.warning(self, title, text)
        self.changed_elsewhere.emit()

    def reopen(self) -> None:
        answer = QMessageBox.question(
            self,
            self.tr("Reopen assessment"),
            self.tr("Start revision %1? The finalised revision is kept unchanged.").replace(
                "%1", str(self.interview.assessment.revision + 1)
            ),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.interview.reopen()
        except AssessmentChangedError:
            self.changed_elsewhere.emit()
            return
        self.refresh()
        self.changed.emit()
