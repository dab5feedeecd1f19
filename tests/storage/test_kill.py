"""A process killed (SIGKILL) in the middle of a stream of answer commits loses nothing it reported
as saved, and leaves a database that passes SQLite's integrity check and our audit-chain check."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from esca_desktop.context import open_context
from esca_desktop.paths import database_path
from esca_desktop.services.assessments import AssessmentService
from tests.conftest import new_request

WRITER = """
import sys
from esca_desktop.context import open_context
from esca_desktop.services.assessments import AssessmentService
service = AssessmentService(open_context(sys.argv[1]))
interview = service.open(sys.argv[2])
n = 0
while True:
    n += 1
    result, _ = interview.answer("1.1.2.participants", str(n))
    assert result.stored
    print(n, flush=True)
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_during_answer_stream_keeps_every_reported_commit(data_dir: Path) -> None:
    context = open_context(data_dir)
    assessment_id, _ = AssessmentService(context).create(new_request())
    context.close()

    process = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data_dir), assessment_id],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    reported: list[int] = []
    deadline = time.monotonic() + 60
    while len(reported) < 300 and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        reported.append(int(line))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert len(reported) >= 300, "the writer did not get going"

    with sqlite3.connect(database_path(data_dir)) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    context = open_context(data_dir)
    service = AssessmentService(context)
    stored_value = service.open(assessment_id).session.value("1.1.2.participants")
    assert isinstance(stored_value, int) and stored_value >= reported[-1]
    audited = {entry.new for entry in service.audit(assessment_id) if entry.action == "answer"}
    assert set(reported) <= audited
    assert service.verify_audit(assessment_id).ok
    context.close()
