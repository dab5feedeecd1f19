"""One window per data folder: a second program is refused with the holder's pid, a lock left by a
killed program is taken over, and other folders are not affected. The holder is a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from esca_desktop.storage.instance_lock import AlreadyRunningError, acquire_instance_lock, lock_holder

ROOT = Path(__file__).resolve().parents[2]
HOLDER = """
import sys, time
from pathlib import Path
from esca_desktop.storage.instance_lock import acquire_instance_lock
lock = acquire_instance_lock(Path(sys.argv[1]))
print("held", flush=True)
time.sleep(120)
"""


@pytest.fixture
def holder(data_dir: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "held"
        yield process
    finally:
        process.kill()
        process.wait(timeout=30)


def test_a_second_program_on_the_same_folder_is_refused_with_the_pid(
    data_dir: Path, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(AlreadyRunningError) as refused:
        acquire_instance_lock(data_dir)
    assert f"ESCA Assessor is already running on this data folder (pid {holder.pid})" in str(refused.value)
    assert refused.value.pid == holder.pid
    assert lock_holder(data_dir) == holder.pid


def test_the_refusal_speaks_german(data_dir: Path, holder: subprocess.Popen[str]) -> None:
    with pytest.raises(AlreadyRunningError, match=f"läuft bereits mit diesem Datenordner \\(PID {holder.pid}\\)"):
        acquire_instance_lock(data_dir, "de")


def test_a_lock_left_by_a_killed_program_is_taken_over(data_dir: Path, holder: subprocess.Popen[str]) -> None:
    holder.kill()
    holder.wait(timeout=30)
    assert lock_holder(data_dir) == holder.pid  # its pid is still written there: a stale lock
    with acquire_instance_lock(data_dir) as lock:
        assert lock.held
        assert lock_holder(data_dir) == os.getpid()


def test_another_data_folder_is_free(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    other = tmp_path / "other"
    other.mkdir()
    with acquire_instance_lock(other) as lock:
        assert lock.held


def test_a_released_lock_lets_the_next_window_start(data_dir: Path) -> None:
    first = acquire_instance_lock(data_dir)
    with pytest.raises(AlreadyRunningError):
        acquire_instance_lock(data_dir)
    first.release()
    assert lock_holder(data_dir) is None
    with acquire_instance_lock(data_dir) as second:
        assert second.held
