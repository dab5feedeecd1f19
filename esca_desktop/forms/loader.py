"""Parses a catalog file (YAML) into a frozen `Catalog`, refusing a wrong one with its exact location.

Every error reads `FILE: PATH: REASON`, for example
`gold.yaml: areas[2].indicators[1].fields[0].type: unknown type 'scal'`. The format is described in
`docs/catalog-format.md`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, NoReturn

import yaml

from esca_desktop.errors import CatalogError
from esca_desktop.forms.catalog import (
    EMPTY_TEXT,
    Area,
    Catalog,
    Check,
    Choice,
    Field,
    FieldType,
    Indicator,
    Judgement,
    Level,
    LocalText,
    OutcomeRule,
    Scoring,
)
from esca_desktop.forms.expressions import ExpressionError, ExprType, compile_expression

FORMAT_VERSION = 1
REQUIRED_LANGUAGES = ("en", "de")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_FIELD_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")

try:  # libyaml is much faster on large catalogs
    _SafeLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _SafeLoader = yaml.SafeLoader

_FIELD_EXPR_TYPES = {
    FieldType.INTEGER: ExprType.NUMBER,
    FieldType.DECIMAL: ExprType.NUMBER,
    FieldType.PERCENT: ExprType.NUMBER,
    FieldType.MONEY: ExprType.NUMBER,
    FieldType.YEAR: ExprType.NUMBER,
    FieldType.DATE: ExprType.DATE,
    FieldType.YES_NO: ExprType.BOOL,
    FieldType.SINGLE_CHOICE: ExprType.TEXT,
    FieldType.MULTIPLE_CHOICE: ExprType.SET,
    FieldType.SHORT_TEXT: ExprType.TEXT,
    FieldType.LONG_TEXT: ExprType.TEXT,
    FieldType.URL: ExprType.TEXT,
}


class _Reader:
    """Walks the parsed YAML, remembering where it is so that every error can name the spot."""

    def __init__(self, source_name: str, languages: tuple[str, ...] = REQUIRED_LANGUAGES) -> None:
        self.source_name = source_name
        self.languages = languages

    def fail(self, path: str, reason: str) -> NoReturn:
        where = f"{path}: " if path else ""
        raise CatalogError(f"{self.source_name}: {where}{reason}")

    def mapping(self, data: object, path: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
        if not isinstance(data, dict):
            self.fail(path, f"expected a mapping, got {_kind(data)}")
        unknown = sorted(set(map(str, data)) - allowed)
        if unknown:
            self.fail(_join(path, unknown[0]), f"unknown key (allowed: {', '.join(sorted(allowed))})")
        for key in sorted(required):
            if key not in data:
                self.fail(path, f"missing required key '{key}'")
        return data

    def list(self, data: object, path: str, allow_empty: bool = False) -> list[Any]:
        if not isinstance(data, list):
            self.fail(path, f"expected a list, got {_kind(data)}")
        if not data and not allow_empty:
            self.fail(path, "must not be empty")
        return data

    def string(self, data: object, path: str) -> str:
        if not isinstance(data, str) or not data.strip():
            self.fail(path, f"expected non-empty text, got {_kind(data)}")
        return data

    def ident(self, data: object, path: str, pattern: re.Pattern[str] = _ID_RE) -> str:
        if isinstance(data, float):
            self.fail(path, f'write the identifier in quotes ("{data}"): as a number, 1.10 would read as 1.1')
        if isinstance(data, int) and not isinstance(data, bool):
            data = str(data)
        text = self.string(data, path)
        if not pattern.match(text):
            self.fail(path, f"invalid identifier {text!r} (allowed: {pattern.pattern})")
        return text

    def boolean(self, data: object, path: str) -> bool:
        if not isinstance(data, bool):
            self.fail(path, f"expected true or false, got {_kind(data)}")
        return data

    def number(self, data: object, path: str) -> float:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail(path, f"expected a number, got {_kind(data)}")
        return float(data)

    def text(self, data: object, path: str) -> LocalText:
        """A human-facing string: a mapping with every required language."""
        if isinstance(data, str):
            self.fail(path, f"needs a translation for each of {', '.join(self.languages)}, got plain text")
        if not isinstance(data, dict):
            self.fail(path, f"expected a mapping of language to text, got {_kind(data)}")
        for lang in self.languages:
            if lang not in data:
                self.fail(path, f"missing the '{lang}' text")
        for lang, value in data.items():
            if not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2}", lang):
                self.fail(path, f"invalid language code {lang!r}")
            if not isinstance(value, str) or not value.strip():
                self.fail(_join(path, lang), "expected non-empty text")
        return LocalText.of({str(k): str(v) for k, v in data.items()})

    def optional_text(self, data: Mapping[str, Any], key: str, path: str) -> LocalText:
        return self.text(data[key], _join(path, key)) if key in data else EMPTY_TEXT


def _kind(data: object) -> str:
    if data is None:
        return "nothing"
    if isinstance(data, bool):
        return "true/false"
    if isinstance(data, dict):
        return "a mapping"
    if isinstance(data, list):
        return "a list"
    if isinstance(data, str):
        return f"text {data!r}"
    return f"{type(data).__name__} {data!r}"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


_CATALOG_KEYS = {
    "format",
    "id",
    "version",
    "scheme",
    "title",
    "languages",
    "provisional",
    "provisional_note",
    "provenance",
    "outcome",
    "checks",
    "areas",
}
_AREA_KEYS = {"id", "title", "indicators"}
_INDICATOR_KEYS = {
    "id",
    "title",
    "measures",
    "guidance",
    "evidence",
    "fields",
    "scoring",
    "minimum_requirement",
    "silver_scope",
    "relevant",
}
_FIELD_KEYS = {
    "id",
    "type",
    "label",
    "help",
    "unit",
    "min",
    "max",
    "required",
    "relevant",
    "constraint",
    "constraint_message",
    "choices",
    "compute",
}
_SCORING_KEYS = {"max_points", "threshold", "levels", "met", "provisional", "note"}
_LEVEL_KEYS = {"points", "when", "label"}
_OUTCOME_KEYS = {
    "judgement",
    "pass_percent",
    "minimum_requirements",
    "must_meet_areas",
    "checks_required",
    "validity_years",
    "provisional",
    "note",
}
_CHECK_KEYS = {"id", "label", "condition", "provisional", "note"}


def content_hash(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def load_catalog(path: str | Path) -> Catalog:
    """Load and check a catalog file; raise `CatalogError` naming file, location and reason."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise CatalogError(f"{file.name}: cannot read the file: {exc.strerror}") from None
    return parse_catalog(data, file.name)


