"""Text folding for searches typed on a laptop keyboard: case and diacritics do not matter, so that
"lodz" finds "Łódź", "strasse" finds "Straße" and "orebro" finds "Örebro"."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

# Letters that Unicode does not decompose into a base letter and a combining mark.
_SPECIAL = {
    "ł": "l",
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ħ": "h",
    "ı": "i",
    "ŀ": "l",
    "ŧ": "t",
    "ŋ": "n",
    "þ": "th",
    "æ": "ae",
    "œ": "oe",
    "ß": "ss",
    "ĸ": "k",
}


def fold(text: str) -> str:
    """`text` in lower case without diacritics: "Łódź" → "lodz", "Straße" → "strasse"."""
    lowered = text.casefold()
    if lowered.isascii():  # most rows of a list: skip the decomposition
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    if decomposed.isascii():
        return decomposed
    special, combining = _SPECIAL.get, unicodedata.combining
    return "".join(special(char, char) for char in decomposed if not combining(char))


def search_words(query: str) -> list[str]:
    """The folded words of a typed query; an empty query gives no words (everything matches)."""
    return fold(query).split()


def matches_all(words: Iterable[str], folded_haystack: str) -> bool:
    """Whether every word occurs in the (already folded) haystack."""
    return all(word in folded_haystack for word in words)
