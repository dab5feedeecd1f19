"""The catalog's expression language: values, null logic, functions, type checks and refusals."""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esca_desktop.forms.expressions import (
    Expression,
    ExpressionError,
    ExprType,
    compile_expression,
)

# Fields known to the test resolver: bare names live in indicator "ind"; qualified names are
# written with their full key.
_BARE = {
    "n": ExprType.NUMBER,
    "m": ExprType.NUMBER,
    "k": ExprType.NUMBER,
    "flag": ExprType.BOOL,
    "other": ExprType.BOOL,
    "third": ExprType.BOOL,
    "name": ExprType.TEXT,
    "title": ExprType.TEXT,
    "kinds": ExprType.SET,
    "started": ExprType.DATE,
    "ended": ExprType.DATE,
}
_QUALIFIED = {
    "1.1.2.participants": ExprType.NUMBER,
    "1.1.2.smes": ExprType.NUMBER,
}


def _resolve(name: str, qualified: bool) -> tuple[str, ExprType]:
    if qualified:
        if name in _QUALIFIED:
            return name, _QUALIFIED[name]
    elif name in _BARE:
        return f"ind.{name}", _BARE[name]
    raise ExpressionError(f"unknown field {name!r}")


@pytest.fixture
def resolver() -> Callable[[str, bool], tuple[str, ExprType]]:
    return _resolve


def compile_(source: str, expected: ExprType | None = None) -> Expression:
    return compile_expression(source, _resolve, expected)


def run(source: str, **values: Any) -> Any:
    """Compile `source` and evaluate it with bare field values given by name."""
    env = {f"ind.{name}": value for name, value in values.items()}
    return compile_(source)(env)


def error_of(source: str, expected: ExprType | None = None) -> ExpressionError:
    with pytest.raises(ExpressionError) as caught:
        compile_(source, expected)
    return caught.value


# --- literals and arithmetic -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("12", 12.0),
        ("3.5", 3.5),
        ("'text'", "text"),
        ('"text"', "text"),
        ('"it\'s"', "it's"),
        ("'say \"hi\"'", 'say "hi"'),
        ("true", True),
        ("false", False),
        ("null", None),
    ],
)
def test_literals_evaluate_to_their_values(source: str, value: object) -> None:
    assert compile_(source)({}) == value


def test_number_literals_are_floats() -> None:
    result = compile_("12")({})
    assert isinstance(result, float)


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("1 + 2", 3.0),
        ("5 - 7", -2.0),
        ("4 * 2.5", 10.0),
        ("9 / 4", 2.25),
        ("-3", -3.0),
        ("- - 3", 3.0),
        ("2 - -3", 5.0),
    ],
)
def test_arithmetic_gives_the_expected_number(source: str, value: float) -> None:
    assert compile_(source)({}) == value


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 - 4 - 3", 3.0),
        ("12 / 3 / 2", 2.0),
        ("2 * 3 + 4 * 5", 26.0),
        ("-2 * 3", -6.0),
        ("10 - 2 * 3 / 6", 9.0),
    ],
)
def test_multiplication_binds_tighter_than_addition_and_operators_associate_left(source: str, value: float) -> None:
    assert compile_(source)({}) == value


def test_comparison_binds_looser_than_arithmetic() -> None:
    assert compile_("1 + 2 == 3")({}) is True
    assert compile_("2 * 3 > 5 + 0")({}) is True


def test_not_binds_looser_than_comparison() -> None:
    assert run("not n > 5", n=3) is True
    assert run("not n > 5", n=7) is False


def test_and_binds_tighter_than_or() -> None:
    # true or (false and false) is true; (true or false) and false would be false.
    assert compile_("true or false and false")({}) is True
    assert compile_("(true or false) and false")({}) is False


def test_division_by_zero_gives_null() -> None:
    assert compile_("1 / 0")({}) is None
    assert compile_("0 / 0")({}) is None
    assert run("n / m", n=5.0, m=0.0) is None


