"""Keys of the indicator page's own commands: the window's Edit menu offers them, the page shows them in
its tooltips. A leaf module, so that the window does not import the page before an assessment opens."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

# Ctrl+Shift+S (summary) and Ctrl+Shift+Z (redo) are taken by the window.
NOTES_KEYS = "Ctrl+Shift+N"
FOLLOW_UP_KEYS = "Ctrl+Shift+F"
ATTACH_KEYS = "Ctrl+Shift+A"
FINDING_KEYS = "Ctrl+Shift+R"


def keys_text(keys: str) -> str:
    """The keys as the platform writes them (Ctrl+Shift+N, or ⇧⌘N on a Mac)."""
    return QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)
