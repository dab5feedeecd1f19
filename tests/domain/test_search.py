"""Searching folds case and diacritics, so that names can be found with a plain keyboard."""

from __future__ import annotations

import pytest

from esca_desktop.domain.search import fold, matches_all, search_words


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Łódź", "lodz"),
        ("Straße", "strasse"),
        ("Ørsted", "orsted"),
        ("Đakovo", "dakovo"),
        ("Þórshöfn", "thorshofn"),
        ("Ærø", "aero"),
        ("Größe des Clusters", "grosse des clusters"),
        ("Ελληνικό", "ελληνικο"),
        ("Клъстер София", "клъстер софия"),
    ],
)
def test_fold_drops_case_and_diacritics(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_a_plain_query_finds_a_name_with_diacritics() -> None:
    assert matches_all(search_words("lodz KLASTER"), fold("Klaster Łódź · Poland"))
    assert matches_all(search_words("Łódź"), fold("Klaster Lodz"))
    assert not matches_all(search_words("lodz warsaw"), fold("Klaster Łódź"))


def test_an_empty_query_matches_everything() -> None:
    assert search_words("   ") == []
    assert matches_all(search_words(""), fold("anything"))