def test_division_by_a_computed_zero_gives_null() -> None:
    assert run("n / (m - m)", n=1.0, m=4.0) is None


@pytest.mark.parametrize("source", ["n + 1", "1 - n", "n * 2", "n / 2", "2 / n", "-n", "null + 1"])
def test_arithmetic_with_null_gives_null(source: str) -> None:
    assert run(source, n=None) is None


def test_arithmetic_with_a_null_literal_still_types_as_number() -> None:
    assert compile_("null + 1").type is ExprType.NUMBER


# --- comparisons --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("1 == 1", True),
        ("1 == 2", False),
        ("1 != 2", True),
        ("1 < 2", True),
        ("2 < 2", False),
        ("2 <= 2", True),
        ("3 > 2", True),
        ("2 >= 3", False),
        ("'abc' == 'abc'", True),
        ("'abc' < 'abd'", True),
        ("true == true", True),
        ("true != false", True),
    ],
)
def test_comparisons_give_yes_or_no(source: str, value: bool) -> None:
    assert compile_(source)({}) is value


def test_comparing_with_null_gives_null() -> None:
    assert run("n == 1", n=None) is None
    assert run("n != 1", n=None) is None
    assert run("n < 1", n=None) is None
    assert compile_("null == null")({}) is None


def test_numbers_compare_as_numbers_even_when_the_answer_is_an_int() -> None:
    # Stored integers reach the expression as ints or floats; both compare numerically.
    assert run("n == 3", n=3) is True
    assert run("n >= 2.5", n=3) is True


def test_dates_compare_in_time_order() -> None:
    assert run("started < ended", started=dt.date(2015, 1, 1), ended=dt.date(2016, 1, 1)) is True
    assert run("started == ended", started=dt.date(2015, 1, 1), ended=dt.date(2015, 1, 1)) is True


def test_texts_compare_exactly() -> None:
    assert run("name == 'cluster'", name="cluster") is True
    assert run("name == 'cluster'", name="Cluster") is False


def test_sets_can_be_compared_for_equality() -> None:
    assert compile_("kinds == kinds").type is ExprType.BOOL


def test_a_chained_comparison_is_refused() -> None:
    error = error_of("1 < 2 < 3")
    assert "unexpected '<'" in str(error)
    assert error.column == 7


# --- three-valued logic -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("false and null", False),
        ("null and false", False),
        ("true and null", None),
        ("null and true", None),
        ("null and null", None),
        ("true or null", True),
        ("null or true", True),
        ("false or null", None),
        ("null or false", None),
        ("null or null", None),
        ("not null", None),
        ("not true", False),
        ("not false", True),
    ],
)
def test_logic_with_null_is_three_valued(source: str, value: bool | None) -> None:
    assert compile_(source)({}) is value


def test_false_and_an_unanswered_field_is_false() -> None:
    assert run("flag and other", flag=False, other=None) is False


def test_true_or_an_unanswered_field_is_true() -> None:
    assert run("flag or other", flag=True, other=None) is True


def test_and_does_not_evaluate_the_right_side_when_the_left_is_false() -> None:
    # The right side would divide by a missing value; it is simply not needed.
    seen: list[str] = []

    class Env(dict[str, Any]):
        def get(self, key: str, default: Any = None) -> Any:
            seen.append(key)
            return super().get(key, default)

    compile_("flag and other")(Env({"ind.flag": False}))
    assert seen == ["ind.flag"]


# --- functions ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "answered"),
    [(None, False), ("", False), (frozenset(), False), (0.0, True), (False, True), ("x", True)],
)
def test_answered_is_false_only_for_missing_or_empty_values(value: object, answered: bool) -> None:
    assert run("answered(n)", n=value) is answered


def test_answered_is_never_null() -> None:
    assert run("answered(flag)", flag=None) is False


