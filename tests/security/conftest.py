"""Tests never touch the real keyring: an in-memory keyring backend is installed for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.memory_keyring import InMemoryKeyring, failing_keyring, install_memory_keyring

__all__ = ["InMemoryKeyring", "failing_keyring"]


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryKeyring]:
    yield from install_memory_keyring(monkeypatch)
