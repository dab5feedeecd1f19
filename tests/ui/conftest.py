"""UI test guard: refuse to run on a PySide6 build that would abort the whole test process."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtGui import QPen


def _pyside_drops_references_to_none() -> bool:
    """PySide6 6.12.0 on Python 3.11 returns None from void methods without a new reference:
    after a few thousand calls CPython aborts the whole process ("deallocating None")."""
    probe = QPen()
    before = sys.getrefcount(None)
    for _ in range(8):
        probe.setWidthF(1.0)
    return sys.getrefcount(None) <= before - 8  # every call lost one


@pytest.fixture(autouse=True)
def _working_bindings() -> None:
    if _pyside_drops_references_to_none():
        pytest.fail(
            "this PySide6 build drops references to None on Python < 3.12 and would abort the run; "
            "use a PySide6 other than 6.12.0 (6.11.3 works) or Python >= 3.12",
            pytrace=False,
        )


from tests.central.harness import central, memory_keyring  # noqa: E402 - shared fixtures of the review service

__all__ = ["central", "memory_keyring"]