def test_count_counts_the_chosen_items() -> None:
    assert run("count(kinds)", kinds=frozenset({"a", "b", "c"})) == 3.0
    assert run("count(kinds)", kinds=frozenset()) == 0.0
    assert run("count(kinds)", kinds=None) is None


def test_has_says_whether_a_choice_was_made() -> None:
    assert run("has(kinds, 'a')", kinds=frozenset({"a", "b"})) is True
    assert run("has(kinds, 'z')", kinds=frozenset({"a", "b"})) is False
    assert run("has(kinds, 'a')", kinds=None) is None


def test_len_counts_the_characters_of_a_text_without_surrounding_blanks() -> None:
    assert run("len(name)", name="  abc ") == 3.0
    assert run("len(name)", name="") == 0.0
    assert run("len(name)", name=None) is None


def test_min_and_max_pick_the_extreme_argument() -> None:
    assert run("min(n, 3, 5)", n=4.0) == 3.0
    assert run("max(n, 3, 5)", n=4.0) == 5.0
    assert run("min(n)", n=7.0) == 7.0
    assert run("max(-1, -2)") == -1.0


def test_min_and_max_with_a_null_argument_give_null() -> None:
    assert run("min(n, 3)", n=None) is None
    assert run("max(n, 3)", n=None) is None


def test_round_rounds_to_whole_numbers_or_to_the_given_digits() -> None:
    assert run("round(n)", n=2.4) == 2.0
    assert run("round(n)", n=2.6) == 3.0
    assert run("round(n, 1)", n=2.44) == 2.4
    assert run("round(n, 2)", n=1.23456) == 1.23
    assert run("round(n)", n=None) is None
    assert run("round(2, n)", n=None) is None


def test_round_rounds_halves_up_as_people_expect() -> None:
    assert run("round(n)", n=2.5) == 3.0
    assert run("round(n)", n=62.5) == 63.0


def test_if_picks_a_branch_by_its_condition() -> None:
    assert run("if(flag, 1, 2)", flag=True) == 1.0
    assert run("if(flag, 1, 2)", flag=False) == 2.0
    assert run("if(flag, 1, 2)", flag=None) is None


def test_if_takes_the_type_of_its_branches() -> None:
    assert compile_("if(flag, 'a', 'b')").type is ExprType.TEXT
    assert compile_("if(flag, null, 2)").type is ExprType.NUMBER


def test_coalesce_gives_the_first_answered_value() -> None:
    assert run("coalesce(n, m, 0)", n=None, m=4.0) == 4.0
    assert run("coalesce(n, m, 0)", n=1.0, m=4.0) == 1.0
    assert run("coalesce(n, m, 0)", n=None, m=None) == 0.0
    assert run("coalesce(n, m)", n=None, m=None) is None


def test_year_gives_the_year_of_a_date() -> None:
    assert run("year(started)", started=dt.date(2015, 3, 1)) == 2015.0
    assert run("year(started)", started=None) is None
    assert run("year(started) >= 2010", started=dt.date(2015, 3, 1)) is True


def test_count_true_counts_the_yes_answers() -> None:
    assert run("count_true(flag, other, third)", flag=True, other=False, third=True) == 2.0
    assert run("count_true(flag, other)", flag=False, other=False) == 0.0
    assert run("count_true(flag, other)", flag=True, other=None) is None


