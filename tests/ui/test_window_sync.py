"""The window against the real review service on 127.0.0.1: sign in, sync a finalised assessment,
get it back returned with a comment that shows on its indicator page, sign out; the sync state in
the status bar and the list; and a server that accepts connections and never answers, which
neither freezes the window nor outlasts Cancel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from esca_desktop.app import build_window
from esca_desktop.central.cli import run as central_run
from esca_desktop.services import sync as sync_service
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.services.signing import identity_store
from esca_desktop.sync.client import HttpTransport, Timeouts
from esca_desktop.ui.assessment_list import SYNC_COLUMN
from esca_desktop.ui.main_window import MainWindow
from esca_desktop.ui.sync_actions import SignInDialog
from tests.central.harness import Central, finalised_bronze
from tests.memory_keyring import InMemoryKeyring
from tests.sync.silent_server import SilentServer, silent_server

__all__ = ["silent_server"]  # the fixture, used below


def sign_in(qtbot: QtBot, window: MainWindow, server: str, token: str) -> SignInDialog:
    """Open Sync → Sign in, fill it in and press OK (the check then runs off the GUI thread)."""
    window.sync_actions.sign_in_action.trigger()
    dialog = window.sync_actions.sign_in_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.server.setText(server)
    dialog.token.setText(token)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    return dialog


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The message boxes the window showed (title: text), instead of showing them."""
    texts: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: texts.append(f"{title}: {text}"))
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text, *a: texts.append(f"{title}: {text}"))
    return texts


@pytest.fixture
def window(qtbot: QtBot, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    monkeypatch.setenv("ESCA_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    window = build_window(str(data_dir), interactive_errors=False)
    qtbot.addWidget(window)
    window.show()
    window.start(str(data_dir))
    assert window.context is not None
    window.context.set_actor("Anna Assessor")
    yield window
    window.close()


TWO_COMMENTS = {"B2.2": "Please show the employment contracts.", "B6.5": "Where do the member numbers come from?"}


def return_with_comments(central: Central, assessment_id: str, comments: dict[str, str]) -> None:
    """The secretariat returns revision 1 with a comment on each indicator named."""
    with central.api(central.reviewer_token) as api:
        response = api.post(f"/submissions/{assessment_id}/1/return", json={"comments": comments})
        assert response.status_code == 200, response.text


def sync_cell(window: MainWindow, assessment_id: str) -> str:
    model = window.list_page.model
    return str(model.index(model.row_of(assessment_id), SYNC_COLUMN).data())


def test_sync_from_the_window_and_a_returned_assessment_shows_the_comment(
    qtbot: QtBot,
    data_dir: Path,
    tmp_path: Path,
    central: Central,
    memory_keyring: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ESCA_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: shown.append(f"{title}: {text}"))
    monkeypatch.setattr(QMessageBox, "information", lambda _p, title, text, *a: shown.append(f"{title}: {text}"))
    window = build_window(str(data_dir), interactive_errors=False)
    qtbot.addWidget(window)
    window.show()
    window.start(str(data_dir))
    assert window.context is not None
    context = window.context
    context.set_actor("Anna Assessor")
    identity_store(context).create("Anna Assessor", "anna@example.org")

    window.sync_actions.sync()  # not signed in: says so, changes nothing
    assert shown and "Not signed in" in shown[-1]

    sign_in(qtbot, window, central.url, central.assessor_token)
    qtbot.waitUntil(lambda: "Signed in as Anna Assessor" in window.save_label.text(), timeout=30_000)
    assert window.sync_actions.sign_in_dialog is None  # closed once the server said yes

    assessment_id = finalised_bronze(context)
    window.sync_actions.sync()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=60_000)
    assert "1 sent" in window.save_label.text()
    return_with_comments(central, assessment_id, {"B2.2": "Please show the employment contracts."})
    window.sync_actions.sync()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=60_000)
    assessment = AssessmentService(context).get(assessment_id)
    assert assessment.status.editable and assessment.revision == 2
    window.open_assessment(assessment_id)
    assert window.workspace is not None
    window.workspace.jump_to("B2.2")
    page = window.workspace.page
    assert page is not None
    assert any("employment contracts" in label.text() for label in page.findChildren(QLabel))

    window.sync_actions.sign_out()
    assert "Signed out" in window.save_label.text()
    window.close()


def _signed_in_window(
    qtbot: QtBot, data_dir: Path, tmp_path: Path, central: Central, monkeypatch: pytest.MonkeyPatch
) -> Any:
    monkeypatch.setenv("ESCA_DESKTOP_CONFIG_DIR", str(tmp_path / "config"))
    window = build_window(str(data_dir), interactive_errors=False)
    qtbot.addWidget(window)
    window.show()
    window.start(str(data_dir))
    assert window.context is not None
    window.context.set_actor("Anna Assessor")
    identity_store(window.context).create("Anna Assessor", "anna@example.org")
    sync_service.login(window.context, central.url, central.assessor_token)
    return window


