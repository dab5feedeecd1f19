"""Text for a terminal: what others wrote (an organisation's name, a reviewer's comment, a bundle's
signer) must never steer the terminal it is printed on.

`terminal_safe` writes control characters — C0 (but line feed and tab, unless asked), DEL, C1 (which
holds the 8-bit CSI) — and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) as
visible ``\\uXXXX`` escapes. Those are JSON's own escapes, and such characters stand only inside strings
in JSON text: a JSON document passed through it still parses to the same value. Both command lines
print every line through it.
"""

from __future__ import annotations

import re

_UNSAFE = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_UNSAFE_IN_TEXT = re.compile(f"[{_UNSAFE}]")
_UNSAFE_IN_LINE = re.compile(f"[{_UNSAFE}\t\n]")


def _escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def terminal_safe(text: str, *, multiline: bool = True) -> str:
    """`text` with its control and bidi-override characters as visible escapes (``\\u001b``); line feeds
    and tabs stay when `multiline`, else they are escaped too (a table cell, a value on one line)."""
    pattern = _UNSAFE_IN_TEXT if multiline else _UNSAFE_IN_LINE
    return pattern.sub(_escape, text)