def test_starts_with_ignores_case() -> None:
    assert run("starts_with(name, 'https')", name="HTTPS://example.org") is True
    assert run("starts_with(name, 'www')", name="https://example.org") is False
    assert run("starts_with(name, 'x')", name=None) is None


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("answered()", "answered() takes 1 arguments, got 0"),
        ("answered(n, m)", "answered() takes 1 arguments, got 2"),
        ("count(n)", "count() needs set of choices, got number"),
        ("has(kinds, 1)", "has() second argument needs text, got number"),
        ("has(name, 'a')", "has() first argument needs set of choices, got text"),
        ("len(n)", "len() needs text, got number"),
        ("min()", "min() takes at least 1 arguments, got 0"),
        ("max(n, 'a')", "max() needs number, got text"),
        ("round(1, 2, 3)", "round() takes 1 to 2 arguments, got 3"),
        ("round(name)", "round() needs number, got text"),
        ("if(n, 1, 2)", "if() condition needs yes/no, got number"),
        ("if(flag, 1, 'a')", "if() arguments must have one type, got number, text"),
        ("coalesce(n, name)", "coalesce() arguments must have one type, got number, text"),
        ("year(n)", "year() needs date, got number"),
        ("count_true(flag, n)", "count_true() needs yes/no, got number"),
        ("starts_with(name, 1)", "starts_with() needs text, got number"),
    ],
)
def test_functions_check_their_arguments_when_compiled(source: str, message: str) -> None:
    error = error_of(source)
    assert message in str(error)
    assert error.column == 1


# --- field references ---------------------------------------------------------------------------


def test_a_bare_name_reads_a_field_of_the_same_indicator(resolver: Any) -> None:
    expression = compile_expression("n + 1", resolver)
    assert expression.references == frozenset({"ind.n"})
    assert expression({"ind.n": 2.0}) == 3.0


def test_a_braced_name_reads_any_field_by_its_full_key(resolver: Any) -> None:
    expression = compile_expression("{1.1.2.smes} / {1.1.2.participants} * 100", resolver)
    assert expression.references == frozenset({"1.1.2.smes", "1.1.2.participants"})
    assert expression({"1.1.2.smes": 15.0, "1.1.2.participants": 60.0}) == 25.0


def test_an_unanswered_field_reads_as_null(resolver: Any) -> None:
    assert compile_expression("n", resolver)({}) is None


def test_references_collect_every_field_read_anywhere(resolver: Any) -> None:
    expression = compile_expression("if(flag, count(kinds), n) > coalesce(m, 0)", resolver)
    assert expression.references == frozenset({"ind.flag", "ind.kinds", "ind.n", "ind.m"})


def test_a_literal_expression_references_nothing(resolver: Any) -> None:
    assert compile_expression("1 + 2", resolver).references == frozenset()


def test_the_field_type_comes_from_the_resolver(resolver: Any) -> None:
    assert compile_expression("n", resolver).type is ExprType.NUMBER
    assert compile_expression("flag", resolver).type is ExprType.BOOL
    assert compile_expression("kinds", resolver).type is ExprType.SET
    assert compile_expression("started", resolver).type is ExprType.DATE
    assert compile_expression("name", resolver).type is ExprType.TEXT


def test_the_resolver_is_told_whether_a_name_was_braced() -> None:
    calls: list[tuple[str, bool]] = []

    def spy(name: str, qualified: bool) -> tuple[str, ExprType]:
        calls.append((name, qualified))
        return name, ExprType.NUMBER

    compile_expression("a + {b.c}", spy)
    assert calls == [("a", False), ("b.c", True)]


def test_an_unknown_field_is_reported_with_its_column() -> None:
    error = error_of("n + nope")
    assert "unknown field 'nope'" in str(error)
    assert error.column == 5
    assert str(error).endswith("(at column 5)")


def test_an_unknown_braced_field_is_reported_with_its_column() -> None:
    error = error_of("1 + {9.9.missing}")
    assert "unknown field '9.9.missing'" in str(error)
    assert error.column == 5


