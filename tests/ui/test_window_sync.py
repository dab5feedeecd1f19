"""The window against the real review service on 127.0.0.1: sign in, sync a finalised assessment,
get it back returned with a comment that shows on its indicator page, sign out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from esca_desktop.app import build_window
from esca_desktop.central.cli import run as central_run
from esca_desktop.services import sync as sync_service
from esca_desktop.services.assessments import AssessmentService
from esca_desktop.services.signing import identity_store
from esca_desktop.ui.sync_actions import SignInDialog
from tests.central.harness import Central, finalised_bronze


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

    def sign_in(dialog: SignInDialog) -> int:
        dialog.server.setText(central.url)
        dialog.token.setText(central.assessor_token)
        return 1

    answers = iter([1, 0])
    monkeypatch.setattr(SignInDialog, "exec", lambda self: sign_in(self) if next(answers) else 0)
    window.sync_actions.sign_in()
    assert "Signed in as Anna Assessor" in window.save_label.text()

    assessment_id = finalised_bronze(context)
    window.sync_actions.sync()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=60_000)
    assert "1 sent" in window.save_label.text()
    with central.api(central.reviewer_token) as api:
        response = api.post(
            f"/submissions/{assessment_id}/1/return",
            json={"comments": {"B2.2": "Please show the employment contracts."}},
        )
        assert response.status_code == 200, response.text
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
    with central.api(central.reviewer_token) as api:
        comments = {"B2.2": "Please show the employment contracts.", "B6.5": "Where do the member numbers come from?"}
        assert api.post(f"/submissions/{assessment_id}/1/return", json={"comments": comments}).status_code == 200

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
    with central.api(central.reviewer_token) as api:
        comments = {"B2.2": "Please show the employment contracts.", "B6.5": "Where do the member numbers come from?"}
        assert api.post(f"/submissions/{assessment_id}/1/return", json={"comments": comments}).status_code == 200
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
