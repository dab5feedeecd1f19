"""What a killed process leaves in the data folder (a staging folder of an import, a half-copied
evidence file, the unsigned report on its way to being signed) is removed at the next start; what a
process still running is writing is left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from esca_desktop.context import open_context
from esca_desktop.paths import evidence_dir

ROOT = Path(__file__).resolve().parents[2]


def _ended_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait(timeout=60)
    return process.pid


def _name(kind: str, pid: int, suffix: str = "") -> str:
    return f".esca-{kind}-{pid}-0123456789ab{suffix}"


def test_leftovers_of_an_ended_process_are_removed_at_start_and_a_running_ones_kept(data_dir: Path) -> None:
    open_context(data_dir).close()
    dead = _ended_pid()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        evidence = evidence_dir(data_dir)
        folder = evidence / "4f1c2a9e-0000-4000-8000-000000000001"
        folder.mkdir(parents=True)
        kept_evidence = folder / "9d4e1b7a-0000-4000-8000-000000000002.pdf"
        kept_evidence.write_bytes(b"%PDF-1.4 attached")
        scratch = data_dir / "tmp"  # paths.temp_dir
        scratch.mkdir()
        leftovers = [
            evidence / _name("import", dead),
            folder / _name("partial", dead),
            scratch / _name("unsigned", dead, ".pdf"),
        ]
        running = [
            evidence / _name("import", alive.pid),
            folder / _name("partial", alive.pid),
            scratch / _name("unsigned", alive.pid, ".pdf"),
        ]
        for path in leftovers + running:
            if "import" in path.name:
                path.mkdir()
                (path / "9d4e1b7a-0000-4000-8000-000000000003.pdf").write_bytes(b"staged")
            else:
                path.write_bytes(b"%PDF-1.4 half")
        legacy_old, legacy_new = evidence / (".import-" + "a" * 32), evidence / (".import-" + "b" * 32)
        legacy_old.mkdir()
        legacy_new.mkdir()
        two_days_ago = time.time() - 2 * 24 * 3600
        os.utime(legacy_old, (two_days_ago, two_days_ago))

        open_context(data_dir).close()

        assert [p for p in leftovers if p.exists()] == []
        assert all(p.exists() for p in running), "a running process's files must be left alone"
        assert kept_evidence.read_bytes() == b"%PDF-1.4 attached"
        assert not legacy_old.exists() and legacy_new.exists()
    finally:
        alive.kill()
        alive.wait(timeout=30)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_partial_evidence_copy_of_a_killed_process_is_removed_at_the_next_start(data_dir: Path) -> None:
    """A real process killed in the middle of copying a file into the evidence folder."""
    context = open_context(data_dir)
    from esca_desktop.services.assessments import AssessmentService
    from tests.conftest import new_request

    assessment_id, _ = AssessmentService(context).create(new_request())
    context.close()
    copier = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "import esca_desktop.services.evidence_files as files\n"
        "real_read = files._read\n"
        "def slow(reader):\n"
        "    chunk = real_read(reader)\n"
        "    print('copying', flush=True); time.sleep(60)\n"  # killed here, with the copy half done
        "    return chunk\n"
        "files._read = slow\n"
        "from esca_desktop.context import open_context\n"
        "from esca_desktop.services.assessments import AssessmentService\n"
        "context = open_context(sys.argv[1])\n"
        "AssessmentService(context).open(sys.argv[2]).add_evidence(Path(sys.argv[3]))\n"
    )
    source = data_dir.parent / "minutes.pdf"
    source.write_bytes(b"%PDF-1.4 " + b"x" * (3 * 1024**2))
    process = subprocess.Popen(
        [sys.executable, "-c", copier, str(data_dir), assessment_id, str(source)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "copying"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    folder = evidence_dir(data_dir) / assessment_id
    (partial,) = list(folder.iterdir())
    assert partial.name.startswith(f".esca-partial-{process.pid}-")  # never under an evidence file's name

    open_context(data_dir).close()
    assert list(folder.iterdir()) == []
