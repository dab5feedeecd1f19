"""The window against the real review service on 127.0.0.1: sign in, sync a finalised assessment,
get it back returned with a comment that shows on its indicator page, sign out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from esca_desktop.app import build_window
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