def parse_catalog(data: bytes, source_name: str) -> Catalog:
    """Parse catalog bytes (as stored with an assessment, or read from a file)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogError(f"{source_name}: not UTF-8 text (byte {exc.start})") from None
    try:
        document = yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogError(f"{source_name}: {where}invalid YAML: {problem}") from None
    return _build_catalog(document, source_name, content_hash(data))


def _build_catalog(document: object, source_name: str, digest: str) -> Catalog:
    r = _Reader(source_name)
    doc = r.mapping(document, "", _CATALOG_KEYS, _CATALOG_KEYS - {"provisional_note", "checks"})
    if type(doc["format"]) is not int or doc["format"] != FORMAT_VERSION:
        r.fail("format", f"unsupported catalog format {doc['format']!r} (this program reads {FORMAT_VERSION})")
    catalog_id = r.ident(doc["id"], "id")
    version = r.ident(doc["version"], "version")
    scheme = r.string(doc["scheme"], "scheme")
    if scheme not in ("gold", "silver", "bronze"):
        r.fail("scheme", f"unknown scheme {scheme!r} (gold, silver or bronze)")
    languages = tuple(r.string(x, f"languages[{i}]") for i, x in enumerate(r.list(doc["languages"], "languages")))
    missing = [lang for lang in REQUIRED_LANGUAGES if lang not in languages]
    if missing:
        r.fail("languages", f"must include {', '.join(missing)}")
    provisional = r.boolean(doc["provisional"], "provisional")
    provisional_note = r.optional_text(doc, "provisional_note", "")
    if provisional and not provisional_note:
        r.fail("provisional_note", "a provisional catalog must say why (provisional_note)")

    # First pass: every field and its type, so that expressions may refer to any field.
    areas_raw = r.list(doc["areas"], "areas")
    field_types: dict[str, tuple[FieldType, str]] = {}
    indicator_ids: dict[str, str] = {}
    for a, area in enumerate(areas_raw):
        area_path = f"areas[{a}]"
        area_map = r.mapping(area, area_path, _AREA_KEYS, _AREA_KEYS)
        for i, ind in enumerate(r.list(area_map["indicators"], f"{area_path}.indicators")):
            ind_path = f"{area_path}.indicators[{i}]"
            ind_map = r.mapping(ind, ind_path, _INDICATOR_KEYS, {"id", "title", "fields"})
            ind_id = r.ident(ind_map["id"], f"{ind_path}.id")
            if ind_id in indicator_ids:
                r.fail(f"{ind_path}.id", f"duplicate indicator id {ind_id!r} (first at {indicator_ids[ind_id]})")
            indicator_ids[ind_id] = ind_path
            for f, fld in enumerate(r.list(ind_map["fields"], f"{ind_path}.fields")):
                fld_path = f"{ind_path}.fields[{f}]"
                fld_map = r.mapping(fld, fld_path, _FIELD_KEYS, {"id", "type", "label"})
                fld_id = r.ident(fld_map["id"], f"{fld_path}.id", _FIELD_ID_RE)
                key = f"{ind_id}.{fld_id}"
                if key in field_types:
                    r.fail(f"{fld_path}.id", f"duplicate field id {fld_id!r} in indicator {ind_id}")
                type_name = fld_map["type"]
                try:
                    ftype = FieldType(type_name)
                except ValueError:
                    known = ", ".join(t.value for t in FieldType)
                    r.fail(f"{fld_path}.type", f"unknown type {type_name!r} (known: {known})")
                field_types[key] = (ftype, fld_path)

    builder = _Builder(r, field_types)
    areas = tuple(builder.area(area, f"areas[{a}]") for a, area in enumerate(areas_raw))
    builder.check_computed_cycles([f for area in areas for ind in area.indicators for f in ind.fields])
    area_ids = [area.id for area in areas]
    if len(set(area_ids)) != len(area_ids):
        r.fail("areas", "area ids must be unique")
    checks = tuple(
        builder.check(c, f"checks[{n}]") for n, c in enumerate(r.list(doc.get("checks", []), "checks", True))
    )
    outcome = builder.outcome(doc["outcome"], "outcome", set(area_ids), bool(checks))
    if outcome.minimum_requirements and not any(ind.minimum_requirement for area in areas for ind in area.indicators):
        r.fail("outcome.minimum_requirements", "no indicator is marked minimum_requirement")
    return Catalog(
        id=catalog_id,
        version=version,
        scheme=scheme,
        title=r.text(doc["title"], "title"),
        languages=languages,
        provisional=provisional,
        provisional_note=provisional_note,
        provenance=r.text(doc["provenance"], "provenance"),
        areas=areas,
        checks=checks,
        outcome=outcome,
        content_hash=digest,
        source_name=source_name,
    )


class _Builder:
    def __init__(self, reader: _Reader, field_types: dict[str, tuple[FieldType, str]]) -> None:
        self.r = reader
        self.field_types = field_types

    def expression(self, source: object, path: str, own_indicator: str | None, expected: ExprType | None) -> Any:
        if isinstance(source, bool):
            source = "true" if source else "false"
        if not isinstance(source, str):
            self.r.fail(path, f"expected an expression, got {_kind(source)}")
        resolve = self._resolver(own_indicator)
        try:
            return compile_expression(source, resolve, expected)
        except ExpressionError as exc:
            self.r.fail(path, f"{exc} in {source!r}")

    def _resolver(self, own_indicator: str | None) -> Callable[[str, bool], tuple[str, ExprType]]:
        def resolve(name: str, qualified: bool) -> tuple[str, ExprType]:
            if qualified:
                key = name
            elif own_indicator is None:
                raise ExpressionError(f"unknown field {name!r}: outside an indicator write {{indicator.field}}")
            else:
                key = f"{own_indicator}.{name}"
            if key not in self.field_types:
                raise ExpressionError(f"unknown field {name!r}")
            return key, _FIELD_EXPR_TYPES[self.field_types[key][0]]

        return resolve

    def area(self, data: dict[str, Any], path: str) -> Area:
        r = self.r
        area_id = r.ident(data["id"], f"{path}.id")
        indicators = tuple(
            self.indicator(ind, f"{path}.indicators[{i}]", area_id) for i, ind in enumerate(data["indicators"])
        )
        return Area(id=area_id, title=r.text(data["title"], f"{path}.title"), indicators=indicators)

    def indicator(self, data: dict[str, Any], path: str, area_id: str) -> Indicator:
        r = self.r
        ind_id = r.ident(data["id"], f"{path}.id")
        fields = tuple(self.field(f, f"{path}.fields[{n}]", ind_id) for n, f in enumerate(data["fields"]))
        evidence = tuple(
            r.text(e, f"{path}.evidence[{n}]")
            for n, e in enumerate(r.list(data.get("evidence", []), f"{path}.evidence", True))
        )
        scoring = self.scoring(data.get("scoring", {}), f"{path}.scoring", ind_id)
        relevant = (
            self.expression(data["relevant"], f"{path}.relevant", ind_id, ExprType.BOOL) if "relevant" in data else None
        )
        minimum = r.boolean(data.get("minimum_requirement", False), f"{path}.minimum_requirement")
        if minimum and not scoring.judged:
            r.fail(f"{path}.minimum_requirement", "a minimum requirement needs scoring levels or a 'met' rule")
        return Indicator(
            id=ind_id,
            area_id=area_id,
            title=r.text(data["title"], f"{path}.title"),
            measures=r.optional_text(data, "measures", path),
            guidance=r.optional_text(data, "guidance", path),
            evidence=evidence,
            fields=fields,
            scoring=scoring,
            minimum_requirement=minimum,
            silver_scope=r.boolean(data.get("silver_scope", False), f"{path}.silver_scope"),
            relevant=relevant,
        )

    def field(self, data: dict[str, Any], path: str, ind_id: str) -> Field:
        r = self.r
        fid = data["id"]
        ftype = FieldType(data["type"])
        key = f"{ind_id}.{fid}"
        minimum = r.number(data["min"], f"{path}.min") if "min" in data else None
        maximum = r.number(data["max"], f"{path}.max") if "max" in data else None
        if (minimum is not None or maximum is not None) and not ftype.is_numeric:
            r.fail(
                f"{path}.{'min' if minimum is not None else 'max'}",
                f"only numeric fields have a range, not {ftype.value}",
            )
        if minimum is not None and maximum is not None and minimum > maximum:
            r.fail(f"{path}.min", f"minimum {minimum:g} is above maximum {maximum:g}")
        choices: tuple[Choice, ...] = ()
        if ftype.has_choices:
            if "choices" not in data:
                r.fail(path, f"a {ftype.value} field needs 'choices'")
            seen: set[str] = set()
            built = []
            for n, choice in enumerate(r.list(data["choices"], f"{path}.choices")):
                cpath = f"{path}.choices[{n}]"
                cmap = r.mapping(choice, cpath, {"id", "label"}, {"id", "label"})
                cid = r.ident(cmap["id"], f"{cpath}.id")
                if cid in seen:
                    r.fail(f"{cpath}.id", f"duplicate choice {cid!r}")
                seen.add(cid)
                built.append(Choice(cid, r.text(cmap["label"], f"{cpath}.label")))
            choices = tuple(built)
        elif "choices" in data:
            r.fail(f"{path}.choices", f"a {ftype.value} field has no choices")
        compute = None
        if "compute" in data:
            compute = self.expression(data["compute"], f"{path}.compute", ind_id, _FIELD_EXPR_TYPES[ftype])
            if key in compute.references:
                r.fail(f"{path}.compute", "a computed field cannot refer to itself")
            if data.get("required"):
                r.fail(f"{path}.required", "a computed field is never typed in, so it cannot be required")
        constraint = None
        if "constraint" in data:
            constraint = self.expression(data["constraint"], f"{path}.constraint", ind_id, ExprType.BOOL)
            if "constraint_message" not in data:
                r.fail(path, "a constraint needs a constraint_message saying what is expected")
        return Field(
            key=key,
            id=fid,
            indicator_id=ind_id,
            type=ftype,
            label=r.text(data["label"], f"{path}.label"),
            help=r.optional_text(data, "help", path),
            unit=r.optional_text(data, "unit", path),
            minimum=minimum,
            maximum=maximum,
            required=r.boolean(data.get("required", False), f"{path}.required"),
            relevant=self.expression(data["relevant"], f"{path}.relevant", ind_id, ExprType.BOOL)
            if "relevant" in data
            else None,
            constraint=constraint,
            constraint_message=r.optional_text(data, "constraint_message", path),
            choices=choices,
            compute=compute,
        )

    def check_computed_cycles(self, fields: list[Field]) -> None:
        """Computed fields may read each other across indicators, but never in a circle."""
        graph = {f.key: f.compute.references for f in fields if f.compute is not None}
        visiting: set[str] = set()
        done: set[str] = set()

        def visit(key: str) -> None:
            if key in done or key not in graph:
                return
            if key in visiting:
                where = self.field_types[key][1]
                self.r.fail(f"{where}.compute", f"computed fields refer to each other in a cycle through {key}")
            visiting.add(key)
            for dep in graph[key]:
                visit(dep)
            visiting.discard(key)
            done.add(key)

        for key in graph:
            visit(key)

    def scoring(self, data: object, path: str, ind_id: str) -> Scoring:
        r = self.r
        smap = r.mapping(data, path, _SCORING_KEYS, set())
        max_points = r.number(smap.get("max_points", 0), f"{path}.max_points")
        if max_points < 0:
            r.fail(f"{path}.max_points", "must not be negative")
        levels = []
        for n, level in enumerate(r.list(smap.get("levels", []), f"{path}.levels", True)):
            lpath = f"{path}.levels[{n}]"
            lmap = r.mapping(level, lpath, _LEVEL_KEYS, {"points", "when"})
            points = r.number(lmap["points"], f"{lpath}.points")
            if not 0 <= points <= max_points:
                r.fail(f"{lpath}.points", f"{points:g} is outside 0..{max_points:g} (max_points)")
            levels.append(
                Level(
                    points=points,
                    when=self.expression(lmap["when"], f"{lpath}.when", ind_id, ExprType.BOOL),
                    label=r.optional_text(lmap, "label", lpath),
                )
            )
        if max_points > 0 and not levels:
            r.fail(f"{path}.levels", "an indicator with points needs scoring levels")
        met = self.expression(smap["met"], f"{path}.met", ind_id, ExprType.BOOL) if "met" in smap else None
        if met is not None and levels:
            r.fail(f"{path}.met", "use either levels (with a threshold) or a 'met' rule, not both")
        threshold = r.number(smap["threshold"], f"{path}.threshold") if "threshold" in smap else None
        if threshold is not None and not 0 <= threshold <= max_points:
            r.fail(f"{path}.threshold", f"{threshold:g} is outside 0..{max_points:g}")
        provisional = r.boolean(smap.get("provisional", False), f"{path}.provisional")
        note = r.optional_text(smap, "note", path)
        if provisional and not note:
            r.fail(f"{path}.note", "a provisional rule needs a note saying what is assumed")
        return Scoring(max_points, threshold, tuple(levels), met, provisional, note)

    def check(self, data: object, path: str) -> Check:
        r = self.r
        cmap = r.mapping(data, path, _CHECK_KEYS, {"id", "label", "condition"})
        provisional = r.boolean(cmap.get("provisional", False), f"{path}.provisional")
        note = r.optional_text(cmap, "note", path)
        if provisional and not note:
            r.fail(f"{path}.note", "a provisional check needs a note saying what is assumed")
        return Check(
            id=r.ident(cmap["id"], f"{path}.id"),
            label=r.text(cmap["label"], f"{path}.label"),
            condition=self.expression(cmap["condition"], f"{path}.condition", None, ExprType.BOOL),
            provisional=provisional,
            note=note,
        )

    def outcome(self, data: object, path: str, area_ids: set[str], has_checks: bool) -> OutcomeRule:
        r = self.r
        omap = r.mapping(data, path, _OUTCOME_KEYS, {"judgement"})
        try:
            judgement = Judgement(omap["judgement"])
        except ValueError:
            r.fail(f"{path}.judgement", f"unknown judgement {omap['judgement']!r} (pass_fail or benchmark)")
        pass_percent = r.number(omap["pass_percent"], f"{path}.pass_percent") if "pass_percent" in omap else None
        if pass_percent is not None and not 0 < pass_percent <= 100:
            r.fail(f"{path}.pass_percent", "must be between 0 and 100")
        areas = tuple(
            r.ident(a, f"{path}.must_meet_areas[{n}]")
            for n, a in enumerate(r.list(omap.get("must_meet_areas", []), f"{path}.must_meet_areas", True))
        )
        for n, area in enumerate(areas):
            if area not in area_ids:
                r.fail(f"{path}.must_meet_areas[{n}]", f"no area {area!r}")
        checks_required = r.boolean(omap.get("checks_required", False), f"{path}.checks_required")
        if checks_required and not has_checks:
            r.fail(f"{path}.checks_required", "the catalog has no checks")
        validity = r.number(omap.get("validity_years", 2), f"{path}.validity_years")
        provisional = r.boolean(omap.get("provisional", False), f"{path}.provisional")
        note = r.optional_text(omap, "note", path)
        if provisional and not note:
            r.fail(f"{path}.note", "a provisional rule needs a note saying what is assumed")
        if judgement is Judgement.BENCHMARK and (pass_percent or areas or omap.get("minimum_requirements")):
            r.fail(
                path,
                "a benchmark makes no pass/fail judgement: remove pass_percent, minimum_requirements and must_meet_areas",
            )
        return OutcomeRule(
            judgement=judgement,
            pass_percent=pass_percent,
            minimum_requirements=r.boolean(omap.get("minimum_requirements", False), f"{path}.minimum_requirements"),
            must_meet_areas=areas,
            checks_required=checks_required,
            validity_years=int(validity),
            provisional=provisional,
            note=note,
        )
