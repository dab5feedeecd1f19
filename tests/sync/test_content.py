"""assessment.json against its catalog (`catalog_problem`), the rule the desktop import and the review
service share: every answer a value its field could have, every name one the catalog has."""

from __future__ import annotations

import json
from typing import Any

import pytest

from esca_desktop.forms.catalog import Catalog, FieldType
from esca_desktop.forms.registry import CatalogRegistry
from esca_desktop.forms.values import parse_value, to_json
from esca_desktop.resources import resource
from esca_desktop.sync.content import catalog_problem


@pytest.fixture(scope="module")
def bronze() -> Catalog:
    return CatalogRegistry().find("bronze@2019.1").catalog


def sample_document(catalog: Catalog) -> dict[str, Any]:
    """The Bronze sample's answers, written as the store writes them."""
    sample = json.loads(resource("samples", "bronze.json").read_text(encoding="utf-8"))
    answers = []
    for key, raw in sample["answers"].items():
        field = catalog.field_by_key[key]
        answers.append({"key": key, "value": to_json(field, parse_value(field, raw))})
    return {
        "scheme": "bronze",
        "answers": answers,
        "current_indicator": "B1.1",
        "indicators": [{"id": "B1.1"}, {"id": "B2.3"}],
        "evidence": [{"indicators": ["B1.1"]}],
        "review_comments": [{"indicator": "B2.3"}],
        "visit": {"sessions": [{"areas": ["B1", "B2"]}], "area_time": [{"area": "B3"}]},
    }


def test_the_bronze_sample_fits_its_catalog(bronze: Catalog) -> None:
    document = sample_document(bronze)
    assert len(document["answers"]) > 50
    assert catalog_problem(document, bronze) is None


def test_every_numeric_field_refuses_a_number_of_400_digits(bronze: Catalog) -> None:
    numeric = [f for f in bronze.field_by_key.values() if f.type.is_numeric and not f.computed]
    assert len(numeric) > 40
    for field in numeric:
        huge = 10**400 if field.type in (FieldType.INTEGER, FieldType.YEAR) else "1" + "0" * 400
        document = {"scheme": "bronze", "answers": [{"key": field.key, "value": huge}]}
        problem = catalog_problem(document, bronze)
        assert problem is not None and problem.startswith(
            f"answers[0].value: not a valid {field.type.value} value "
            f"for {field.key} (indicator {field.indicator_id}, "
            f"field {field.id}): "
        ), problem
        assert "too large" in problem or "at most" in problem, problem


def _with(change: Any, catalog: Catalog) -> dict[str, Any]:
    document = sample_document(catalog)
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(scheme="gold"), "scheme: 'gold' is not the scheme of bronze@2019.1 (bronze)"),
        (lambda d: d["answers"].append(dict(d["answers"][0])), "appears twice"),
        (lambda d: d["answers"].append({"key": "B1.9.new", "value": 1}), "no field 'B1.9.new' in bronze@2019.1"),
        (lambda d: d.update(current_indicator="Z9"), "current_indicator: no indicator 'Z9' in bronze@2019.1"),
        (lambda d: d["indicators"].append({"id": "Z9"}), "indicators[2].id: no indicator 'Z9'"),
        (lambda d: d["evidence"][0]["indicators"].append("Z9"), "evidence[0].indicators: no indicator 'Z9'"),
        (lambda d: d["review_comments"].append({"indicator": "Z9"}), "review_comments[1].indicator: no indicator"),
        (lambda d: d["visit"]["sessions"][0]["areas"].append("Z"), "visit.sessions[0].areas: no area 'Z'"),
        (lambda d: d["visit"]["area_time"].append({"area": "Z"}), "visit.area_time[1].area: no area 'Z'"),
    ],
    ids=[
        "scheme",
        "answer twice",
        "unknown field",
        "current indicator",
        "indicator",
        "evidence",
        "review comment",
        "visit session",
        "area time",
    ],
)
def test_names_the_catalog_lacks_are_refused(change: Any, expected: str, bronze: Catalog) -> None:
    problem = catalog_problem(_with(change, bronze), bronze)
    assert problem is not None and expected in problem, problem
