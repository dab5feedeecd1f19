"""The catalog's small, safe expression language.

Relevance conditions, computed fields, constraints, scoring levels and eligibility checks are
written in it. An expression is tokenised, parsed and type-checked once, when the catalog loads,
and compiled into a tree of closures; nothing is ever passed to `eval`.

Syntax::

    literals     12  3.5  'text'  "text"  true  false  null
    fields       smes                 (a field of the same indicator)
                 {1.1.2.participants} (any field, by its full key)
    arithmetic   + - * /   (division by zero gives null)
    comparison   == != < <= > >=
    logic        and or not
    functions    answered(x) count(set) has(set, 'choice') len(text) min(a, b, ...)
                 max(a, b, ...) round(x[, digits]) if(cond, a, b) coalesce(a, b, ...)
                 year(date) count_true(a, b, ...) starts_with(text, 'prefix')

An unanswered field is `null`. Arithmetic and comparison with `null` give `null`; `and`, `or` and
`not` follow three-valued logic (`false and null` is `false`, `true or null` is `true`). Callers
decide what an undecided (`null`) result means: a relevance condition that is `null` shows the item,
a constraint that is `null` does not complain, a scoring level that is `null` leaves the result open.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

Value = float | bool | str | dt.date | frozenset[str] | None
Env = Mapping[str, Any]
Evaluator = Callable[[Env], Value]


class ExprType(enum.Enum):
    NUMBER = "number"
    BOOL = "yes/no"
    TEXT = "text"
    DATE = "date"
    SET = "set of choices"
    NULL = "null"


class ExpressionError(Exception):
    """A syntax, name or type error in an expression, with the column where it was found."""

    def __init__(self, message: str, column: int | None = None) -> None:
        where = f" (at column {column})" if column is not None else ""
        super().__init__(f"{message}{where}")
        self.column = column


Resolver = Callable[[str, bool], tuple[str, ExprType]]
"""Maps a field name (and whether it was written qualified, `{...}`) to its key and type.

