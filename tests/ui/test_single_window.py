"""Two program windows on one data folder: the second start says the first is running (with its pid)
and exits without opening a window; the command line keeps working beside the window. Both are real
`python -m esca_desktop` processes."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from esca_desktop.storage.instance_lock import lock_holder

ROOT = Path(__file__).resolve().parents[2]


def program(data_dir: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "esca_desktop", "--data-dir", str(data_dir), *args]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "QT_QPA_PLATFORM": "offscreen", "ESCA_DESKTOP_CONFIG_DIR": str(tmp_path / "config")}


@pytest.fixture
def first_window(data_dir: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        program(data_dir), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while lock_holder(data_dir) != process.pid:
            assert process.poll() is None, "the first window exited"
            assert time.monotonic() < deadline, "the first window never took the lock"
            time.sleep(0.05)
        yield process
    finally:
        process.kill()
        process.wait(timeout=30)


@pytest.mark.slow
def test_a_second_window_on_the_same_folder_says_so_and_exits(
    data_dir: Path, env: dict[str, str], first_window: subprocess.Popen[bytes]
) -> None:
    second = subprocess.run(program(data_dir), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 2
    assert f"ESCA Assessor is already running on this data folder (pid {first_window.pid})" in second.stderr
    assert first_window.poll() is None  # the first window is left alone
    assert lock_holder(data_dir) == first_window.pid


@pytest.mark.slow
def test_the_command_line_works_beside_the_window(
    data_dir: Path, env: dict[str, str], first_window: subprocess.Popen[bytes]
) -> None:
    listed = subprocess.run(
        program(data_dir, "assessment", "list"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert listed.returncode == 0, listed.stderr
    assert "already running" not in listed.stderr


@pytest.mark.slow
def test_a_window_starts_after_the_first_was_killed(data_dir: Path, env: dict[str, str]) -> None:
    first = subprocess.Popen(program(data_dir), cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while lock_holder(data_dir) != first.pid and time.monotonic() < deadline:
        time.sleep(0.05)
    first.kill()
    first.wait(timeout=30)
    second = subprocess.Popen(program(data_dir), cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while lock_holder(data_dir) != second.pid:
            assert second.poll() is None, second.stderr.read() if second.stderr else ""
            assert time.monotonic() < deadline, "the stale lock was not taken over"
            time.sleep(0.05)
    finally:
        second.kill()
        second.wait(timeout=30)
