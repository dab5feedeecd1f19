"""Typed answer values: parsing what a person typed, range checks, JSON form, display form.

Stored Python types by field type: integer and year → int; decimal, percent, money → Decimal;
date → datetime.date; yes/no → bool; single choice, texts, URL → str; multiple choice →
tuple[str, ...] (sorted). `None` means unanswered.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from esca_desktop.forms.catalog import Field, FieldType

AnswerValue = int | Decimal | dt.date | bool | str | tuple[str, ...] | None

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 50_000
YEAR_RANGE = (1800, 2200)
PERCENT_RANGE = (0.0, 100.0)
MAX_INTEGER = 10**15
MAX_DECIMAL_DIGITS = 18  # before the point: what `_parse_decimal_text` reads
MAX_DECIMAL_SIGNIFICANT = 40  # typed: 30 at most; converted from a float: 17

_TRUE = {"yes", "y", "true", "1", "ja", "j", "wahr"}
_FALSE = {"no", "n", "false", "0", "nein", "falsch"}


class ValueProblem(Exception):
    """A value cannot be accepted for a field. `kind` is 'wrong_type' or 'constraint'."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def msg(lang: str, en: str, de: str) -> str:
    """The message in the interview language (English and German are what the program speaks)."""
    return de if lang == "de" else en


def is_empty(raw: object) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, (list, tuple, set, frozenset)):
        return len(raw) == 0
    return False


def _parse_decimal_text(text: str, lang: str) -> Decimal:
    cleaned = re.sub(r"[\s\u00a0\u202f'€]|EUR|%", "", text, flags=re.IGNORECASE)
    thousands = "." if lang == "de" else ","
    if "," in cleaned and "." in cleaned:
        # The later separator is the decimal one: 1.234,5 (German) or 1,234.5 (English).
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    elif re.fullmatch(r"[-+]?\d{1,3}([.,]\d{3})+", cleaned) and (
        cleaned.count(cleaned[-4]) > 1 or cleaned[-4] == thousands
    ):
        # 1.234.567, or 250.000 typed in German / 250,000 in English: thousands separators.
        cleaned = cleaned.replace(cleaned[-4], "")
    elif "," in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[-+]?\d{1,18}(\.\d{1,12})?", cleaned):
        raise InvalidOperation(text)
    return Decimal(cleaned)


def _to_int(raw: object, lang: str, what_en: str, what_de: str) -> int:
    if isinstance(raw, bool):
        raise ValueProblem("wrong_type", msg(lang, f"expects {what_en}", f"erwartet {what_de}"))
    if isinstance(raw, int):
        value = raw
    elif (isinstance(raw, float) and raw.is_integer()) or (
        isinstance(raw, Decimal) and raw.is_finite() and raw == raw.to_integral_value()
    ):
        value = int(raw)
    else:
        text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
        if not re.fullmatch(r"[-+]?\d{1,30}", text):
            raise ValueProblem(
                "wrong_type",
                msg(lang, f"expects {what_en}, got {_clip(raw)}", f"erwartet {what_de}, nicht {_clip(raw)}"),
            )
        value = int(text)
    if abs(value) > MAX_INTEGER:
        raise ValueProblem("constraint", msg(lang, "is too large", "ist zu groß"))
    return value


def _clip(raw: object) -> str:
    text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "…'"