def _sync(qtbot: QtBot, window: Any) -> None:
    window.sync_actions.sync()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=60_000)


def test_a_returned_assessment_reloads_in_the_open_window_with_notice_markers_and_comments(
    qtbot: QtBot,
    data_dir: Path,
    tmp_path: Path,
    central: Central,
    memory_keyring: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    window = _signed_in_window(qtbot, data_dir, tmp_path, central, monkeypatch)
    assessment_id = finalised_bronze(window.context)
    window.open_assessment(assessment_id)
    _sync(qtbot, window)  # sent while it is open (read-only)
    before = window.workspace
    assert before is not None and before.read_only and not before.review_banner.isVisible()
    return_with_comments(central, assessment_id, TWO_COMMENTS)

    _sync(qtbot, window)  # F5 / Sync now: nothing reopened by hand

    workspace = window.workspace
    assert workspace is not None and not workspace.read_only
    assert "revision 2" in workspace.details.text()
    banner = workspace.review_banner
    assert banner.isVisible()
    assert banner.title.text() == "Returned by the secretariat with 2 comments"
    navigator = workspace.navigator
    assert [i for i in navigator._items if navigator.review_marker(i)] == ["B2.2", "B6.5"]
    marked = navigator._items["B2.2"].data(0, Qt.ItemDataRole.AccessibleDescriptionRole)
    assert "reviewer's comment to answer" in marked
    assert "reviewer" not in navigator._items["B1.1"].data(0, Qt.ItemDataRole.AccessibleDescriptionRole)

    qtbot.mouseClick(banner.go_button, Qt.MouseButton.LeftButton)
    page = workspace.page
    assert page is not None and page.indicator.id == "B2.2"
    assert page.review_box is not None and page.review_box.isVisibleTo(window)
    assert page.review_box.comment_label.text() == "Please show the employment contracts."
    assert not page.review_box.reply_edit.isReadOnly()
    window.close()


def test_a_reply_and_resolved_flag_from_the_window_reach_the_review_service(
    qtbot: QtBot,
    data_dir: Path,
    tmp_path: Path,
    central: Central,
    memory_keyring: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    window = _signed_in_window(qtbot, data_dir, tmp_path, central, monkeypatch)
    assessment_id = finalised_bronze(window.context)
    _sync(qtbot, window)
    return_with_comments(central, assessment_id, TWO_COMMENTS)
    _sync(qtbot, window)
    window.open_assessment(assessment_id)
    workspace = window.workspace
    assert workspace is not None
    workspace.go_to_first_comment()
    box = workspace.page.review_box
    assert box is not None
    box.reply_edit.setFocus()
    qtbot.keyClicks(box.reply_edit, "Contracts attached.")
    box.resolved.setChecked(True)  # stores at once, with the reply typed so far
    assert workspace.navigator.review_marker("B2.2") == "resolved"
    assert workspace.review_banner.title.text() == "Returned by the secretariat with 2 comments · 1 of 2 resolved"
    workspace.go_to_first_comment()  # the next one still open
    assert workspace.page.indicator.id == "B6.5"
    qtbot.keyClicks(workspace.page.review_box.reply_edit, "From the member register.")
    window.close_assessment()  # leaving stores what was typed

    service = AssessmentService(window.context)
    interview = service.open(assessment_id)
    assert [(c.indicator_id, c.reply, c.resolved) for c in interview.review_comments()] == [
        ("B2.2", "Contracts attached.", True),
        ("B6.5", "From the member register.", False),
    ]
    interview.finalise()
    _sync(qtbot, window)

    capsys.readouterr()
    assert central_run(["review", "show", assessment_id, "--db", str(central.database)]) == 0
    shown = capsys.readouterr().out
    assert "Replies to the comments on revision 1:" in shown
    assert "reply by Anna Assessor (resolved): Contracts attached." in shown
    assert "reply by Anna Assessor (open): From the member register." in shown
    window.close()


def test_the_window_shows_what_is_queued_sent_returned_and_approved_and_the_last_sync(
    qtbot: QtBot, window: MainWindow, central: Central, memory_keyring: InMemoryKeyring, shown: list[str]
) -> None:
    context = window.context
    assert context is not None
    identity_store(context).create("Anna Assessor", "anna@example.org")
    assessment_id = finalised_bronze(context)
    window.refresh_list()
    assert window.sync_label.text() == "Not signed in · 1 queued"
    assert sync_cell(window, assessment_id) == "queued"

    sign_in(qtbot, window, central.url, central.assessor_token)
    qtbot.waitUntil(lambda: "Signed in" in window.save_label.text(), timeout=30_000)
    assert window.sync_label.text() == "Not synced yet · 1 queued"
    assert central.url in window.sync_label.toolTip()

    window.sync_actions.sync()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=60_000)
    last_sync = sync_service.status(context).last_sync_at
    assert last_sync is not None
    assert window.sync_label.text() == f"Last sync {last_sync.astimezone():%H:%M}"  # nothing queued any more
    sent = sync_service.outbox(context)[0].sent_at
    assert sent is not None and sync_cell(window, assessment_id) == f"sent {sent.astimezone():%H:%M}"

    return_with_comments(central, assessment_id, {"B2.2": "Please show the employment contracts."})
    window.sync_actions.sync()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=60_000)
    assert sync_cell(window, assessment_id) == "returned · 1 comment"

    interview = AssessmentService(context).open(assessment_id)
    interview.finalise()  # revision 2, queued again
    window.refresh_list()
    assert sync_cell(window, assessment_id) == "queued" and window.sync_label.text().endswith("· 1 queued")
    window.sync_actions.sync()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=60_000)
    with central.api(central.reviewer_token) as api:
        assert api.post(f"/submissions/{assessment_id}/2/approve").status_code == 200
    window.sync_actions.sync()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=60_000)
    assert sync_cell(window, assessment_id) == "approved ✓"
    assert not shown  # every sync went through


