"""Catalog loading: the shipped catalogs, and broken catalogs refused with FILE: PATH: REASON."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import esca_desktop.forms
from esca_desktop.errors import CatalogError, UserError
from esca_desktop.forms.catalog import Catalog, Judgement, LocalText
from esca_desktop.forms.expressions import ExprType
from esca_desktop.forms.loader import load_catalog, parse_catalog

CATALOG_DIR = Path(esca_desktop.forms.__file__).parent / "catalogs"


def load_shipped(name: str) -> Catalog:
    path = CATALOG_DIR / f"{name}.yaml"
    assert path.is_file(), f"{path.name} is not shipped yet"
    return load_catalog(path)


# --- the shipped catalogs -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["gold", "silver", "bronze"])
def test_each_label_scheme_has_a_shipped_catalog(name: str) -> None:
    catalog = load_shipped(name)
    assert catalog.id == name
    assert catalog.scheme == name
    assert catalog.source_name == f"{name}.yaml"
    assert catalog.content_hash.startswith("sha256:")


def test_every_shipped_catalog_file_loads() -> None:
    files = sorted(CATALOG_DIR.glob("*.yaml"))
    assert files
    for path in files:
        load_catalog(path)


def test_gold_has_31_indicators_worth_150_points() -> None:
    gold = load_shipped("gold")
    assert len(gold.indicators) == 31
    assert gold.max_points == 150


def test_gold_is_passed_with_80_percent_and_every_minimum_requirement() -> None:
    outcome = load_shipped("gold").outcome
    assert outcome.judgement is Judgement.PASS_FAIL
    assert outcome.pass_percent == 80
    assert outcome.minimum_requirements is True


def test_gold_marks_some_indicators_as_minimum_requirements_and_silver_scope() -> None:
    gold = load_shipped("gold")
    assert any(ind.minimum_requirement for ind in gold.indicators)
    assert any(ind.silver_scope for ind in gold.indicators)


def test_bronze_has_36_indicators_and_4_checks() -> None:
    bronze = load_shipped("bronze")
    assert len(bronze.indicators) == 36
    assert len(bronze.checks) == 4


def test_bronze_is_a_benchmark_without_a_pass_or_fail() -> None:
    outcome = load_shipped("bronze").outcome
    assert outcome.judgement is Judgement.BENCHMARK
    assert outcome.pass_percent is None
    assert outcome.must_meet_areas == ()
    assert outcome.minimum_requirements is False


def test_silver_must_meet_an_area_of_three_improvement_indicators() -> None:
    silver = load_shipped("silver")
    assert silver.outcome.judgement is Judgement.PASS_FAIL
    assert len(silver.outcome.must_meet_areas) == 1
    improvements = silver.area_by_id[silver.outcome.must_meet_areas[0]].indicators
    assert len(improvements) == 3
    assert all(ind.scoring.judged for ind in improvements)


def test_silver_minimum_requirements_are_the_gold_indicators_of_the_silver_scope() -> None:
    gold, silver = load_shipped("gold"), load_shipped("silver")
    silver_minimum = {ind.id for ind in silver.indicators if ind.minimum_requirement}
    gold_scope = {ind.id for ind in gold.indicators if ind.silver_scope}
    assert silver_minimum == gold_scope


def test_silver_repeats_the_gold_fields_of_the_indicators_they_share() -> None:
    gold, silver = load_shipped("gold"), load_shipped("silver")
    shared = [ind for ind in silver.indicators if ind.id in gold.indicator_by_id]
    assert shared
    for ind in shared:
        gold_fields = [(f.key, f.type) for f in gold.indicator_by_id[ind.id].fields]
        assert [(f.key, f.type) for f in ind.fields] == gold_fields, ind.id


def _texts(catalog: Catalog) -> Iterator[tuple[str, LocalText]]:
    """Every human-facing text of a catalog, with where it is."""
    yield "title", catalog.title
    yield "provisional_note", catalog.provisional_note
    yield "provenance", catalog.provenance
    yield "outcome.note", catalog.outcome.note
    for check in catalog.checks:
        yield f"check {check.id} label", check.label
        yield f"check {check.id} note", check.note
    for area in catalog.areas:
        yield f"area {area.id} title", area.title
        for ind in area.indicators:
            where = f"indicator {ind.id}"
            yield f"{where} title", ind.title
            yield f"{where} measures", ind.measures
            yield f"{where} guidance", ind.guidance
            for n, evidence in enumerate(ind.evidence):
                yield f"{where} evidence[{n}]", evidence
            yield f"{where} scoring note", ind.scoring.note
            for n, level in enumerate(ind.scoring.levels):
                yield f"{where} level[{n}] label", level.label
            for fld in ind.fields:
                yield f"{fld.key} label", fld.label
                yield f"{fld.key} help", fld.help
                yield f"{fld.key} unit", fld.unit
                yield f"{fld.key} constraint_message", fld.constraint_message
                for choice in fld.choices:
                    yield f"{fld.key} choice {choice.id}", choice.label


@pytest.mark.parametrize("name", ["gold", "silver", "bronze"])
def test_every_human_text_of_a_shipped_catalog_is_in_english_and_german(name: str) -> None:
    catalog = load_shipped(name)
    missing = []
    for where, text in _texts(catalog):
        if not text.translations:
            continue  # an optional text that is absent
        table = dict(text.translations)
        for lang in ("en", "de"):
            if not table.get(lang, "").strip():
                missing.append(f"{where}: {lang}")
    assert missing == []


@pytest.mark.parametrize("name", ["gold", "silver", "bronze"])
def test_every_shipped_catalog_gives_its_required_texts(name: str) -> None:
    catalog = load_shipped(name)
    assert catalog.title and catalog.provenance
    assert all(area.title for area in catalog.areas)
    assert all(ind.title for ind in catalog.indicators)
    assert all(fld.label for fld in catalog.field_by_key.values())
    if catalog.provisional:
        assert catalog.provisional_note


@pytest.mark.parametrize("name", ["gold", "silver", "bronze"])
def test_every_shipped_scoring_is_consistent(name: str) -> None:
    catalog = load_shipped(name)
    for ind in catalog.indicators:
        scoring = ind.scoring
        for level in scoring.levels:
            assert 0 <= level.points <= scoring.max_points, ind.id
            assert level.when.type in (ExprType.BOOL, ExprType.NULL), ind.id
        if scoring.levels:
            points = [level.points for level in scoring.levels]
            assert points == sorted(points, reverse=True), f"{ind.id}: levels are tried from the top"
        if ind.minimum_requirement:
            assert scoring.judged, ind.id


# --- a minimal valid catalog --------------------------------------------------------------------


def t(en: str, de: str | None = None) -> dict[str, str]:
    return {"en": en, "de": de or f"{en} (de)"}


def minimal_catalog() -> dict[str, Any]:
    return {
        "format": 1,
        "id": "test",
        "version": "1.0",
        "scheme": "gold",
        "title": t("Test catalog", "Testkatalog"),
        "languages": ["en", "de"],
        "provisional": False,
        "provenance": t("Written for the tests", "Für die Tests geschrieben"),
        "outcome": {
            "judgement": "pass_fail",
            "pass_percent": 80,
            "minimum_requirements": True,
            "must_meet_areas": ["A"],
            "validity_years": 2,
        },
        "checks": [
            {"id": "members", "label": t("Enough members"), "condition": "{1.1.count} >= 1"},
        ],
        "areas": [
            {
                "id": "A",
                "title": t("Area A"),
                "indicators": [
                    {
                        "id": "1.1",
                        "title": t("Participants"),
                        "measures": t("How many take part"),
                        "evidence": [t("Member list", "Mitgliederliste")],
                        "minimum_requirement": True,
                        "fields": [
                            {
                                "id": "count",
                                "type": "integer",
                                "label": t("Count"),
                                "min": 0,
                                "max": 1000,
                                "required": True,
                            },
                            {
                                "id": "kind",
                                "type": "single_choice",
                                "label": t("Kind"),
                                "choices": [{"id": "a", "label": t("A")}, {"id": "b", "label": t("B")}],
                            },
                            {"id": "share", "type": "percent", "label": t("Share"), "compute": "count / 1000 * 100"},
                        ],
                        "scoring": {
                            "max_points": 5,
                            "threshold": 3,
                            "levels": [
                                {"points": 5, "when": "count >= 10", "label": t("Many")},
                                {"points": 3, "when": "count >= 5"},
                            ],
                        },
                    },
                    {
                        "id": "1.2",
                        "title": t("Commitment"),
                        "fields": [{"id": "done", "type": "yes_no", "label": t("Done")}],
                        "scoring": {"met": "done == true"},
                    },
                ],
            },
        ],
    }


def dump(document: object) -> bytes:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode("utf-8")


def parse(document: object) -> Catalog:
    return parse_catalog(dump(document), "test.yaml")


def refusal(data: bytes) -> str:
    with pytest.raises(CatalogError) as caught:
        parse_catalog(data, "test.yaml")
    return str(caught.value)


def test_the_minimal_catalog_loads() -> None:
    catalog = parse(minimal_catalog())
    assert catalog.ref == "test@1.0"
    assert [ind.id for ind in catalog.indicators] == ["1.1", "1.2"]
    assert list(catalog.field_by_key) == ["1.1.count", "1.1.kind", "1.1.share", "1.2.done"]
    assert catalog.max_points == 5
    assert catalog.checks[0].condition.references == frozenset({"1.1.count"})
    share = catalog.field_by_key["1.1.share"]
    assert share.computed
    assert share.compute is not None and share.compute({"1.1.count": 500.0}) == 50.0
    assert catalog.indicator_by_id["1.1"].scoring.threshold == 3
    assert catalog.indicator_by_id["1.2"].scoring.met is not None
    assert catalog.title.get("de") == "Testkatalog"
    assert catalog.source_name == "test.yaml"


def test_a_catalog_error_is_a_user_error() -> None:
    assert issubclass(CatalogError, UserError)


def test_a_benchmark_catalog_without_judgement_rules_loads() -> None:
    doc = minimal_catalog()
    doc["outcome"] = {"judgement": "benchmark"}
    doc["areas"][0]["indicators"][0]["minimum_requirement"] = False
    assert parse(doc).outcome.judgement is Judgement.BENCHMARK


# --- broken catalogs ----------------------------------------------------------------------------


def _ind(doc: dict[str, Any], n: int = 0) -> dict[str, Any]:
    return doc["areas"][0]["indicators"][n]  # type: ignore[no-any-return]


def _fld(doc: dict[str, Any], n: int = 0, ind: int = 0) -> dict[str, Any]:
    return _ind(doc, ind)["fields"][n]  # type: ignore[no-any-return]


_Doc = dict[str, Any]
_Mutation = Callable[[_Doc], None]


def _set(target: Callable[[_Doc], _Doc], key: str, value: object) -> _Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        target(doc)[key] = value

    return mutate


def _delete(target: Callable[[_Doc], _Doc], key: str) -> _Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        del target(doc)[key]

    return mutate


def _all(*mutations: _Mutation) -> _Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(doc)

    return mutate


def _root(doc: dict[str, Any]) -> dict[str, Any]:
    return doc


def _area(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["areas"][0]  # type: ignore[no-any-return]


def _scoring(doc: dict[str, Any]) -> dict[str, Any]:
    return _ind(doc)["scoring"]  # type: ignore[no-any-return]


def _level(doc: dict[str, Any]) -> dict[str, Any]:
    return _scoring(doc)["levels"][0]  # type: ignore[no-any-return]


def _outcome(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["outcome"]  # type: ignore[no-any-return]


def _check(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["checks"][0]  # type: ignore[no-any-return]


def _second_field(doc: dict[str, Any]) -> dict[str, Any]:
    return _fld(doc, 1)


def _first_field(doc: dict[str, Any]) -> dict[str, Any]:
    return _fld(doc, 0)


def _computed_field(doc: dict[str, Any]) -> dict[str, Any]:
    return _fld(doc, 2)


def _first_indicator(doc: dict[str, Any]) -> dict[str, Any]:
    return _ind(doc, 0)


def _second_indicator(doc: dict[str, Any]) -> dict[str, Any]:
    return _ind(doc, 1)


def _add_computed_cycle(doc: dict[str, Any]) -> None:
    _ind(doc)["fields"] += [
        {"id": "x", "type": "decimal", "label": t("X"), "compute": "y + 1"},
        {"id": "y", "type": "decimal", "label": t("Y"), "compute": "x + 1"},
    ]


BROKEN: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    (
        "unknown field type",
        _set(_first_field, "type", "scal"),
        "test.yaml: areas[0].indicators[0].fields[0].type: unknown type 'scal' (known: integer, decimal",
    ),
    (
        "missing German translation",
        _set(_area, "title", {"en": "Area A"}),
        "test.yaml: areas[0].title: missing the 'de' text",
    ),
    (
        "missing German translation of a field label",
        _set(_second_field, "label", {"en": "Kind"}),
        "test.yaml: areas[0].indicators[0].fields[1].label: missing the 'de' text",
    ),
    (
        "plain text instead of translations",
        _set(_root, "title", "Test catalog"),
        "test.yaml: title: needs a translation for each of en, de, got plain text",
    ),
    (
        "empty translation",
        _set(_first_indicator, "title", {"en": "Participants", "de": " "}),
        "test.yaml: areas[0].indicators[0].title.de: expected non-empty text",
    ),
    (
        "duplicate indicator id",
        _set(_second_indicator, "id", "1.1"),
        "test.yaml: areas[0].indicators[1].id: duplicate indicator id '1.1' (first at areas[0].indicators[0])",
    ),
    (
        "duplicate field id",
        _set(_second_field, "id", "count"),
        "test.yaml: areas[0].indicators[0].fields[1].id: duplicate field id 'count' in indicator 1.1",
    ),
    (
        "duplicate choice id",
        _set(_second_field, "choices", [{"id": "a", "label": t("A")}, {"id": "a", "label": t("A2")}]),
        "test.yaml: areas[0].indicators[0].fields[1].choices[1].id: duplicate choice 'a'",
    ),
    (
        "unknown key in an indicator",
        _set(_first_indicator, "colour", "red"),
        "test.yaml: areas[0].indicators[0].colour: unknown key (allowed: ",
    ),
    ("unknown key at the top", _set(_root, "colour", "red"), "test.yaml: colour: unknown key (allowed: "),
    (
        "missing required key",
        _delete(_first_indicator, "title"),
        "test.yaml: areas[0].indicators[0]: missing required key 'title'",
    ),
    (
        "invalid field id",
        _set(_first_field, "id", "Count"),
        "test.yaml: areas[0].indicators[0].fields[0].id: invalid identifier 'Count'",
    ),
    (
        "expression naming an unknown field",
        _set(_level, "when", "nope >= 3"),
        "test.yaml: areas[0].indicators[0].scoring.levels[0].when: unknown field 'nope' (at column 1) in 'nope >= 3'",
    ),
    (
        "expression with a type error",
        _set(_level, "when", "count + 'x' >= 3"),
        "test.yaml: areas[0].indicators[0].scoring.levels[0].when: '+' needs number, got text (at column 7)",
    ),
    (
        "comparison of a choice with a number",
        _set(_level, "when", "kind == 1"),
        "test.yaml: areas[0].indicators[0].scoring.levels[0].when: cannot compare text with number",
    ),
    (
        "level condition that is not yes/no",
        _set(_level, "when", "count + 1"),
        "test.yaml: areas[0].indicators[0].scoring.levels[0].when: must give yes/no, but gives number",
    ),
    (
        "expression with a syntax error",
        _set(_first_indicator, "relevant", "(count > 1"),
        "test.yaml: areas[0].indicators[0].relevant: expected ')', found 'end of expression' (at column 11)",
    ),
    (
        "compute of the wrong type",
        _set(_computed_field, "compute", "count > 1"),
        "test.yaml: areas[0].indicators[0].fields[2].compute: must give number, but gives yes/no",
    ),
    (
        "check naming a field without braces",
        _set(_check, "condition", "count >= 1"),
        "test.yaml: checks[0].condition: unknown field 'count': outside an indicator write "
        "{indicator.field} (at column 1)",
    ),
    (
        "computed field referring to itself",
        _set(_computed_field, "compute", "share + 1"),
        "test.yaml: areas[0].indicators[0].fields[2].compute: a computed field cannot refer to itself",
    ),
    (
        "computed fields in a cycle",
        _add_computed_cycle,
        "test.yaml: areas[0].indicators[0].fields[3].compute: computed fields refer to each other in a cycle through 1.1.",
    ),
    (
        "required computed field",
        _set(_computed_field, "required", True),
        "test.yaml: areas[0].indicators[0].fields[2].required: a computed field is never typed in",
    ),
    (
        "constraint without constraint_message",
        _set(_first_field, "constraint", "count <= 500"),
        "test.yaml: areas[0].indicators[0].fields[0]: a constraint needs a constraint_message",
    ),
    (
        "provisional scoring without note",
        _set(_scoring, "provisional", True),
        "test.yaml: areas[0].indicators[0].scoring.note: a provisional rule needs a note",
    ),
    (
        "provisional catalog without note",
        _set(_root, "provisional", True),
        "test.yaml: provisional_note: a provisional catalog must say why (provisional_note)",
    ),
    (
        "provisional check without note",
        _set(_check, "provisional", True),
        "test.yaml: checks[0].note: a provisional check needs a note",
    ),
    (
        "level points above max_points",
        _set(_level, "points", 6),
        "test.yaml: areas[0].indicators[0].scoring.levels[0].points: 6 is outside 0..5 (max_points)",
    ),
    (
        "negative level points",
        _set(_level, "points", -1),
        "test.yaml: areas[0].indicators[0].scoring.levels[0].points: -1 is outside 0..5 (max_points)",
    ),
    (
        "threshold above max_points",
        _set(_scoring, "threshold", 7),
        "test.yaml: areas[0].indicators[0].scoring.threshold: 7 is outside 0..5",
    ),
    (
        "points without levels",
        _delete(_scoring, "levels"),
        "test.yaml: areas[0].indicators[0].scoring.levels: an indicator with points needs scoring levels",
    ),
    (
        "both levels and a met rule",
        _set(_scoring, "met", "count > 1"),
        "test.yaml: areas[0].indicators[0].scoring.met: use either levels (with a threshold) or a 'met' rule",
    ),
    (
        "minimum above maximum",
        _all(_set(_first_field, "min", 100), _set(_first_field, "max", 0)),
        "test.yaml: areas[0].indicators[0].fields[0].min: minimum 100 is above maximum 0",
    ),
    (
        "range on a text field",
        _set(_second_field, "max", 3),
        "test.yaml: areas[0].indicators[0].fields[1].max: only numeric fields have a range, not single_choice",
    ),
    (
        "choices missing on single_choice",
        _delete(_second_field, "choices"),
        "test.yaml: areas[0].indicators[0].fields[1]: a single_choice field needs 'choices'",
    ),
    (
        "choices on a number field",
        _set(_first_field, "choices", [{"id": "a", "label": t("A")}]),
        "test.yaml: areas[0].indicators[0].fields[0].choices: a integer field has no choices",
    ),
    (
        "unsupported format version",
        _set(_root, "format", 2),
        "test.yaml: format: unsupported catalog format 2 (this program reads 1)",
    ),
    (
        "unknown scheme",
        _set(_root, "scheme", "platinum"),
        "test.yaml: scheme: unknown scheme 'platinum' (gold, silver or bronze)",
    ),
    ("languages without German", _set(_root, "languages", ["en"]), "test.yaml: languages: must include de"),
    (
        "unknown judgement",
        _set(_outcome, "judgement", "grade"),
        "test.yaml: outcome.judgement: unknown judgement 'grade' (pass_fail or benchmark)",
    ),
    (
        "benchmark judgement with pass_percent",
        _all(
            _set(_outcome, "judgement", "benchmark"),
            _delete(_outcome, "must_meet_areas"),
            _delete(_outcome, "minimum_requirements"),
        ),
        "test.yaml: outcome: a benchmark makes no pass/fail judgement: remove pass_percent",
    ),
    (
        "pass_percent above 100",
        _set(_outcome, "pass_percent", 120),
        "test.yaml: outcome.pass_percent: must be between 0 and 100",
    ),
    (
        "must_meet_areas naming a missing area",
        _set(_outcome, "must_meet_areas", ["A", "Z"]),
        "test.yaml: outcome.must_meet_areas[1]: no area 'Z'",
    ),
    (
        "checks_required without checks",
        _all(_delete(_root, "checks"), _set(_outcome, "checks_required", True)),
        "test.yaml: outcome.checks_required: the catalog has no checks",
    ),
    (
        "minimum_requirements with no indicator marked",
        _set(_first_indicator, "minimum_requirement", False),
        "test.yaml: outcome.minimum_requirements: no indicator is marked minimum_requirement",
    ),
    (
        "minimum requirement without scoring",
        _all(_set(_second_indicator, "minimum_requirement", True), _set(_second_indicator, "scoring", {})),
        "test.yaml: areas[0].indicators[1].minimum_requirement: a minimum requirement needs scoring levels",
    ),
    (
        "text where a boolean belongs",
        _set(_first_field, "required", "yes"),
        "test.yaml: areas[0].indicators[0].fields[0].required: expected true or false, got text 'yes'",
    ),
    (
        "text where a number belongs",
        _set(_scoring, "max_points", "five"),
        "test.yaml: areas[0].indicators[0].scoring.max_points: expected a number, got text 'five'",
    ),
    ("empty indicator list", _set(_area, "indicators", []), "test.yaml: areas[0].indicators: must not be empty"),
    (
        "duplicate area ids",
        lambda doc: doc["areas"].append(
            {
                "id": "A",
                "title": t("Again"),
                "indicators": [
                    {"id": "9", "title": t("Nine"), "fields": [{"id": "f", "type": "yes_no", "label": t("F")}]}
                ],
            }
        ),
        "test.yaml: areas: area ids must be unique",
    ),
]


@pytest.mark.parametrize(("mutation", "expected"), [(m, e) for _, m, e in BROKEN], ids=[n for n, _, _ in BROKEN])
def test_a_broken_catalog_is_refused_with_file_path_and_reason(
    mutation: Callable[[dict[str, Any]], None], expected: str
) -> None:
    doc = minimal_catalog()
    mutation(doc)
    message = refusal(dump(doc))
    assert message.startswith(expected), message


def test_every_refusal_reads_file_path_reason() -> None:
    for _, mutation, _ in BROKEN:
        doc = minimal_catalog()
        mutation(doc)
        message = refusal(dump(doc))
        assert re.match(r"^test\.yaml: [A-Za-z_][A-Za-z_\[\]0-9.]*: \S", message), message


def test_computed_fields_in_a_cycle_across_indicators_are_refused() -> None:
    doc = minimal_catalog()
    _ind(doc, 0)["fields"].append({"id": "a", "type": "decimal", "label": t("A"), "compute": "{1.2.b} + 1"})
    _ind(doc, 1)["fields"].append({"id": "b", "type": "decimal", "label": t("B"), "compute": "{1.1.a} + 1"})
    assert "cycle" in refusal(dump(doc))


def test_a_boolean_format_version_is_refused() -> None:
    doc = minimal_catalog()
    doc["format"] = True
    assert refusal(dump(doc)).startswith("test.yaml: format: unsupported catalog format True")


def test_invalid_yaml_is_refused_with_its_line() -> None:
    text = dump(minimal_catalog()).decode("utf-8")
    broken = text.replace("scheme: gold", "scheme: [gold", 1)
    line = text.splitlines().index("scheme: gold") + 1
    message = refusal(broken.encode("utf-8"))
    assert message.startswith("test.yaml: line ")
    assert "invalid YAML" in message
    found = int(re.match(r"test\.yaml: line (\d+), column \d+: ", message).group(1))  # type: ignore[union-attr]
    assert line <= found <= line + 1


def test_a_tab_indented_file_is_refused_as_invalid_yaml() -> None:
    message = refusal(b"format: 1\nid: test\n\tversion: 1\n")
    assert re.match(r"test\.yaml: line \d+, column \d+: invalid YAML: ", message), message


def test_a_file_that_is_not_utf8_is_refused() -> None:
    assert refusal(b"format: 1\ntitle: \xff\n") == "test.yaml: not UTF-8 text (byte 17)"  # the offset of the bad byte


@pytest.mark.parametrize(("data", "kind"), [(b"", "nothing"), (b"- a\n- b\n", "a list"), (b"42\n", "int 42")])
def test_a_file_that_is_not_a_mapping_is_refused(data: bytes, kind: str) -> None:
    assert refusal(data) == f"test.yaml: expected a mapping, got {kind}"


def test_load_catalog_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"^absent\.yaml: cannot read the file"):
        load_catalog(tmp_path / "absent.yaml")


def test_load_catalog_reports_errors_with_the_file_name(tmp_path: Path) -> None:
    doc = minimal_catalog()
    doc["format"] = 2
    path = tmp_path / "mine.yaml"
    path.write_bytes(dump(doc))
    with pytest.raises(CatalogError, match=r"^mine\.yaml: format: unsupported catalog format 2"):
        load_catalog(path)


# --- content hash -------------------------------------------------------------------------------


def test_the_content_hash_is_the_sha256_of_the_bytes() -> None:
    import hashlib

    data = dump(minimal_catalog())
    assert parse_catalog(data, "test.yaml").content_hash == "sha256:" + hashlib.sha256(data).hexdigest()


def test_the_same_bytes_give_the_same_content_hash_whatever_the_file_name() -> None:
    data = dump(minimal_catalog())
    assert parse_catalog(data, "a.yaml").content_hash == parse_catalog(data, "b.yaml").content_hash


def test_the_content_hash_changes_when_one_byte_changes() -> None:
    data = dump(minimal_catalog())
    position = data.index(b"Testkatalog")
    changed = data[:position] + b"X" + data[position + 1 :]
    assert len(changed) == len(data)
    assert parse_catalog(changed, "test.yaml").content_hash != parse_catalog(data, "test.yaml").content_hash


def test_even_a_comment_changes_the_content_hash() -> None:
    data = dump(minimal_catalog())
    assert parse_catalog(data + b"# note\n", "test.yaml").content_hash != parse_catalog(data, "test.yaml").content_hash
