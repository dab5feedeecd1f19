"""A returned assessment in the workspace: the banner that says so, and the box on an indicator page
that shows the reviewer's comment and takes the assessor's reply and "resolved" flag.

The widgets only show and report; the workspace stores the reply (`Interview.set_review_reply`), which
goes back to the review service with the next finalised revision."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from esca_desktop.domain.model import ReviewComment
from esca_desktop.ui.style import role

REPLY_SAVE_DELAY_MS = 300


class ReviewCommentBox(QFrame):
    """The reviewer's comment on one indicator, with the assessor's reply and a resolved check box."""

    reply_changed = Signal(str, str, bool)  # indicator id, reply, resolved

    def __init__(self, comment: ReviewComment, read_only: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        role(self, "reviewBox")
        self.comment = comment
        self._pending = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REPLY_SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)

        title = QLabel(self.tr("Reviewer's comment on revision %1").replace("%1", str(comment.revision)))
        role(title, "sectionTitle")
        who = QLabel(f"{comment.reviewer}, {comment.at.astimezone():%Y-%m-%d}")
        role(who, "mutedLabel")
        heading = QHBoxLayout()
        heading.addWidget(title)
        heading.addStretch(1)
        heading.addWidget(who)
        self.comment_label = QLabel(comment.comment)
        self.comment_label.setWordWrap(True)
        self.comment_label.setTextFormat(Qt.TextFormat.PlainText)
        self.comment_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.comment_label.setAccessibleName(self.tr("Reviewer's comment"))
        self.reply_edit = QPlainTextEdit(comment.reply)
        self.reply_edit.setTabChangesFocus(True)
        self.reply_edit.setPlaceholderText(
            self.tr("Your reply: what you changed, or why it stays as it is (sent with the next revision)")
        )
        self.reply_edit.setAccessibleName(self.tr("Reply to the reviewer"))
        lines = self.reply_edit.fontMetrics().lineSpacing()
        self.reply_edit.setMinimumHeight(lines * 3 + 12)
        self.reply_edit.setMaximumHeight(lines * 4 + 12)
        self.reply_edit.setReadOnly(read_only)
        self.resolved = QCheckBox(self.tr("&Resolved"))
        self.resolved.setToolTip(self.tr("Mark the comment as dealt with"))
        self.resolved.setChecked(comment.resolved)
        self.resolved.setEnabled(not read_only)
        reply_label = QLabel(self.tr("Your re&ply"))
        reply_label.setBuddy(self.reply_edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addLayout(heading)
        layout.addWidget(self.comment_label)
        layout.addWidget(reply_label)
        layout.addWidget(self.reply_edit)
        layout.addWidget(self.resolved)
        self.reply_edit.textChanged.connect(self._edited)
        self.resolved.toggled.connect(lambda _on: self._edited(at_once=True))

    @property
    def has_pending(self) -> bool:
        return self._pending

    def _edited(self, at_once: bool = False) -> None:
        self._pending = True
        if at_once:
            self.flush()
        else:
            self._timer.start()

    def flush(self) -> None:
        """Hand the reply over to be stored (after a pause in typing, on a tick, on page change)."""
        self._timer.stop()
        if not self._pending:
            return
        self._pending = False
        self.reply_changed.emit(self.comment.indicator_id, self.reply_edit.toPlainText(), self.resolved.isChecked())


class ReviewBanner(QFrame):
    """ "Returned by the secretariat with 2 comments", at the top of the workspace, not modal."""

    go_requested = Signal()  # to the first comment still open
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        role(self, "reviewBanner")
        self.setAccessibleName(self.tr("Review result"))
        self.title = QLabel()
        role(self.title, "workspaceTitle")
        self.title.setWordWrap(True)
        self.detail = QLabel(
            self.tr(
                "Answer each comment on its indicator page and mark it resolved; the replies go back with the "
                "next finalised revision."
            )
        )
        self.detail.setWordWrap(True)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.title)
        text.addWidget(self.detail)
        self.go_button = QPushButton(self.tr("Go to the first co&mment"))
        self.go_button.clicked.connect(self.go_requested)
        self.close_button = QPushButton(self.tr("Dismiss"))
        self.close_button.setToolTip(self.tr("Hide this notice; the comments stay on their indicators"))
        self.close_button.clicked.connect(self._dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 8, 8, 8)
        layout.addLayout(text, 1)
        layout.addWidget(self.go_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.setVisible(False)

    def show_comments(self, comments: list[ReviewComment]) -> None:
        total = len(comments)
        resolved = sum(c.resolved for c in comments)
        if total == 1:
            text = self.tr("Returned by the secretariat with 1 comment")
        else:
            text = self.tr("Returned by the secretariat with %1 comments").replace("%1", str(total))
        if resolved:
            text += " · " + self.tr("%1 of %2 resolved").replace("%1", str(resolved)).replace("%2", str(total))
        self.title.setText(text)
        self.setAccessibleDescription(text)
        self.go_button.setText(
            self.tr("Go to the first co&mment") if resolved < total else self.tr("Go to the co&mments")
        )

    def _dismiss(self) -> None:
        self.setVisible(False)
        self.dismissed.emit()