def test_signing_in_to_a_server_that_never_answers_keeps_the_window_responsive_and_cancel_ends_it(
    qtbot: QtBot, window: MainWindow, silent_server: SilentServer, memory_keyring: InMemoryKeyring
) -> None:
    dialog = sign_in(qtbot, window, silent_server.url, "esca_some-token")
    qtbot.waitUntil(lambda: silent_server.connections == 1)  # the server took the connection, and says nothing

    ticked: list[bool] = []
    QTimer.singleShot(0, lambda: ticked.append(True))
    qtbot.waitUntil(lambda: bool(ticked))  # the event loop runs while the sign-in waits
    assert window.tasks.busy and dialog.checking
    assert silent_server.url in dialog.busy_label.text()

    dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()

    assert not dialog.isVisible() and not window.tasks.busy  # at once, not when the server gives up
    assert window.save_label.text() == "Sign-in cancelled: nothing was stored"
    assert window.sync_actions.sign_in_action.isEnabled() and window.sync_actions.sync_action.isEnabled()

    silent_server.answer(200, {"name": "Anna Assessor", "role": "assessor"})  # the server answers after all
    qtbot.waitUntil(lambda: window.tasks.lingering == 0, timeout=10_000)
    assert window.context is not None
    assert not sync_service.status(window.context).signed_in
    assert memory_keyring.secrets == {}  # the abandoned sign-in stored nothing
    assert window.sync_label.text() == "Not signed in"


def test_signing_in_to_a_server_that_never_answers_ends_with_a_clear_message(
    qtbot: QtBot, window: MainWindow, silent_server: SilentServer, memory_keyring: InMemoryKeyring
) -> None:
    window.sync_actions.transport_factory = lambda url: HttpTransport(url, Timeouts(read=0.5))
    dialog = sign_in(qtbot, window, silent_server.url, "esca_some-token")

    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=20_000)

    assert dialog.error.text().startswith(
        f"Cannot sign in. The server at {silent_server.url} did not answer within 0.5 s"
    )
    assert dialog.error.text().endswith("Nothing was stored.")
    assert dialog.isVisible() and dialog.server.isEnabled()  # to correct the address, or try again
    assert not window.tasks.busy and memory_keyring.secrets == {}


def test_syncing_with_a_server_that_never_answers_can_be_cancelled_and_then_says_why(
    qtbot: QtBot, window: MainWindow, silent_server: SilentServer, memory_keyring: InMemoryKeyring, shown: list[str]
) -> None:
    context = window.context
    assert context is not None
    identity_store(context).create("Anna Assessor", "anna@example.org")
    assessment_id = finalised_bronze(context)
    sync_service.sync_store(context).sign_in(silent_server.url, "Anna Assessor")
    memory_keyring.set_password("esca-desktop", f"review-service-token/{silent_server.url}", "esca_some-token")

    window.sync_actions.transport_factory = lambda url: HttpTransport(url, Timeouts(read=3))
    window.sync_actions.sync()
    qtbot.waitUntil(lambda: silent_server.connections == 1)  # it asks first whether the server is there
    progress = window.sync_actions.progress_dialog
    assert progress is not None and window.tasks.busy
    progress.findChild(QPushButton).click()  # Cancel
    assert not window.tasks.busy and window.sync_actions.progress_dialog is None  # at once
    assert window.save_label.text() == "Sync cancelled: what was not sent stays queued for the next sync"
    assert not shown

    window.sync_actions.transport_factory = lambda url: HttpTransport(url, Timeouts(read=0.5))
    window.sync_actions.sync()  # starts once the cancelled run has given up
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)

    [message] = shown
    assert f"The server at {silent_server.url} did not answer within 0.5 s" in message
    assert "Nothing was lost: 1 upload(s) stay queued" in message
    assert not window.tasks.busy and silent_server.connections == 2
    qtbot.waitUntil(lambda: window.tasks.lingering == 0, timeout=10_000)
    assert [item.state for item in sync_service.outbox(context)] == ["queued"]
    assert sync_cell(window, assessment_id) == "queued"
    assert window.sync_label.text() == "Not synced yet · 1 queued"