def _to_decimal(raw: object, lang: str) -> Decimal:
    if isinstance(raw, bool):
        raise ValueProblem("wrong_type", msg(lang, "expects a number", "erwartet eine Zahl"))
    if isinstance(raw, Decimal) and not raw.is_finite():
        raise ValueProblem("wrong_type", msg(lang, "expects a number", "erwartet eine Zahl"))
    if isinstance(raw, (int, Decimal)):
        return Decimal(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueProblem("wrong_type", msg(lang, "expects a number", "erwartet eine Zahl"))
        return Decimal(repr(raw))
    try:
        return _parse_decimal_text(str(raw), lang)
    except InvalidOperation:
        raise ValueProblem(
            "wrong_type",
            msg(lang, f"expects a number, got {_clip(raw)}", f"erwartet eine Zahl, nicht {_clip(raw)}"),
        ) from None


_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_LOCAL_DATE = re.compile(r"(\d{1,2})\s*([./])\s*(\d{1,2})\s*\2\s*(\d{2}|\d{4})")


def parse_date(text: str, lang: str = "en") -> dt.date:
    """A date as typed on site. The rules (the program writes British English and German, both day first):

    - ISO: 2026-12-03 (four-digit year first, then month, then day);
    - day, month, year separated by dots (German, as the printed protocol asks) or slashes (en-GB):
      3.12.26, 03.12.2026, 3/12/2026, also with spaces after the dots (3. 12. 2026);
    - a two-digit year is in this century: 26 → 2026;
    - anything else, or a day that the month does not have (31.02.2026), is refused with a message.
    """
    cleaned = text.strip()
    iso = _ISO_DATE.fullmatch(cleaned)
    local = _LOCAL_DATE.fullmatch(cleaned)
    if iso is not None:
        year, month, day = (int(part) for part in iso.groups())
    elif local is not None:
        day, month = int(local.group(1)), int(local.group(3))
        year_text = local.group(4)
        year = 2000 + int(year_text) if len(year_text) == 2 else int(year_text)
    else:
        raise ValueProblem(
            "wrong_type",
            msg(
                lang,
                f"expects a date such as 3.12.2026 or 2026-12-03, got {_clip(text)}",
                f"erwartet ein Datum wie 3.12.2026 oder 2026-12-03, nicht {_clip(text)}",
            ),
        )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueProblem(
            "wrong_type", msg(lang, f"{cleaned} is not a date", f"{cleaned} ist kein gültiges Datum")
        ) from None


def _to_date(raw: object, lang: str) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    return parse_date(str(raw), lang)


def format_date_typed(value: dt.date) -> str:
    """How a date editor shows a date: day first with dots, as the printed protocol asks it to be
    written (DD.MM.YYYY / TT.MM.JJJJ); `parse_date` reads it back."""
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def _to_bool(raw: object, lang: str) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueProblem(
        "wrong_type", msg(lang, f"expects yes or no, got {raw!r}", f"erwartet ja oder nein, nicht {raw!r}")
    )


def _choice_id(field: Field, raw: object, lang: str) -> str:
    text = str(raw).strip()
    for choice in field.choices:
        if choice.id == text:
            return choice.id
    lowered = text.lower()
    for choice in field.choices:
        if choice.id.lower() == lowered or any(label.lower() == lowered for _, label in choice.label.translations):
            return choice.id
    known = ", ".join(c.id for c in field.choices)
    raise ValueProblem(
        "wrong_type",
        msg(lang, f"{text!r} is not one of: {known}", f"{text!r} ist keine der Optionen: {known}"),
    )


def _check_url(text: str, lang: str) -> str:
    candidate = text.strip()
    if "://" not in candidate and re.match(r"^[\w-]+(\.[\w-]+)+(/|$)", candidate):
        candidate = "https://" + candidate
    parts = urlsplit(candidate)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in candidate:
        raise ValueProblem(
            "wrong_type",
            msg(
                lang,
                f"expects a web address such as https://example.org, got {text!r}",
                f"erwartet eine Webadresse wie https://example.org, nicht {text!r}",
            ),
        )
    return candidate


def _range_problem(field: Field, value: float, lang: str) -> ValueProblem | None:
    low, high = field.minimum, field.maximum
    if field.type is FieldType.PERCENT:
        low = PERCENT_RANGE[0] if low is None else low
        high = PERCENT_RANGE[1] if high is None else high
    if field.type is FieldType.YEAR:
        low = YEAR_RANGE[0] if low is None else low
        high = YEAR_RANGE[1] if high is None else high
    unit = field.unit.get(lang)
    suffix = f" {unit}" if unit else ""
    if low is not None and value < low:
        return ValueProblem(
            "constraint",
            msg(lang, f"must be at least {_num(low, lang)}{suffix}", f"muss mindestens {_num(low, lang)}{suffix} sein"),
        )
    if high is not None and value > high:
        return ValueProblem(
            "constraint",
            msg(lang, f"must be at most {_num(high, lang)}{suffix}", f"darf höchstens {_num(high, lang)}{suffix} sein"),
        )
    return None


def _num(value: float, lang: str = "en") -> str:
    text = str(int(value)) if float(value).is_integer() else f"{value:g}"
    return text.replace(".", ",") if lang == "de" else text


def parse_value(field: Field, raw: object, lang: str = "en") -> AnswerValue:
    """Turn what was typed (text, or an already typed value) into the field's value.

    Returns None for an empty input. Raises `ValueProblem` for a value of the wrong type or outside
    the field's range; the message is for the person who typed it.
    """
    if is_empty(raw):
        return None
    kind = field.type
    value: AnswerValue
    if kind is FieldType.INTEGER:
        value = _to_int(raw, lang, "a whole number", "eine ganze Zahl")
    elif kind is FieldType.YEAR:
        value = _to_int(raw, lang, "a year such as 2015", "eine Jahreszahl wie 2015")
    elif kind in (FieldType.DECIMAL, FieldType.PERCENT, FieldType.MONEY):
        value = _to_decimal(raw, lang)
    elif kind is FieldType.DATE:
        value = _to_date(raw, lang)
    elif kind is FieldType.YES_NO:
        value = _to_bool(raw, lang)
    elif kind is FieldType.SINGLE_CHOICE:
        value = _choice_id(field, raw, lang)
    elif kind is FieldType.MULTIPLE_CHOICE:
        items: Sequence[object]
        if isinstance(raw, str):
            items = [part for part in raw.split(",") if part.strip()]
        elif isinstance(raw, (list, tuple, set, frozenset)):
            items = list(raw)
        else:
            raise ValueProblem("wrong_type", msg(lang, "expects a list of choices", "erwartet eine Liste von Optionen"))
        chosen = {_choice_id(field, item, lang) for item in items if not is_empty(item)}
        if not chosen:
            return None
        value = tuple(sorted(chosen))
    elif kind in (FieldType.SHORT_TEXT, FieldType.LONG_TEXT):
        if not isinstance(raw, str):
            raise ValueProblem("wrong_type", msg(lang, "expects text", "erwartet Text"))
        value = raw.strip() if kind is FieldType.SHORT_TEXT else raw.rstrip()
        limit = SHORT_TEXT_MAX if kind is FieldType.SHORT_TEXT else LONG_TEXT_MAX
        if kind is FieldType.SHORT_TEXT and "\n" in value:
            raise ValueProblem("wrong_type", msg(lang, "expects a single line", "erwartet eine einzelne Zeile"))
        if len(value) > limit:
            raise ValueProblem(
                "constraint",
                msg(lang, f"is too long: at most {limit} characters", f"ist zu lang: höchstens {limit} Zeichen"),
            )
    elif kind is FieldType.URL:
        value = _check_url(str(raw), lang)
    else:  # pragma: no cover - every FieldType is handled above
        raise AssertionError(kind)
    if kind.is_numeric:
        problem = _range_problem(field, float(value), lang)  # type: ignore[arg-type]
        if problem is not None:
            raise problem
    return value


def to_json(field: Field, value: AnswerValue) -> Any:
    """The value as stored in the database and in bundles (JSON-compatible, exact)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def from_json(field: Field, data: Any) -> AnswerValue:
    """Inverse of `to_json`; trusts stored data to have the field's type."""
    if data is None:
        return None
    kind = field.type
    if kind in (FieldType.DECIMAL, FieldType.PERCENT, FieldType.MONEY):
        return Decimal(str(data))
    if kind is FieldType.DATE:
        return dt.date.fromisoformat(str(data))
    if kind is FieldType.MULTIPLE_CHOICE:
        return tuple(data)
    if kind in (FieldType.INTEGER, FieldType.YEAR):
        return int(data)
    if kind is FieldType.YES_NO:
        return bool(data)
    return str(data)


_JSON_TYPES: dict[FieldType, tuple[type, ...]] = {
    FieldType.INTEGER: (int,),
    FieldType.YEAR: (int,),
    FieldType.DECIMAL: (str,),
    FieldType.PERCENT: (str,),
    FieldType.MONEY: (str,),
    FieldType.DATE: (str,),
    FieldType.YES_NO: (bool,),
    FieldType.SINGLE_CHOICE: (str,),
    FieldType.MULTIPLE_CHOICE: (list,),
    FieldType.SHORT_TEXT: (str,),
    FieldType.LONG_TEXT: (str,),
    FieldType.URL: (str,),
}


def shorten(data: Any, limit: int = 40) -> str:
    """A stored value as JSON, shortened for a message (a number of 400 digits shows its length)."""
    try:
        text = json.dumps(data, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(data)
    if len(text) <= limit:
        return text
    return f"{text[: limit - 12]}…{text[-6:]} ({len(text)} characters)"


def stored_value_problem(field: Field, data: Any, lang: str = "en") -> str | None:
    """Why `data`, an answer as stored (in the database, or in a bundle's assessment.json), is not a value
    this field could have been given, or None: it must have the field's JSON type, be exactly what
    `to_json` writes, and pass every check of `parse_value` (bounds, choices, lengths, finite numbers
    of at most 18 digits before the point and 40 in all). Constraints between answers are not judged
    here (a value that contradicts another answer may be kept on purpose)."""
    if data is None:
        return None
    kinds = _JSON_TYPES[field.type]
    wrong_type = msg(lang, f"is not a value of type {field.type.value}", f"ist kein Wert der Art {field.type.value}")
    if not isinstance(data, kinds) or (isinstance(data, bool) and bool not in kinds):
        return wrong_type
    if isinstance(data, list) and not all(isinstance(item, str) for item in data):
        return wrong_type
    try:
        if field.type in (FieldType.DECIMAL, FieldType.PERCENT, FieldType.MONEY) and isinstance(data, str):
            number = Decimal(data)
            if not number.is_finite():
                return msg(lang, "is not a finite number", "ist keine endliche Zahl")
            if number != 0 and number.adjusted() >= MAX_DECIMAL_DIGITS:
                return msg(lang, "is too large", "ist zu groß")
            if len(number.as_tuple().digits) > MAX_DECIMAL_SIGNIFICANT:
                return msg(
                    lang,
                    f"has more than {MAX_DECIMAL_SIGNIFICANT} digits",
                    f"hat mehr als {MAX_DECIMAL_SIGNIFICANT} Ziffern",
                )
        value = parse_value(field, from_json(field, data), lang)
        exact = json.dumps(to_json(field, value), sort_keys=True) == json.dumps(data, sort_keys=True)
    except ValueProblem as problem:
        return problem.message
    except (ArithmeticError, ValueError, TypeError):  # Decimal("x"), date.fromisoformat("x"), …
        return wrong_type
    if not exact:
        return msg(
            lang,
            f"is not written as this program stores a {field.type.value} value",
            f"ist nicht so geschrieben, wie dieses Programm einen Wert der Art {field.type.value} speichert",
        )
    return None


def to_expression_value(value: AnswerValue) -> Any:
    """The value as the expression language sees it (numbers as float, sets as frozenset)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, Decimal)):
        return float(value)
    if isinstance(value, tuple):
        return frozenset(value)
    return value


def format_value(field: Field, value: AnswerValue, lang: str = "en") -> str:
    """The value as a person reads it, with its unit."""
    if value is None:
        return ""
    kind = field.type
    unit = field.unit.get(lang)
    if kind is FieldType.YES_NO:
        return msg(lang, "yes", "ja") if value else msg(lang, "no", "nein")
    if kind is FieldType.SINGLE_CHOICE:
        choice = field.choice(str(value))
        return choice.label.get(lang) if choice else str(value)
    if kind is FieldType.MULTIPLE_CHOICE:
        labels = []
        for item in value:  # type: ignore[union-attr]
            choice = field.choice(item)
            labels.append(choice.label.get(lang) if choice else item)
        return ", ".join(labels)
    if kind is FieldType.DATE:
        return value.isoformat()  # type: ignore[union-attr]
    if kind is FieldType.MONEY:
        text = f"{Decimal(value):,.2f}"  # type: ignore[arg-type]
        if lang == "de":
            text = text.replace(",", "\u202f").replace(".", ",")
        return f"{text} {unit or 'EUR'}"
    if kind is FieldType.PERCENT:
        return f"{_format_number(value, lang, places=1)} %"
    if kind in (FieldType.INTEGER, FieldType.DECIMAL):
        text = _format_number(value, lang, places=2)
        return f"{text} {unit}" if unit else text
    return str(value)


def _format_number(value: AnswerValue, lang: str, places: int = 2) -> str:
    """At most `places` decimals (computed shares would otherwise show 75.641026), no trailing zeros."""
    number = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)  # type: ignore[arg-type]
    text = format(number.normalize(), "f") if number != number.to_integral_value() else str(int(number))
    return text.replace(".", ",") if lang == "de" else text