# --- type errors at compile time ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("1 + 'a'", "'+' needs number, got text", 3),
        ("name * 2", "'*' needs number, got text", 6),
        ("n - flag", "'-' needs number, got yes/no", 3),
        ("n / started", "'/' needs number, got date", 3),
        ("-name", "unary '-' needs number, got text", 1),
        ("n == name", "cannot compare number with text using '=='", 3),
        ("flag != 1", "cannot compare yes/no with number using '!='", 6),
        ("started < 2015", "cannot compare date with number using '<'", 9),
        ("flag < other", "'<' needs numbers, texts or dates, got yes/no", 6),
        ("kinds >= kinds", "'>=' needs numbers, texts or dates, got set of choices", 7),
        ("n and flag", "'and' needs yes/no, got number", 3),
        ("flag or 'x'", "'or' needs yes/no, got text", 6),
        ("not n", "'not' needs yes/no, got number", 1),
    ],
)
def test_type_errors_are_found_when_compiling_with_their_column(source: str, message: str, column: int) -> None:
    error = error_of(source)
    assert message in str(error)
    assert error.column == column
    assert str(error).endswith(f"(at column {column})")


def test_a_type_error_is_found_even_in_a_branch_that_would_never_run() -> None:
    error = error_of("false and (n + 'x' > 1)")
    assert "'+' needs number, got text" in str(error)


def test_the_expected_result_type_is_checked() -> None:
    error = error_of("n + 1", ExprType.BOOL)
    assert "must give yes/no, but gives number" in str(error)


def test_null_is_accepted_where_any_type_is_expected() -> None:
    assert compile_("null", ExprType.BOOL).type is ExprType.NULL


def test_a_matching_result_type_is_accepted() -> None:
    assert compile_("n > 1", ExprType.BOOL).type is ExprType.BOOL


# --- syntax errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("", "empty expression", 1),
        ("   ", "empty expression", 1),
        ("(1 + 2", "expected ')', found 'end of expression'", 7),
        ("((1)", "expected ')', found 'end of expression'", 5),
        ("1 + 2)", "unexpected ')'", 6),
        ("1 2", "unexpected '2'", 3),
        ("n m", "unexpected 'm'", 3),
        ("1 +", "expected a value, found 'end of expression'", 4),
        ("* 2", "expected a value, found '*'", 1),
        ("max(1, 2", "expected ',' or ')', found 'end of expression'", 9),
        ("max(1 2)", "expected ',' or ')', found '2'", 7),
        ("foo(1)", "unknown function 'foo'", 1),
        ("1 + nope", "unknown field 'nope'", 5),
        ("n # 2", "unexpected character '#'", 3),
        ("n = 2", "unexpected character '='", 3),
        ("'open", 'unexpected character "\'"', 1),
        ("n.x", "unexpected character '.'", 2),
        ("1 && 2", "unexpected character '&'", 3),
    ],
)
def test_syntax_errors_say_what_and_where(source: str, message: str, column: int) -> None:
    error = error_of(source)
    assert message in str(error)
    assert error.column == column


def test_an_unknown_function_lists_the_known_ones() -> None:
    message = str(error_of("sum(1, 2)"))
    assert "known: answered, coalesce, count, count_true, has, if, len, max, min, round" in message


def test_an_expression_must_be_text() -> None:
    with pytest.raises(ExpressionError, match="an expression must be text, got int"):
        compile_expression(5, _resolve)  # type: ignore[arg-type]


def test_not_followed_by_a_parenthesis_is_the_operator_not_a_function() -> None:
    assert compile_("not(true)")({}) is False
    assert compile_("not(n > 1)").references == frozenset({"ind.n"})


# --- safety -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "__import__('os')",
        "__import__('os').system('echo hi')",
        "eval('1')",
        "exec('x = 1')",
        "open('/etc/passwd')",
        "().__class__",
        "n.__class__",
        "[x for x in (1,)]",
        "lambda: 1",
        "globals()",
        "getattr(n, 'real')",
    ],
)
def test_python_code_does_not_compile(source: str) -> None:
    with pytest.raises(ExpressionError):
        compile_(source)


def test_compiling_and_evaluating_never_calls_python_eval(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval/exec/compile must not be used")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", forbidden)
    expression = compile_("if(flag, round(n / m * 100, 1), coalesce(k, 0)) >= 50 and has(kinds, 'a')")
    env = {"ind.flag": True, "ind.n": 3.0, "ind.m": 4.0, "ind.kinds": frozenset({"a"})}
    assert expression(env) is True


