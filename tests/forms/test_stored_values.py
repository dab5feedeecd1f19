"""Stored answers judged against their field (`stored_value_problem`): what a bundle or the database
may hold for a field is exactly what the program could have stored for it, within the field's bounds."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esca_desktop.forms.catalog import FieldType
from esca_desktop.forms.values import parse_value, shorten, stored_value_problem, to_json
from tests.forms.test_values import make_field


@pytest.mark.parametrize(
    ("type_", "options", "data", "problem"),
    [
        (FieldType.INTEGER, {}, 10**400, "is too large"),
        (FieldType.INTEGER, {"minimum": 0}, -1, "must be at least 0"),
        (FieldType.INTEGER, {}, 2.0, "is not a value of type integer"),
        (FieldType.INTEGER, {}, True, "is not a value of type integer"),
        (FieldType.INTEGER, {}, "12", "is not a value of type integer"),
        (FieldType.YEAR, {}, 1066, "must be at least 1800"),
        (FieldType.DECIMAL, {}, "NaN", "is not a finite number"),
        (FieldType.DECIMAL, {}, "-Infinity", "is not a finite number"),
        (FieldType.DECIMAL, {}, "1e400", "is too large"),
        (FieldType.DECIMAL, {}, "0." + "1" * 41, "has more than 40 digits"),
        (FieldType.DECIMAL, {}, 2.5, "is not a value of type decimal"),
        (FieldType.DECIMAL, {}, "two", "is not a value of type decimal"),
        (FieldType.DECIMAL, {"maximum": 60}, "61", "must be at most 60"),
        (FieldType.PERCENT, {}, "100.5", "must be at most 100"),
        (FieldType.MONEY, {"minimum": 0}, "-5", "must be at least 0"),
        (FieldType.DATE, {}, "2026-02-30", "is not a value of type date"),
        (FieldType.DATE, {}, "3.12.2026", "is not a value of type date"),
        (FieldType.YES_NO, {}, 1, "is not a value of type yes_no"),
        (FieldType.SINGLE_CHOICE, {}, "pirates", "'pirates' is not one of"),
        (FieldType.SINGLE_CHOICE, {}, "Companies", "is not written as this program stores"),
        (FieldType.MULTIPLE_CHOICE, {}, ["public", "companies"], "is not written as this program stores"),
        (FieldType.MULTIPLE_CHOICE, {}, ["companies", 3], "is not a value of type multiple_choice"),
        (FieldType.SHORT_TEXT, {}, "x" * 301, "is too long: at most 300 characters"),
        (FieldType.SHORT_TEXT, {}, "two\nlines", "expects a single line"),
        (FieldType.LONG_TEXT, {}, "x" * 50_001, "is too long: at most 50000 characters"),
        (FieldType.URL, {}, "javascript:alert(1)", "expects a web address"),
    ],
)
def test_a_stored_value_the_field_could_not_have_is_named(
    type_: FieldType, options: dict[str, Any], data: Any, problem: str
) -> None:
    found = stored_value_problem(make_field(type_, **options), data)
    assert found is not None and problem in found, found


@pytest.mark.parametrize(
    ("type_", "data"),
    [
        (FieldType.INTEGER, 10**15),
        (FieldType.DECIMAL, "1234.5"),
        (FieldType.DECIMAL, "0.30000000000000004"),  # from a float given to `answer_many`
        (FieldType.PERCENT, "100"),
        (FieldType.DATE, "2026-12-03"),
        (FieldType.YES_NO, False),
        (FieldType.MULTIPLE_CHOICE, ["companies", "public"]),
        (FieldType.URL, "https://example.org"),
        (FieldType.LONG_TEXT, "line one\nline two"),
        (FieldType.SHORT_TEXT, None),
    ],
)
def test_what_the_program_stores_is_accepted(type_: FieldType, data: Any) -> None:
    assert stored_value_problem(make_field(type_), data) is None


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_every_integer_that_can_be_typed_is_accepted_as_stored(number: int) -> None:
    field = make_field(FieldType.INTEGER)
    assert stored_value_problem(field, to_json(field, parse_value(field, str(number)))) is None


def test_a_long_value_is_shortened_in_a_message_with_its_length() -> None:
    assert shorten(10**400) == f"{'1' + '0' * 27}…000000 (401 characters)"
    assert shorten("short") == '"short"'
