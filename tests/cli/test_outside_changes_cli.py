"""The command line in a second process beside an open interview (as beside the window): what it
changes is seen, and the interview's stale copy never finalises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from esca_desktop.domain.model import AssessmentStatus
from esca_desktop.services.assessments import AssessmentChangedError, AssessmentService
from esca_desktop.services.demo import create_demo_assessments


def command_line(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ESCA_DESKTOP_ASSESSOR": "Command Line", "ESCA_DESKTOP_CONFIG_DIR": str(data_dir / "cfg")}
    return subprocess.run(
        [sys.executable, "-m", "esca_desktop", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_the_command_line_in_another_process_is_seen_and_a_stale_finalise_refused(
    service: AssessmentService, data_dir: Path
) -> None:
    gold_id = create_demo_assessments(service)["gold"]
    window = service.open(gold_id)  # held open, as the window holds it
    assert window.session.total().points == 133

    cleared = command_line(data_dir, "assessment", "answer", gold_id, "1.1.1.companies", "")
    assert cleared.returncode == 0, cleared.stderr
    refused = command_line(data_dir, "assessment", "finalise", gold_id)
    assert refused.returncode == 2 and "1.1.1.companies" in refused.stderr

    assert window.changed_elsewhere()
    with pytest.raises(AssessmentChangedError):
        window.finalise()
    assert service.get(gold_id).status is AssessmentStatus.IN_PROGRESS
    assert window.session.value("1.1.1.companies") is None
    assert window.session.total().points == 128 and window.session.outcome().passed is None

    window.answer("1.1.1.companies", "236")  # the window's edit now goes on top of the stored state
    finalised = command_line(data_dir, "assessment", "finalise", gold_id)
    assert finalised.returncode == 0, finalised.stderr
    assert window.changed_elsewhere()
    verified = command_line(data_dir, "assessment", "audit", gold_id, "--verify")
    assert verified.returncode == 0 and verified.stdout.startswith("OK")