def test_an_expression_is_frozen_and_keeps_its_source() -> None:
    expression = compile_("n + 1")
    assert expression.source == "n + 1"
    with pytest.raises(AttributeError):
        expression.source = "other"  # type: ignore[misc]


# --- properties ---------------------------------------------------------------------------------

_INTS = st.integers(min_value=-(10**6), max_value=10**6)

_ARITHMETIC: list[tuple[str, Callable[[float, float, float], float]]] = [
    ("a + b * c", lambda a, b, c: a + b * c),
    ("a * b + c", lambda a, b, c: a * b + c),
    ("(a + b) * c", lambda a, b, c: (a + b) * c),
    ("a - b - c", lambda a, b, c: (a - b) - c),
    ("a - (b - c)", lambda a, b, c: a - (b - c)),
    ("a * b - c * a", lambda a, b, c: a * b - c * a),
    ("-a + b", lambda a, b, c: -a + b),
]


def _substitute(template: str, a: int, b: int, c: int) -> str:
    # Negative numbers are written in parentheses so that "2 - -3" style inputs stay readable.
    values = {"a": f"({a})", "b": f"({b})", "c": f"({c})"}
    return "".join(values.get(char, char) for char in template)


@given(a=_INTS, b=_INTS, c=_INTS, case=st.sampled_from(_ARITHMETIC))
def test_integer_arithmetic_matches_python_on_floats(
    a: int, b: int, c: int, case: tuple[str, Callable[[float, float, float], float]]
) -> None:
    template, reference = case
    expected = reference(float(a), float(b), float(c))
    assert compile_(_substitute(template, a, b, c))({}) == expected
    # The same through fields instead of literals.
    env = {"ind.n": float(a), "ind.m": float(b), "ind.k": float(c)}
    field_source = template.replace("a", "n").replace("b", "m").replace("c", "k")
    assert compile_(field_source)(env) == expected


@given(a=_INTS, b=_INTS)
def test_division_matches_python_or_gives_null_for_zero(a: int, b: int) -> None:
    result = compile_(f"({a}) / ({b})")({})
    if b == 0:
        assert result is None
    else:
        assert result == float(a) / float(b)


_TRI = st.sampled_from([True, False, None])


def _k_not(a: bool | None) -> bool | None:
    return None if a is None else not a


def _k_and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _k_or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


_LOGIC: list[tuple[str, Callable[[Any, Any, Any], bool | None]]] = [
    ("p and q", lambda p, q, r: _k_and(p, q)),
    ("p or q", lambda p, q, r: _k_or(p, q)),
    ("not p", lambda p, q, r: _k_not(p)),
    ("p and q or r", lambda p, q, r: _k_or(_k_and(p, q), r)),
    ("p or q and r", lambda p, q, r: _k_or(p, _k_and(q, r))),
    ("not p and q", lambda p, q, r: _k_and(_k_not(p), q)),
    ("not (p or q) or r", lambda p, q, r: _k_or(_k_not(_k_or(p, q)), r)),
    ("(p or not q) and (not r or q)", lambda p, q, r: _k_and(_k_or(p, _k_not(q)), _k_or(_k_not(r), q))),
]
_LITERAL = {True: "true", False: "false", None: "null"}


@given(p=_TRI, q=_TRI, r=_TRI, case=st.sampled_from(_LOGIC))
def test_and_or_not_follow_kleene_three_valued_logic(
    p: bool | None, q: bool | None, r: bool | None, case: tuple[str, Callable[..., bool | None]]
) -> None:
    template, reference = case
    expected = reference(p, q, r)
    # Through fields (an unanswered field is null)...
    env: Mapping[str, Any] = {
        key: value for key, value in {"ind.flag": p, "ind.other": q, "ind.third": r}.items() if value is not None
    }
    names = {"p": "flag", "q": "other", "r": "third"}
    field_source = re.sub(r"\b[pqr]\b", lambda match: names[match.group()], template)
    assert compile_(field_source)(env) is expected
    # ...and through literals.
    values = {"p": p, "q": q, "r": r}
    literal_source = re.sub(r"\b[pqr]\b", lambda match: _LITERAL[values[match.group()]], template)
    assert compile_(literal_source)({}) is expected


