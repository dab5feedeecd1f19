"""Typed answers: parsing what a person typed, range checks, the JSON form and the display form."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from esca_desktop.forms.catalog import Choice, Field, FieldType, LocalText
from esca_desktop.forms.values import (
    LONG_TEXT_MAX,
    SHORT_TEXT_MAX,
    ValueProblem,
    format_date_typed,
    format_value,
    from_json,
    parse_date,
    parse_value,
    to_expression_value,
    to_json,
)

_CHOICES = (
    Choice("companies", LocalText.of({"en": "Companies", "de": "Unternehmen"})),
    Choice("universities", LocalText.of({"en": "Universities", "de": "Hochschulen"})),
    Choice("public", LocalText.of({"en": "Public bodies", "de": "Öffentliche Stellen"})),
)


def make_field(type_: FieldType, **options: Any) -> Field:
    if type_.has_choices:
        options.setdefault("choices", _CHOICES)
    return Field(
        key="1.1.2.answer",
        id="answer",
        indicator_id="1.1.2",
        type=type_,
        label=LocalText.of({"en": "Answer", "de": "Antwort"}),
        **options,
    )


def problem_of(field: Field, raw: object, lang: str = "en") -> ValueProblem:
    with pytest.raises(ValueProblem) as caught:
        parse_value(field, raw, lang)
    return caught.value


# --- empty input --------------------------------------------------------------------------------


@pytest.mark.parametrize("type_", list(FieldType))
@pytest.mark.parametrize("raw", [None, "", "   ", [], ()])
def test_empty_input_is_unanswered_for_every_type(type_: FieldType, raw: object) -> None:
    assert parse_value(make_field(type_), raw) is None


@pytest.mark.parametrize("raw", [",", " , ", ",,"])
def test_multiple_choice_text_with_only_separators_is_unanswered(raw: str) -> None:
    assert parse_value(make_field(FieldType.MULTIPLE_CHOICE), raw) is None


# --- integer ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("+7", 7),
        ("-3", -3),
        ("1 000", 1000),
        ("1\u00a0000", 1000),
        (12, 12),
        (12.0, 12),
        (Decimal("12"), 12),
        (0, 0),
        ("0", 0),
    ],
)
def test_integer_accepts_whole_numbers(raw: object, value: int) -> None:
    result = parse_value(make_field(FieldType.INTEGER), raw)
    assert result == value
    assert type(result) is int


@pytest.mark.parametrize(
    "raw", ["12.5", "12,5", "abc", "1e3", "12 organisations", 12.5, Decimal("12.5"), True, False, "--1"]
)
def test_integer_refuses_anything_but_a_whole_number(raw: object) -> None:
    problem = problem_of(make_field(FieldType.INTEGER), raw)
    assert problem.kind == "wrong_type"
    assert problem.message.startswith("expects a whole number")


def test_integer_refusal_repeats_what_was_typed() -> None:
    assert problem_of(make_field(FieldType.INTEGER), "12.5").message == "expects a whole number, got '12.5'"


def test_integer_refusal_in_german() -> None:
    problem = problem_of(make_field(FieldType.INTEGER), "abc", lang="de")
    assert problem.message == "erwartet eine ganze Zahl, nicht 'abc'"


@pytest.mark.parametrize(
    ("raw", "message"),
    [("-1", "must be at least 0"), ("101", "must be at most 100")],
)
def test_integer_outside_its_range_is_a_constraint_problem(raw: str, message: str) -> None:
    problem = problem_of(make_field(FieldType.INTEGER, minimum=0, maximum=100), raw)
    assert problem.kind == "constraint"
    assert problem.message == message


def test_integer_at_the_ends_of_its_range_is_accepted() -> None:
    field = make_field(FieldType.INTEGER, minimum=0, maximum=100)
    assert parse_value(field, "0") == 0
    assert parse_value(field, "100") == 100


def test_range_messages_name_the_unit() -> None:
    field = make_field(
        FieldType.INTEGER, maximum=100, unit=LocalText.of({"en": "organisations", "de": "Organisationen"})
    )
    assert problem_of(field, "150").message == "must be at most 100 organisations"
    assert problem_of(field, "150", lang="de").message == "darf höchstens 100 Organisationen sein"


def test_range_messages_in_german() -> None:
    field = make_field(FieldType.INTEGER, minimum=5)
    assert problem_of(field, "1", lang="de").message == "muss mindestens 5 sein"


@pytest.mark.parametrize("raw", ["9" * 400, "9" * 5000])
def test_an_absurdly_long_integer_is_refused_not_crashed_on(raw: str) -> None:
    with pytest.raises(ValueProblem):
        parse_value(make_field(FieldType.INTEGER, maximum=100_000), raw)


# --- decimal, percent, money --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12.5", Decimal("12.5")),
        ("12,5", Decimal("12.5")),
        ("1.234,50", Decimal("1234.50")),
        ("1,234.50", Decimal("1234.50")),
        ("1.234.567,89", Decimal("1234567.89")),
        ("1'234.5", Decimal("1234.5")),
        ("-0,5", Decimal("-0.5")),
        ("7", Decimal("7")),
        (7, Decimal("7")),
        (0.1, Decimal("0.1")),
        (Decimal("3.25"), Decimal("3.25")),
    ],
)
def test_decimal_accepts_english_and_german_notation(raw: object, value: Decimal) -> None:
    result = parse_value(make_field(FieldType.DECIMAL), raw)
    assert result == value
    assert isinstance(result, Decimal)


def test_decimal_keeps_the_digits_that_were_typed() -> None:
    assert str(parse_value(make_field(FieldType.DECIMAL), "1.234,50")) == "1234.50"


@pytest.mark.parametrize("raw", ["abc", "12.5.3", "1e5", "12,5x", "--1", True, float("nan"), float("inf")])
def test_decimal_refuses_what_is_not_a_number(raw: object) -> None:
    problem = problem_of(make_field(FieldType.DECIMAL), raw)
    assert problem.kind == "wrong_type"
    assert problem.message.startswith("expects a number")


def test_decimal_refusal_in_german() -> None:
    assert problem_of(make_field(FieldType.DECIMAL), "abc", "de").message == "erwartet eine Zahl, nicht 'abc'"


@pytest.mark.parametrize("raw", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_decimal_refuses_a_decimal_nan_or_infinity(raw: Decimal) -> None:
    assert problem_of(make_field(FieldType.DECIMAL), raw).kind == "wrong_type"


def test_decimal_range_is_checked() -> None:
    field = make_field(FieldType.DECIMAL, minimum=0.5, maximum=2.5)
    assert problem_of(field, "0,4").message == "must be at least 0.5"
    assert problem_of(field, "2.6").message == "must be at most 2.5"
    assert problem_of(field, "2.6").kind == "constraint"
    assert parse_value(field, "2,5") == Decimal("2.5")


def test_german_range_message_writes_a_fractional_bound_with_a_comma() -> None:
    field = make_field(FieldType.DECIMAL, minimum=0.5)
    assert problem_of(field, "0,1", lang="de").message == "muss mindestens 0,5 sein"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12,5", Decimal("12.5")),
        ("12,5 %", Decimal("12.5")),
        ("100", Decimal("100")),
        ("0", Decimal("0")),
        ("99.9%", Decimal("99.9")),
    ],
)
def test_percent_accepts_shares_with_or_without_the_percent_sign(raw: str, value: Decimal) -> None:
    assert parse_value(make_field(FieldType.PERCENT), raw) == value


@pytest.mark.parametrize(("raw", "message"), [("120", "must be at most 100"), ("-1", "must be at least 0")])
def test_percent_defaults_to_zero_to_one_hundred(raw: str, message: str) -> None:
    problem = problem_of(make_field(FieldType.PERCENT), raw)
    assert problem.kind == "constraint"
    assert problem.message == message


def test_percent_range_can_be_narrowed() -> None:
    assert problem_of(make_field(FieldType.PERCENT, maximum=50), "60").message == "must be at most 50"


def test_percent_refuses_text() -> None:
    assert problem_of(make_field(FieldType.PERCENT), "half").kind == "wrong_type"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("1.234,50 €", Decimal("1234.50")),
        ("1.234,50€", Decimal("1234.50")),
        ("€ 1.234,50", Decimal("1234.50")),
        ("1,234.50 EUR", Decimal("1234.50")),
        ("1234.5 eur", Decimal("1234.5")),
        ("1\u202f234,50 €", Decimal("1234.50")),
        ("0", Decimal("0")),
    ],
)
def test_money_accepts_euro_amounts_in_german_and_english_notation(raw: str, value: Decimal) -> None:
    assert parse_value(make_field(FieldType.MONEY), raw) == value


def test_money_refuses_other_text() -> None:
    problem = problem_of(make_field(FieldType.MONEY), "a lot")
    assert problem.kind == "wrong_type"
    assert problem.message == "expects a number, got 'a lot'"


def test_money_range_is_checked() -> None:
    problem = problem_of(make_field(FieldType.MONEY, minimum=0), "-5 €")
    assert problem.kind == "constraint"
    assert problem.message == "must be at least 0"


@pytest.mark.parametrize(("raw", "lang"), [("250.000 €", "de"), ("250,000 EUR", "en")])
def test_money_with_a_thousands_separator_is_not_silently_read_as_a_fraction(raw: str, lang: str) -> None:
    try:
        value = parse_value(make_field(FieldType.MONEY), raw, lang)
    except ValueProblem:
        return  # refusing the ambiguous input is acceptable
    assert value == Decimal("250000")


# --- year ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"), [("2015", 2015), (2015, 2015), (" 1990 ", 1990), ("1800", 1800), ("2200", 2200)]
)
def test_year_accepts_a_year(raw: object, value: int) -> None:
    assert parse_value(make_field(FieldType.YEAR), raw) == value


@pytest.mark.parametrize(("raw", "message"), [("3000", "must be at most 2200"), ("1799", "must be at least 1800")])
def test_year_outside_1800_to_2200_is_a_constraint_problem(raw: str, message: str) -> None:
    problem = problem_of(make_field(FieldType.YEAR), raw)
    assert problem.kind == "constraint"
    assert problem.message == message


@pytest.mark.parametrize("raw", ["15.5", "2015-01-01", "next year", "MMXV"])
def test_year_refuses_what_is_not_a_year(raw: str) -> None:
    problem = problem_of(make_field(FieldType.YEAR), raw)
    assert problem.kind == "wrong_type"
    assert problem.message == f"expects a year such as 2015, got {raw!r}"


def test_year_refusal_in_german() -> None:
    problem = problem_of(make_field(FieldType.YEAR), "bald", "de")
    assert problem.message == "erwartet eine Jahreszahl wie 2015, nicht 'bald'"


def test_year_range_can_be_narrowed() -> None:
    field = make_field(FieldType.YEAR, minimum=2000, maximum=2030)
    assert problem_of(field, "1999").message == "must be at least 2000"


# --- date ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("2015-03-01", dt.date(2015, 3, 1)),
        ("01.03.2015", dt.date(2015, 3, 1)),
        ("1.3.2015", dt.date(2015, 3, 1)),
        ("01/03/2015", dt.date(2015, 3, 1)),
        (" 31.12.2015 ", dt.date(2015, 12, 31)),
        (dt.date(2015, 3, 1), dt.date(2015, 3, 1)),
        (dt.datetime(2015, 3, 1, 14, 30), dt.date(2015, 3, 1)),
    ],
)
def test_date_accepts_iso_and_german_dates(raw: object, value: dt.date) -> None:
    result = parse_value(make_field(FieldType.DATE), raw)
    assert result == value
    assert type(result) is dt.date


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("3.12.26", dt.date(2026, 12, 3)),
        ("03.12.2026", dt.date(2026, 12, 3)),
        ("3.12.2026", dt.date(2026, 12, 3)),
        ("2026-12-03", dt.date(2026, 12, 3)),
        ("3/12/2026", dt.date(2026, 12, 3)),
        ("3/12/26", dt.date(2026, 12, 3)),
        ("3. 12. 2026", dt.date(2026, 12, 3)),
        ("15.03.15", dt.date(2015, 3, 15)),
        ("12/3/2026", dt.date(2026, 3, 12)),  # en-GB: the day comes first
    ],
)
def test_date_accepts_typed_local_forms_day_first(raw: str, value: dt.date) -> None:
    assert parse_value(make_field(FieldType.DATE), raw) == value
    assert parse_date(raw, "de") == value


@pytest.mark.parametrize("raw", ["2015-02-30", "31.02.2015", "29.02.2026", "32.1.2026", "1.13.2026"])
def test_date_refuses_a_day_the_calendar_does_not_have(raw: str) -> None:
    problem = problem_of(make_field(FieldType.DATE), raw)
    assert problem.kind == "wrong_type"
    assert problem.message == f"{raw} is not a date"
    assert problem_of(make_field(FieldType.DATE), raw, "de").message == f"{raw} ist kein gültiges Datum"


@pytest.mark.parametrize("raw", ["yesterday", "2015/03/01", "2015", "3.12", "3.12.202", "3.12/2026", "12-03-2026"])
def test_date_refuses_unknown_forms_with_an_example(raw: str) -> None:
    problem = problem_of(make_field(FieldType.DATE), raw)
    assert problem.kind == "wrong_type"
    assert problem.message == f"expects a date such as 3.12.2026 or 2026-12-03, got {raw!r}"


def test_date_refusal_in_german_shows_both_forms() -> None:
    problem = problem_of(make_field(FieldType.DATE), "gestern", "de")
    assert problem.message == "erwartet ein Datum wie 3.12.2026 oder 2026-12-03, nicht 'gestern'"


@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_a_date_shown_by_the_editor_reads_back_as_the_same_date(value: dt.date) -> None:
    assert parse_date(format_date_typed(value)) == value
    assert parse_date(value.isoformat()) == value


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2099, 12, 31)), st.sampled_from([".", "/"]))
def test_a_short_typed_date_is_in_this_century(value: dt.date, separator: str) -> None:
    typed = f"{value.day}{separator}{value.month}{separator}{value.year % 100:02d}"
    assert parse_date(typed) == value


@given(st.integers(1, 31), st.integers(1, 12), st.integers(1000, 9999))
def test_a_typed_day_month_year_is_that_date_or_refused_as_not_a_date(day: int, month: int, year: int) -> None:
    typed = f"{day}.{month}.{year}"
    try:
        expected = dt.date(year, month, day)
    except ValueError:
        with pytest.raises(ValueProblem, match="is not a date"):
            parse_date(typed)
    else:
        assert parse_date(typed) == expected


# --- yes / no -----------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["yes", "Yes", "y", "true", "1", "ja", "JA", "j", "wahr", True, 1])
def test_yes_no_accepts_yes_in_english_and_german(raw: object) -> None:
    assert parse_value(make_field(FieldType.YES_NO), raw) is True


@pytest.mark.parametrize("raw", ["no", "No", "n", "false", "0", "nein", "Nein", "falsch", False, 0])
def test_yes_no_accepts_no_in_english_and_german(raw: object) -> None:
    assert parse_value(make_field(FieldType.YES_NO), raw) is False


@pytest.mark.parametrize("raw", ["maybe", "vielleicht", "2", 2, "yes!"])
def test_yes_no_refuses_anything_else(raw: object) -> None:
    problem = problem_of(make_field(FieldType.YES_NO), raw)
    assert problem.kind == "wrong_type"
    assert problem.message == f"expects yes or no, got {raw!r}"


def test_yes_no_refusal_in_german() -> None:
    assert problem_of(make_field(FieldType.YES_NO), "vielleicht", "de").message == (
        "erwartet ja oder nein, nicht 'vielleicht'"
    )


# --- single and multiple choice -----------------------------------------------------------------


@pytest.mark.parametrize("raw", ["companies", " companies ", "COMPANIES", "Companies", "unternehmen", "Unternehmen"])
def test_single_choice_accepts_the_id_or_a_label_in_any_language(raw: str) -> None:
    assert parse_value(make_field(FieldType.SINGLE_CHOICE), raw) == "companies"


def test_single_choice_accepts_a_label_with_an_umlaut() -> None:
    assert parse_value(make_field(FieldType.SINGLE_CHOICE), "öffentliche stellen") == "public"


def test_single_choice_refuses_an_unknown_choice_and_lists_the_known_ones() -> None:
    problem = problem_of(make_field(FieldType.SINGLE_CHOICE), "banks")
    assert problem.kind == "wrong_type"
    assert problem.message == "'banks' is not one of: companies, universities, public"


def test_single_choice_refusal_in_german() -> None:
    problem = problem_of(make_field(FieldType.SINGLE_CHOICE), "Banken", "de")
    assert problem.message == "'Banken' ist keine der Optionen: companies, universities, public"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("companies", ("companies",)),
        ("universities, companies", ("companies", "universities")),
        ("Hochschulen,Unternehmen", ("companies", "universities")),
        (["public", "companies"], ("companies", "public")),
        (("companies", "Companies"), ("companies",)),
        ({"universities"}, ("universities",)),
        (frozenset({"public"}), ("public",)),
    ],
)
def test_multiple_choice_gives_sorted_unique_ids(raw: object, value: tuple[str, ...]) -> None:
    assert parse_value(make_field(FieldType.MULTIPLE_CHOICE), raw) == value


def test_multiple_choice_refuses_an_unknown_item() -> None:
    problem = problem_of(make_field(FieldType.MULTIPLE_CHOICE), "companies, banks")
    assert problem.kind == "wrong_type"
    assert problem.message == "'banks' is not one of: companies, universities, public"


def test_multiple_choice_refuses_what_is_not_a_list() -> None:
    problem = problem_of(make_field(FieldType.MULTIPLE_CHOICE), 5)
    assert problem.kind == "wrong_type"
    assert problem.message == "expects a list of choices"
    assert problem_of(make_field(FieldType.MULTIPLE_CHOICE), 5, "de").message == ("erwartet eine Liste von Optionen")


# --- texts and URL ------------------------------------------------------------------------------


def test_short_text_is_trimmed() -> None:
    assert parse_value(make_field(FieldType.SHORT_TEXT), "  Cluster Nordwest  ") == "Cluster Nordwest"


def test_short_text_refuses_a_line_break() -> None:
    problem = problem_of(make_field(FieldType.SHORT_TEXT), "first\nsecond")
    assert problem.kind == "wrong_type"
    assert problem.message == "expects a single line"
    assert problem_of(make_field(FieldType.SHORT_TEXT), "a\nb", "de").message == "erwartet eine einzelne Zeile"


def test_short_text_ignores_a_trailing_line_break() -> None:
    assert parse_value(make_field(FieldType.SHORT_TEXT), "one line\n") == "one line"


def test_short_text_may_be_exactly_the_maximum_length() -> None:
    text = "x" * SHORT_TEXT_MAX
    assert parse_value(make_field(FieldType.SHORT_TEXT), text) == text


def test_short_text_refuses_a_too_long_text() -> None:
    problem = problem_of(make_field(FieldType.SHORT_TEXT), "x" * (SHORT_TEXT_MAX + 1))
    assert problem.kind == "constraint"
    assert problem.message == "is too long: at most 300 characters"
    assert problem_of(make_field(FieldType.SHORT_TEXT), "x" * 301, "de").message == (
        "ist zu lang: höchstens 300 Zeichen"
    )


@pytest.mark.parametrize("type_", [FieldType.SHORT_TEXT, FieldType.LONG_TEXT])
def test_texts_refuse_what_is_not_text(type_: FieldType) -> None:
    problem = problem_of(make_field(type_), 42)
    assert problem.kind == "wrong_type"
    assert problem.message == "expects text"
    assert problem_of(make_field(type_), 42, "de").message == "erwartet Text"


def test_long_text_keeps_line_breaks_and_leading_indentation() -> None:
    assert parse_value(make_field(FieldType.LONG_TEXT), "  first\nsecond  \n") == "  first\nsecond"


def test_long_text_refuses_a_too_long_text() -> None:
    assert parse_value(make_field(FieldType.LONG_TEXT), "x" * LONG_TEXT_MAX) == "x" * LONG_TEXT_MAX
    problem = problem_of(make_field(FieldType.LONG_TEXT), "x" * (LONG_TEXT_MAX + 1))
    assert problem.kind == "constraint"
    assert problem.message == "is too long: at most 50000 characters"


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("https://example.org", "https://example.org"),
        ("http://cluster.example.de/about?x=1", "http://cluster.example.de/about?x=1"),
        ("example.org", "https://example.org"),
        ("www.cluster-nordwest.de/team", "https://www.cluster-nordwest.de/team"),
        ("  https://example.org  ", "https://example.org"),
    ],
)
def test_url_accepts_web_addresses_and_adds_a_missing_scheme(raw: str, value: str) -> None:
    assert parse_value(make_field(FieldType.URL), raw) == value


@pytest.mark.parametrize(
    "raw",
    [
        "not a url",
        "https://",
        "ftp://example.org",
        "mailto:info@example.org",
        "javascript:alert(1)",
        "https://exa mple.org",
        "example",
    ],
)
def test_url_refuses_what_is_not_a_web_address(raw: str) -> None:
    problem = problem_of(make_field(FieldType.URL), raw)
    assert problem.kind == "wrong_type"
    assert problem.message == f"expects a web address such as https://example.org, got {raw!r}"


def test_url_refusal_in_german() -> None:
    assert problem_of(make_field(FieldType.URL), "keine Adresse", "de").message == (
        "erwartet eine Webadresse wie https://example.org, nicht 'keine Adresse'"
    )


# --- parse_value never fails with anything but ValueProblem -------------------------------------


@pytest.mark.parametrize("type_", list(FieldType))
@given(raw=st.text(max_size=60))
def test_any_typed_text_is_accepted_or_refused_with_a_value_problem(type_: FieldType, raw: str) -> None:
    try:
        parse_value(make_field(type_), raw)
    except ValueProblem as problem:
        assert problem.kind in ("wrong_type", "constraint")
        assert problem.message


# --- JSON round trip ----------------------------------------------------------------------------


def _round_trip(field: Field, value: object) -> object:
    data = json.loads(json.dumps(to_json(field, value)))  # type: ignore[arg-type]
    return from_json(field, data)


@pytest.mark.parametrize("type_", list(FieldType))
def test_unanswered_round_trips_as_null(type_: FieldType) -> None:
    field = make_field(type_)
    assert to_json(field, None) is None
    assert from_json(field, None) is None


@given(value=st.integers(min_value=-(10**15), max_value=10**15))
def test_integer_round_trips_through_json(value: int) -> None:
    result = _round_trip(make_field(FieldType.INTEGER), value)
    assert result == value
    assert type(result) is int


@given(value=st.integers(min_value=1800, max_value=2200))
def test_year_round_trips_through_json(value: int) -> None:
    assert _round_trip(make_field(FieldType.YEAR), value) == value


@pytest.mark.parametrize("type_", [FieldType.DECIMAL, FieldType.PERCENT, FieldType.MONEY])
@given(value=st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_types_round_trip_exactly_through_json(type_: FieldType, value: Decimal) -> None:
    field = make_field(type_)
    assert isinstance(to_json(field, value), str)
    result = _round_trip(field, value)
    assert isinstance(result, Decimal)
    assert str(result) == str(value)  # the same digits, not merely the same number


def test_money_keeps_its_trailing_zero_through_json() -> None:
    field = make_field(FieldType.MONEY)
    assert to_json(field, Decimal("1234.50")) == "1234.50"
    assert str(from_json(field, "1234.50")) == "1234.50"


@given(value=st.dates())
def test_date_round_trips_through_json_as_iso_text(value: dt.date) -> None:
    field = make_field(FieldType.DATE)
    assert to_json(field, value) == value.isoformat()
    assert _round_trip(field, value) == value


@pytest.mark.parametrize("value", [True, False])
def test_yes_no_round_trips_through_json(value: bool) -> None:
    assert _round_trip(make_field(FieldType.YES_NO), value) is value


@pytest.mark.parametrize("value", ["companies", "public"])
def test_single_choice_round_trips_through_json(value: str) -> None:
    assert _round_trip(make_field(FieldType.SINGLE_CHOICE), value) == value


@given(value=st.sets(st.sampled_from([c.id for c in _CHOICES]), min_size=1).map(lambda s: tuple(sorted(s))))
def test_multiple_choice_round_trips_through_json_as_a_list(value: tuple[str, ...]) -> None:
    field = make_field(FieldType.MULTIPLE_CHOICE)
    assert to_json(field, value) == list(value)
    assert _round_trip(field, value) == value


@pytest.mark.parametrize("type_", [FieldType.SHORT_TEXT, FieldType.LONG_TEXT, FieldType.URL])
@given(value=st.text())
def test_texts_round_trip_through_json(type_: FieldType, value: str) -> None:
    assert _round_trip(make_field(type_), value) == value


@pytest.mark.parametrize(
    ("type_", "raw"),
    [
        (FieldType.INTEGER, "1 234"),
        (FieldType.DECIMAL, "1.234,5"),
        (FieldType.PERCENT, "12,5 %"),
        (FieldType.MONEY, "1.234,50 €"),
        (FieldType.YEAR, "2015"),
        (FieldType.DATE, "01.03.2015"),
        (FieldType.YES_NO, "ja"),
        (FieldType.SINGLE_CHOICE, "Unternehmen"),
        (FieldType.MULTIPLE_CHOICE, "public, companies"),
        (FieldType.SHORT_TEXT, "Cluster Nordwest"),
        (FieldType.LONG_TEXT, "line one\nline two"),
        (FieldType.URL, "example.org"),
    ],
)
def test_every_parsed_value_survives_the_json_round_trip(type_: FieldType, raw: str) -> None:
    field = make_field(type_)
    value = parse_value(field, raw)
    assert value is not None
    assert _round_trip(field, value) == value


# --- the value the expression language sees -----------------------------------------------------


def test_expression_values_are_floats_sets_and_plain_values() -> None:
    assert to_expression_value(12) == 12.0 and isinstance(to_expression_value(12), float)
    assert to_expression_value(Decimal("12.5")) == 12.5
    assert to_expression_value(("a", "b")) == frozenset({"a", "b"})
    assert to_expression_value(True) is True
    assert to_expression_value(None) is None
    assert to_expression_value(dt.date(2015, 3, 1)) == dt.date(2015, 3, 1)
    assert to_expression_value("text") == "text"


# --- display form -------------------------------------------------------------------------------

_UNIT = LocalText.of({"en": "organisations", "de": "Organisationen"})


@pytest.mark.parametrize(
    ("field", "value", "en", "de"),
    [
        (make_field(FieldType.INTEGER), 1234, "1234", "1234"),
        (make_field(FieldType.INTEGER, unit=_UNIT), 60, "60 organisations", "60 Organisationen"),
        (make_field(FieldType.DECIMAL), Decimal("12.50"), "12.5", "12,5"),
        (make_field(FieldType.DECIMAL), Decimal("12.0"), "12", "12"),
        (make_field(FieldType.DECIMAL, unit=_UNIT), Decimal("2.5"), "2.5 organisations", "2,5 Organisationen"),
        (make_field(FieldType.PERCENT), Decimal("12.5"), "12.5 %", "12,5 %"),
        (make_field(FieldType.PERCENT), Decimal("100"), "100 %", "100 %"),
        (make_field(FieldType.MONEY), Decimal("1234.5"), "1,234.50 EUR", "1\u202f234,50 EUR"),
        (make_field(FieldType.MONEY), Decimal("0"), "0.00 EUR", "0,00 EUR"),
        (
            make_field(FieldType.MONEY, unit=LocalText.of({"en": "€", "de": "€"})),
            Decimal("1000000"),
            "1,000,000.00 €",
            "1\u202f000\u202f000,00 €",
        ),
        (make_field(FieldType.YEAR), 2015, "2015", "2015"),
        (make_field(FieldType.DATE), dt.date(2015, 3, 1), "2015-03-01", "2015-03-01"),
        (make_field(FieldType.YES_NO), True, "yes", "ja"),
        (make_field(FieldType.YES_NO), False, "no", "nein"),
        (make_field(FieldType.SINGLE_CHOICE), "companies", "Companies", "Unternehmen"),
        (make_field(FieldType.SINGLE_CHOICE), "gone", "gone", "gone"),
        (
            make_field(FieldType.MULTIPLE_CHOICE),
            ("companies", "universities"),
            "Companies, Universities",
            "Unternehmen, Hochschulen",
        ),
        (make_field(FieldType.SHORT_TEXT), "Cluster Nordwest", "Cluster Nordwest", "Cluster Nordwest"),
        (make_field(FieldType.LONG_TEXT), "a\nb", "a\nb", "a\nb"),
        (make_field(FieldType.URL), "https://example.org", "https://example.org", "https://example.org"),
    ],
    ids=lambda item: item.type.value if isinstance(item, Field) else None,
)
def test_format_value_in_english_and_german(field: Field, value: object, en: str, de: str) -> None:
    assert format_value(field, value, "en") == en  # type: ignore[arg-type]
    assert format_value(field, value, "de") == de  # type: ignore[arg-type]


@pytest.mark.parametrize("type_", list(FieldType))
def test_format_value_of_unanswered_is_empty(type_: FieldType) -> None:
    assert format_value(make_field(type_), None) == ""


def test_format_value_defaults_to_english() -> None:
    assert format_value(make_field(FieldType.YES_NO), True) == "yes"