Raises `ExpressionError` for an unknown name."""


@dataclass(frozen=True, slots=True)
class Expression:
    """A compiled expression: its source, result type, the field keys it reads, and its evaluator."""

    source: str
    type: ExprType
    references: frozenset[str]
    evaluate: Evaluator

    def __call__(self, env: Env) -> Value:
        return self.evaluate(env)


# --- tokens -----------------------------------------------------------------------------------

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>'[^'\\]*'|"[^"\\]*")
  | (?P<ref>\{[^{}\s]+\})
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|[-+*/<>(),])
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "true", "false", "null"}
MAX_DEPTH = 40


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    column: int


def _tokenise(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN_RE.match(source, pos)
        if match is None:
            raise ExpressionError(f"unexpected character {source[pos]!r}", pos + 1)
        kind = match.lastgroup or ""
        text = match.group()
        if kind != "ws":
            if kind == "ident" and text in _KEYWORDS:
                kind = text
            tokens.append(_Token(kind, text, pos + 1))
        pos = match.end()
    tokens.append(_Token("end", "", len(source) + 1))
    return tokens


# --- nodes: each parse function returns (type, references, evaluator) ---------------------------

_Node = tuple[ExprType, frozenset[str], Evaluator]


def _const(value: Value, type_: ExprType) -> _Node:
    return type_, frozenset(), lambda env: value


def _number(value: Any) -> float | None:
    if value is None:
        return None
    return float(value)


class _Parser:
    def __init__(self, source: str, resolver: Resolver) -> None:
        self.source = source
        self.tokens = _tokenise(source)
        self.index = 0
        self.resolver = resolver
        self.depth = 0

    # helpers
    @property
    def current(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def parse(self) -> _Node:
        if self.current.kind == "end":
            raise ExpressionError("empty expression", 1)
        node = self.parse_or()
        if self.current.kind != "end":
            raise ExpressionError(f"unexpected {self.current.text!r}", self.current.column)
        return node

    # grammar
    def parse_or(self) -> _Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"nested too deeply (more than {MAX_DEPTH} levels)", self.current.column)
        try:
            return self._parse_or()
        finally:
            self.depth -= 1

    def _parse_or(self) -> _Node:
        left = self.parse_and()
        while self.current.kind == "or":
            column = self.advance().column
            right = self.parse_and()
            left = _logic("or", left, right, column)
        return left

    def parse_and(self) -> _Node:
        left = self.parse_not()
        while self.current.kind == "and":
            column = self.advance().column
            right = self.parse_not()
            left = _logic("and", left, right, column)
        return left

    def parse_not(self) -> _Node:
        if self.current.kind == "not":
            column = self.advance().column
            negations = 1
            while self.current.kind == "not":
                self.advance()
                negations += 1
            type_, refs, inner = self.parse_comparison()
            _require(type_, {ExprType.BOOL}, "'not'", column)
            if negations % 2 == 0:
                return type_, refs, inner

            def negate(env: Env) -> Value:
                value = inner(env)
                return None if value is None else not value

            return ExprType.BOOL, refs, negate
        return self.parse_comparison()

    def parse_comparison(self) -> _Node:
        left = self.parse_additive()
        if self.current.kind == "op" and self.current.text in _COMPARISONS:
            op = self.advance()
            right = self.parse_additive()
            return _compare(op.text, left, right, op.column)
        return left

    def parse_additive(self) -> _Node:
        left = self.parse_multiplicative()
        while self.current.kind == "op" and self.current.text in "+-":
            op = self.advance()
            right = self.parse_multiplicative()
            left = _arithmetic(op.text, left, right, op.column)
        return left

    def parse_multiplicative(self) -> _Node:
        left = self.parse_unary()
        while self.current.kind == "op" and self.current.text in "*/":
            op = self.advance()
            right = self.parse_unary()
            left = _arithmetic(op.text, left, right, op.column)
        return left

    def parse_unary(self) -> _Node:
        if self.current.kind == "op" and self.current.text == "-":
            column = self.advance().column
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionError(f"nested too deeply (more than {MAX_DEPTH} levels)", column)
            try:
                type_, refs, inner = self.parse_unary()
            finally:
                self.depth -= 1
            _require(type_, {ExprType.NUMBER}, "unary '-'", column)

            def minus(env: Env) -> Value:
                value = inner(env)
                return None if value is None else -_as_float(value)

            return ExprType.NUMBER, refs, minus
        return self.parse_primary()

    def parse_primary(self) -> _Node:
        token = self.current
        if token.kind == "number":
            self.advance()
            return _const(float(token.text), ExprType.NUMBER)
        if token.kind == "string":
            self.advance()
            return _const(token.text[1:-1], ExprType.TEXT)
        if token.kind in ("true", "false"):
            self.advance()
            return _const(token.kind == "true", ExprType.BOOL)
        if token.kind == "null":
            self.advance()
            return _const(None, ExprType.NULL)
        if token.kind == "op" and token.text == "(":
            self.advance()
            node = self.parse_or()
            if not (self.current.kind == "op" and self.current.text == ")"):
                found = self.current.text or "end of expression"
                raise ExpressionError(f"expected ')', found {found!r}", self.current.column)
            self.advance()
            return node
        if token.kind == "ref":
            self.advance()
            return self.field(token.text[1:-1], True, token.column)
        if token.kind == "ident":
            self.advance()
            if self.current.kind == "op" and self.current.text == "(":
                return self.call(token)
            return self.field(token.text, False, token.column)
        found = token.text or "end of expression"
        raise ExpressionError(f"expected a value, found {found!r}", token.column)

    def field(self, name: str, qualified: bool, column: int) -> _Node:
        try:
            key, type_ = self.resolver(name, qualified)
        except ExpressionError as exc:
            raise ExpressionError(str(exc), column) from None

        def read(env: Env) -> Value:
            return env.get(key)

        return type_, frozenset({key}), read

    def call(self, name_token: _Token) -> _Node:
        self.advance()  # '('
        args: list[_Node] = []
        if not (self.current.kind == "op" and self.current.text == ")"):
            args.append(self.parse_or())
            while self.current.kind == "op" and self.current.text == ",":
                self.advance()
                args.append(self.parse_or())
        if not (self.current.kind == "op" and self.current.text == ")"):
            found = self.current.text or "end of expression"
            raise ExpressionError(f"expected ',' or ')', found {found!r}", self.current.column)
        self.advance()
        builder = _FUNCTIONS.get(name_token.text)
        if builder is None:
            known = ", ".join(sorted(_FUNCTIONS))
            raise ExpressionError(f"unknown function {name_token.text!r} (known: {known})", name_token.column)
        return builder(args, name_token.column)


def _require(type_: ExprType, allowed: set[ExprType], what: str, column: int) -> None:
    if type_ is ExprType.NULL or type_ in allowed:
        return
    names = " or ".join(sorted(t.value for t in allowed))
    raise ExpressionError(f"{what} needs {names}, got {type_.value}", column)


def _as_float(value: Value) -> float:
    return float(value)  # type: ignore[arg-type]


def _refs(*nodes: _Node) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for node in nodes:
        out = out | node[1]
    return out


def _logic(op: str, left: _Node, right: _Node, column: int) -> _Node:
    _require(left[0], {ExprType.BOOL}, f"'{op}'", column)
    _require(right[0], {ExprType.BOOL}, f"'{op}'", column)
    lf, rf = left[2], right[2]
    if op == "and":

        def evaluate(env: Env) -> Value:
            a = lf(env)
            if a is False:
                return False
            b = rf(env)
            if b is False:
                return False
            return None if a is None or b is None else True

    else:

        def evaluate(env: Env) -> Value:
            a = lf(env)
            if a is True:
                return True
            b = rf(env)
            if b is True:
                return True
            return None if a is None or b is None else False

    return ExprType.BOOL, _refs(left, right), evaluate


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: bool(a == b),
    "!=": lambda a, b: bool(a != b),
    "<": lambda a, b: bool(a < b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    ">=": lambda a, b: bool(a >= b),
}
_ORDERED = {ExprType.NUMBER, ExprType.TEXT, ExprType.DATE}


def _compare(op: str, left: _Node, right: _Node, column: int) -> _Node:
    lt, rt = left[0], right[0]
    if ExprType.NULL not in (lt, rt) and lt is not rt:
        raise ExpressionError(f"cannot compare {lt.value} with {rt.value} using '{op}'", column)
    operand = rt if lt is ExprType.NULL else lt
    if op not in ("==", "!=") and operand not in _ORDERED and operand is not ExprType.NULL:
        raise ExpressionError(f"'{op}' needs numbers, texts or dates, got {operand.value}", column)
    compare = _COMPARISONS[op]
    lf, rf = left[2], right[2]
    numeric = operand is ExprType.NUMBER

    def evaluate(env: Env) -> Value:
        a = lf(env)
        b = rf(env)
        if a is None or b is None:
            return None
        if numeric:
            # Round away binary noise: 33.3 + 33.3 + 33.3 + 0.1 == 100 must hold.
            return compare(round(float(a), 9), round(float(b), 9))  # type: ignore[arg-type]
        return compare(a, b)

    return ExprType.BOOL, _refs(left, right), evaluate


def _arithmetic(op: str, left: _Node, right: _Node, column: int) -> _Node:
    _require(left[0], {ExprType.NUMBER}, f"'{op}'", column)
    _require(right[0], {ExprType.NUMBER}, f"'{op}'", column)
    lf, rf = left[2], right[2]

    def evaluate(env: Env) -> Value:
        a = lf(env)
        b = rf(env)
        if a is None or b is None:
            return None
        x, y = _as_float(a), _as_float(b)
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        return None if y == 0 else x / y

    return ExprType.NUMBER, _refs(left, right), evaluate


# --- functions ----------------------------------------------------------------------------------

_FunctionBuilder = Callable[[Sequence[_Node], int], _Node]


def _arity(name: str, args: Sequence[_Node], low: int, high: int | None, column: int) -> None:
    if len(args) < low or (high is not None and len(args) > high):
        if high is None:
            expected = f"at least {low}"
        elif low == high:
            expected = str(low)
        else:
            expected = f"{low} to {high}"
        raise ExpressionError(f"{name}() takes {expected} arguments, got {len(args)}", column)


def _fn_answered(args: Sequence[_Node], column: int) -> _Node:
    _arity("answered", args, 1, 1, column)
    inner = args[0][2]

    def evaluate(env: Env) -> Value:
        value = inner(env)
        return value is not None and value != "" and value != frozenset()

    return ExprType.BOOL, _refs(*args), evaluate


def _fn_count(args: Sequence[_Node], column: int) -> _Node:
    _arity("count", args, 1, 1, column)
    _require(args[0][0], {ExprType.SET}, "count()", column)
    inner = args[0][2]

    def evaluate(env: Env) -> Value:
        value = inner(env)
        return None if value is None else float(len(value))  # type: ignore[arg-type]

    return ExprType.NUMBER, _refs(*args), evaluate


def _fn_has(args: Sequence[_Node], column: int) -> _Node:
    _arity("has", args, 2, 2, column)
    _require(args[0][0], {ExprType.SET}, "has() first argument", column)
    _require(args[1][0], {ExprType.TEXT}, "has() second argument", column)
    container, item = args[0][2], args[1][2]

    def evaluate(env: Env) -> Value:
        values = container(env)
        wanted = item(env)
        if values is None or wanted is None:
            return None
        return wanted in values  # type: ignore[operator]

    return ExprType.BOOL, _refs(*args), evaluate


def _fn_len(args: Sequence[_Node], column: int) -> _Node:
    _arity("len", args, 1, 1, column)
    _require(args[0][0], {ExprType.TEXT}, "len()", column)
    inner = args[0][2]

    def evaluate(env: Env) -> Value:
        value = inner(env)
        return None if value is None else float(len(str(value).strip()))

    return ExprType.NUMBER, _refs(*args), evaluate


def _fn_extreme(name: str, pick: Callable[[list[float]], float]) -> _FunctionBuilder:
    def build(args: Sequence[_Node], column: int) -> _Node:
        _arity(name, args, 1, None, column)
        for arg in args:
            _require(arg[0], {ExprType.NUMBER}, f"{name}()", column)
        inners = [a[2] for a in args]

        def evaluate(env: Env) -> Value:
            values = [inner(env) for inner in inners]
            if any(v is None for v in values):
                return None
            return pick([_as_float(v) for v in values])

        return ExprType.NUMBER, _refs(*args), evaluate

    return build


def _fn_round(args: Sequence[_Node], column: int) -> _Node:
    _arity("round", args, 1, 2, column)
    for arg in args:
        _require(arg[0], {ExprType.NUMBER}, "round()", column)
    inner = args[0][2]
    digits = args[1][2] if len(args) > 1 else (lambda env: 0.0)

    def evaluate(env: Env) -> Value:
        value, places = inner(env), digits(env)
        if value is None or places is None:
            return None
        digits_count = _as_float(places)
        if digits_count != digits_count or abs(digits_count) > 12:
            return None
        exponent = Decimal(1).scaleb(-int(digits_count))
        return float(Decimal(repr(_as_float(value))).quantize(exponent, rounding=ROUND_HALF_UP))

    return ExprType.NUMBER, _refs(*args), evaluate


def _common_type(name: str, nodes: Sequence[_Node], column: int) -> ExprType:
    types = {n[0] for n in nodes} - {ExprType.NULL}
    if len(types) > 1:
        listed = ", ".join(sorted(t.value for t in types))
        raise ExpressionError(f"{name}() arguments must have one type, got {listed}", column)
    return types.pop() if types else ExprType.NULL


def _fn_if(args: Sequence[_Node], column: int) -> _Node:
    _arity("if", args, 3, 3, column)
    _require(args[0][0], {ExprType.BOOL}, "if() condition", column)
    type_ = _common_type("if", args[1:], column)
    cond, then, other = args[0][2], args[1][2], args[2][2]

    def evaluate(env: Env) -> Value:
        value = cond(env)
        if value is None:
            return None
        return then(env) if value else other(env)

    return type_, _refs(*args), evaluate


def _fn_coalesce(args: Sequence[_Node], column: int) -> _Node:
    _arity("coalesce", args, 1, None, column)
    type_ = _common_type("coalesce", args, column)
    inners = [a[2] for a in args]

    def evaluate(env: Env) -> Value:
        for inner in inners:
            value = inner(env)
            if value is not None:
                return value
        return None

    return type_, _refs(*args), evaluate


def _fn_year(args: Sequence[_Node], column: int) -> _Node:
    _arity("year", args, 1, 1, column)
    _require(args[0][0], {ExprType.DATE}, "year()", column)
    inner = args[0][2]

    def evaluate(env: Env) -> Value:
        value = inner(env)
        return None if value is None else float(value.year)  # type: ignore[union-attr]

    return ExprType.NUMBER, _refs(*args), evaluate


def _fn_count_true(args: Sequence[_Node], column: int) -> _Node:
    _arity("count_true", args, 1, None, column)
    for arg in args:
        _require(arg[0], {ExprType.BOOL}, "count_true()", column)
    inners = [a[2] for a in args]

    def evaluate(env: Env) -> Value:
        values = [inner(env) for inner in inners]
        if any(v is None for v in values):
            return None
        return float(sum(1 for v in values if v))

    return ExprType.NUMBER, _refs(*args), evaluate


def _fn_starts_with(args: Sequence[_Node], column: int) -> _Node:
    _arity("starts_with", args, 2, 2, column)
    for arg in args:
        _require(arg[0], {ExprType.TEXT}, "starts_with()", column)
    text, prefix = args[0][2], args[1][2]

    def evaluate(env: Env) -> Value:
        a, b = text(env), prefix(env)
        if a is None or b is None:
            return None
        return str(a).lower().startswith(str(b).lower())

    return ExprType.BOOL, _refs(*args), evaluate


_FUNCTIONS: dict[str, _FunctionBuilder] = {
    "answered": _fn_answered,
    "count": _fn_count,
    "has": _fn_has,
    "len": _fn_len,
    "min": _fn_extreme("min", min),
    "max": _fn_extreme("max", max),
    "round": _fn_round,
    "if": _fn_if,
    "coalesce": _fn_coalesce,
    "year": _fn_year,
    "count_true": _fn_count_true,
    "starts_with": _fn_starts_with,
}


def compile_expression(source: str, resolver: Resolver, expected: ExprType | None = None) -> Expression:
    """Parse and type-check `source`; raise `ExpressionError` saying what is wrong and where."""
    if not isinstance(source, str):
        raise ExpressionError(f"an expression must be text, got {type(source).__name__}")
    type_, refs, evaluate = _Parser(source, resolver).parse()
    if expected is not None and type_ not in (expected, ExprType.NULL):
        raise ExpressionError(f"must give {expected.value}, but gives {type_.value}")
    return Expression(source=source, type=type_, references=refs, evaluate=evaluate)