_COMPARE_OPS: dict[str, Callable[[float, float], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)


@given(a=_FLOATS | _INTS, b=_FLOATS | _INTS, op=st.sampled_from(sorted(_COMPARE_OPS)))
def test_comparisons_agree_with_python_for_numbers_to_nine_decimals(a: float, b: float, op: str) -> None:
    result = compile_(f"n {op} m")({"ind.n": a, "ind.m": b})
    assert result is _COMPARE_OPS[op](round(float(a), 9), round(float(b), 9))


def test_shares_that_add_up_to_100_compare_equal_despite_binary_noise() -> None:
    assert compile_("n + n + n + m == 100")({"ind.n": 33.3, "ind.m": 0.1}) is True


@given(
    a=st.integers(min_value=0, max_value=10**9),
    b=st.integers(min_value=0, max_value=10**9),
    op=st.sampled_from(sorted(_COMPARE_OPS)),
)
def test_comparisons_of_number_literals_agree_with_python(a: int, b: int, op: str) -> None:
    assert compile_(f"{a} {op} {b}")({}) is _COMPARE_OPS[op](a, b)


def _compile_or_expression_error(source: str) -> Expression | None:
    try:
        return compile_(source)
    except ExpressionError:
        return None


_ENVS = [
    {},
    {
        "ind.n": 0.0,
        "ind.m": 0.0,
        "ind.k": 0.0,
        "ind.flag": False,
        "ind.other": True,
        "ind.name": "",
        "ind.title": "x",
        "ind.kinds": frozenset(),
        "ind.started": dt.date(2015, 1, 1),
        "ind.ended": dt.date(2000, 2, 29),
    },
    {
        "ind.n": 3.5,
        "ind.m": -2.0,
        "ind.k": 1e6,
        "ind.flag": True,
        "ind.other": False,
        "ind.third": True,
        "ind.name": "Cluster",
        "ind.kinds": frozenset({"a", "b"}),
        "1.1.2.participants": 60.0,
        "1.1.2.smes": 0.0,
    },
]


@settings(max_examples=500)
@given(source=st.text())
def test_any_text_either_compiles_or_raises_an_expression_error(source: str) -> None:
    _compile_or_expression_error(source)


_TOKENS = [
    "n",
    "m",
    "k",
    "flag",
    "other",
    "name",
    "kinds",
    "started",
    "{1.1.2.participants}",
    "nope",
    "0",
    "1",
    "2.5",
    "1000000",
    "'a'",
    '"b"',
    "true",
    "false",
    "null",
    "and",
    "or",
    "not",
    "+",
    "-",
    "*",
    "/",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "(",
    ")",
    ",",
    "answered",
    "count",
    "has",
    "len",
    "min",
    "max",
    "round",
    "if",
    "coalesce",
    "year",
    "count_true",
    "starts_with",
    "foo",
    "#",
    "{",
    "}",
    "'",
]


@settings(max_examples=1000)
@given(tokens=st.lists(st.sampled_from(_TOKENS), max_size=14))
def test_token_soup_either_compiles_and_evaluates_or_raises_an_expression_error(
    tokens: list[str],
) -> None:
    expression = _compile_or_expression_error(" ".join(tokens))
    if expression is None:
        return
    for env in _ENVS:
        expression(env)  # must not raise, whatever the answers are


@pytest.mark.parametrize("source", ["(" * 400 + "1" + ")" * 400, "not " * 1000 + "true"])
def test_deeply_nested_input_is_refused_with_an_expression_error(source: str) -> None:
    with contextlib.suppress(ExpressionError):
        compile_(source)
