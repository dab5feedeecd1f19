"""Command-line verbs (being written)."""

from __future__ import annotations

from typing import Any

from esca_desktop.cli.base import Handlers


def register(verbs: Any) -> Handlers:
    return {}
