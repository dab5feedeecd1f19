"""A large, valid synthetic catalog for benchmarks (format 1, scheme gold, en + de texts).

`synthetic_catalog_yaml(indicators=500)` spreads the indicators over `areas` areas. Each indicator
has about four fields of mixed types (integer, decimal, percent computed from two integers, yes/no,
single choice, long text), some with constraints and relevance conditions; a third of them compute a
value from another indicator's field (`{<indicator>.<field>}`, often in another area). Every
indicator is scored 0..5 points on five graded levels with a threshold of 3; every 10th indicator is
a minimum requirement and every 25th has an indicator-level `relevant` condition on another
indicator's yes/no answer. The output is deterministic for a given `seed`.

`plausible_value(field, rng, chosen)` gives a believable answer for any field of any catalog (the
benchmarks fill the synthetic and the shipped catalogs with it).

Run as a script to write the file::

    .venv/bin/python bench/synthetic_catalog.py /tmp/synthetic.yaml [--indicators 500]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path
from typing import Any

import yaml

from esca_desktop.forms.catalog import Field, FieldType

try:
    _Dumper: Any = yaml.CSafeDumper
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Dumper = yaml.SafeDumper

# Indicator kinds, by position: 0 counts (integer/integer -> percent), 1 budget & audit
# (decimal, yes/no, single choice), 2 cross-indicator (integer, computed ratio on another
# indicator's count, yes/no, long text with a length constraint).
KINDS = 3

_TOPICS = [
    ("Cooperation", "Kooperation"),
    ("Services", "Dienstleistungen"),
    ("Internationalisation", "Internationalisierung"),
    ("Financing", "Finanzierung"),
    ("Communication", "Kommunikation"),
    ("Strategy", "Strategie"),
    ("Innovation projects", "Innovationsprojekte"),
    ("Qualification", "Qualifizierung"),
    ("Stakeholder satisfaction", "Zufriedenheit der Akteure"),
    ("Sustainability", "Nachhaltigkeit"),
]


def _t(en: str, de: str) -> dict[str, str]:
    return {"en": en, "de": de}


def _levels(rules: list[tuple[int, str]]) -> list[dict[str, Any]]:
    return [
        {"points": points, "when": when, "label": _t(f"Level {points}: {when}", f"Stufe {points}: {when}")}
        for points, when in rules
    ]


def _counts_indicator(ind_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    fields: list[dict[str, Any]] = [
        {
            "id": "total",
            "type": "integer",
            "label": _t("Organisations addressed", "Angesprochene Organisationen"),
            "unit": _t("organisations", "Organisationen"),
            "min": 0,
            "max": 100000,
            "required": True,
        },
        {
            "id": "part",
            "type": "integer",
            "label": _t("of which actively involved", "davon aktiv beteiligt"),
            "unit": _t("organisations", "Organisationen"),
            "min": 0,
            "max": 100000,
            "required": True,
            "constraint": "part <= total",
            "constraint_message": _t(
                "cannot be more than the organisations addressed",
                "kann nicht größer sein als die angesprochenen Organisationen",
            ),
        },
        {
            "id": "share",
            "type": "percent",
            "label": _t("Share actively involved", "Anteil aktiv beteiligt"),
            "compute": "part / total * 100",
        },
        {
            "id": "remarks",
            "type": "long_text",
            "label": _t("Remarks", "Bemerkungen"),
            "help": _t("What the assessor saw in the documents.", "Was der Assessor in den Unterlagen gesehen hat."),
        },
    ]
    levels = _levels(
        [
            (5, "share >= 80"),
            (4, "share >= 60"),
            (3, "share >= 40"),
            (2, "share >= 20"),
            (1, "share > 0"),
        ]
    )
    return fields, levels


def _budget_indicator(ind_id: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    fields: list[dict[str, Any]] = [
        {
            "id": "budget",
            "type": "decimal",
            "label": _t("Annual budget", "Jahresbudget"),
            "unit": _t("EUR", "EUR"),
            "min": 0,
            "max": 10000000,
            "required": True,
        },
        {
            "id": "audited",
            "type": "yes_no",
            "label": _t("Independently audited", "Unabhängig geprüft"),
            "required": True,
        },
        {
            "id": "rating",
            "type": "single_choice",
            "label": _t("Audit rating", "Prüfungsergebnis"),
            "required": True,
            "relevant": "audited == true",
            "choices": [
                {"id": "basic", "label": _t("Basic", "Grundlegend")},
                {"id": "good", "label": _t("Good", "Gut")},
                {"id": "excellent", "label": _t("Excellent", "Ausgezeichnet")},
            ],
        },
        {
            "id": "reason",
            "type": "long_text",
            "label": _t("Why no audit", "Warum keine Prüfung"),
            "relevant": "audited == false",
        },
    ]
    levels = _levels(
        [
            (5, "audited == true and rating == 'excellent'"),
            (4, "audited == true and rating == 'good'"),
            (3, "audited == true and rating == 'basic'"),
            (2, "budget >= 50000"),
            (1, "budget > 0"),
        ]
    )
    return fields, levels


def _cross_indicator(ind_id: str, other: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    fields: list[dict[str, Any]] = [
        {
            "id": "count",
            "type": "integer",
            "label": _t("Joint activities", "Gemeinsame Aktivitäten"),
            "min": 0,
            "max": 1000,
            "required": True,
        },
        {
            "id": "per_org",
            "type": "decimal",
            "label": _t(
                f"Activities per organisation addressed in {other}",
                f"Aktivitäten je angesprochener Organisation in {other}",
            ),
            "compute": f"round(count / {{{other}.total}}, 3)",
        },
        {
            "id": "satisfied",
            "type": "yes_no",
            "label": _t("Participants satisfied", "Teilnehmende zufrieden"),
            "required": True,
        },
        {
            "id": "notes",
            "type": "long_text",
            "label": _t("Notes", "Notizen"),
            "constraint": "len(notes) <= 2000",
            "constraint_message": _t("at most 2000 characters", "höchstens 2000 Zeichen"),
        },
    ]
    levels = _levels(
        [
            (5, "satisfied == true and count >= 50"),
            (4, "satisfied == true and count >= 20"),
            (3, "count >= 20"),
            (2, "count >= 5"),
            (1, "count >= 1"),
        ]
    )
    return fields, levels


def indicator_layout(indicators: int, areas: int) -> list[tuple[str, str]]:
    """(area id, indicator id) for every indicator, spread as evenly as possible over the areas."""
    if indicators < 1 or areas < 1:
        raise ValueError("need at least one indicator and one area")
    areas = min(areas, indicators)
    base, extra = divmod(indicators, areas)
    layout = []
    for a in range(areas):
        area_id = str(a + 1)
        for k in range(base + (1 if a < extra else 0)):
            layout.append((area_id, f"{area_id}.{k + 1}"))
    return layout


def synthetic_catalog_dict(indicators: int = 500, areas: int = 10, seed: int = 1) -> dict[str, Any]:
    rng = random.Random(seed)
    layout = indicator_layout(indicators, areas)
    ids = [ind_id for _, ind_id in layout]
    counts_ids = [ind_id for n, ind_id in enumerate(ids) if n % KINDS == 0]
    budget_ids = [ind_id for n, ind_id in enumerate(ids) if n % KINDS == 1]

    area_blocks: dict[str, list[dict[str, Any]]] = {}
    for n, (area_id, ind_id) in enumerate(layout):
        kind = n % KINDS
        topic_en, topic_de = _TOPICS[n % len(_TOPICS)]
        if kind == 0:
            fields, levels = _counts_indicator(ind_id)
        elif kind == 1:
            fields, levels = _budget_indicator(ind_id)
        else:
            fields, levels = _cross_indicator(ind_id, rng.choice(counts_ids))
        indicator: dict[str, Any] = {
            "id": ind_id,
            "title": _t(f"{topic_en} {ind_id}", f"{topic_de} {ind_id}"),
            "measures": _t(
                f"How well the cluster performs in {topic_en.lower()} ({ind_id}).",
                f"Wie gut der Cluster bei {topic_de} abschneidet ({ind_id}).",
            ),
            "guidance": _t(
                "Ask for the documents and check the figures against them.",
                "Lassen Sie sich die Unterlagen zeigen und prüfen Sie die Zahlen daran.",
            ),
            "evidence": [_t("Annual report", "Jahresbericht"), _t("Activity list", "Aktivitätenliste")],
        }
        if n % 10 == 9 or (indicators < 10 and n == indicators - 1):
            indicator["minimum_requirement"] = True  # every 10th (at least one, which the outcome needs)
        if n % 4 == 0:
            indicator["silver_scope"] = True
        if n % 25 == 24 and budget_ids:
            earlier = [b for b in budget_ids if ids.index(b) < n] or budget_ids
            indicator["relevant"] = f"{{{rng.choice(earlier)}.audited}} != false"
        indicator["fields"] = fields
        indicator["scoring"] = {"max_points": 5, "threshold": 3, "levels": levels}
        area_blocks.setdefault(area_id, []).append(indicator)

    return {
        "format": 1,
        "id": "synthetic",
        "version": f"{indicators}.{seed}",
        "scheme": "gold",
        "title": _t(
            f"Synthetic benchmark catalog ({indicators} indicators)",
            f"Synthetischer Benchmark-Katalog ({indicators} Indikatoren)",
        ),
        "languages": ["en", "de"],
        "provisional": False,
        "provenance": _t(
            "Generated by bench/synthetic_catalog.py for benchmarks.",
            "Erzeugt von bench/synthetic_catalog.py für Benchmarks.",
        ),
        "outcome": {
            "judgement": "pass_fail",
            "pass_percent": 80,
            "minimum_requirements": True,
            "validity_years": 2,
        },
        "areas": [
            {
                "id": area_id,
                "title": _t(
                    f"Area {area_id}: {_TOPICS[(int(area_id) - 1) % len(_TOPICS)][0]}",
                    f"Bereich {area_id}: {_TOPICS[(int(area_id) - 1) % len(_TOPICS)][1]}",
                ),
                "indicators": block,
            }
            for area_id, block in area_blocks.items()
        ],
    }


def synthetic_catalog_yaml(indicators: int = 500, areas: int = 10, seed: int = 1) -> bytes:
    """The synthetic catalog as UTF-8 YAML bytes (loads with `forms.loader.parse_catalog`)."""
    document = synthetic_catalog_dict(indicators, areas, seed)
    header = f"# Synthetic benchmark catalog: {indicators} indicators, {areas} areas, seed {seed}.\n"
    body = yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
    return (header + body).encode("utf-8")


def write_synthetic_catalog(path: str | Path, indicators: int = 500) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(synthetic_catalog_yaml(indicators))
    return target


def plausible_value(fld: Field, rng: random.Random, chosen: dict[str, Any]) -> object | None:
    """A believable typed-in value for any field, consistent within one indicator (`chosen`): the
    synthetic catalog's `part` never exceeds its `total`, and `rating` is only asked when `audited`."""
    if fld.id == "total":
        return chosen.setdefault("total", rng.randint(20, 400))
    if fld.id == "part":
        return rng.randint(0, int(chosen.get("total", 10)))
    if fld.id == "audited":
        return chosen.setdefault("audited", rng.random() < 0.7)
    if fld.id == "rating" and chosen.get("audited") is False:
        return None
    kind = fld.type
    if kind is FieldType.INTEGER:
        low = int(fld.minimum or 0)
        return rng.randint(low, max(low, min(int(fld.maximum or 120), 120)))
    if kind in (FieldType.DECIMAL, FieldType.MONEY):
        high = min(fld.maximum or 5_000_000, 5_000_000)
        return round(rng.uniform(fld.minimum or 0, high), 2)
    if kind is FieldType.PERCENT:
        return rng.randint(0, 100)
    if kind is FieldType.YEAR:
        return rng.randint(2005, 2025)
    if kind is FieldType.DATE:
        return (dt.date(2025, 1, 1) + dt.timedelta(days=rng.randint(0, 600))).isoformat()
    if kind is FieldType.YES_NO:
        return rng.random() < 0.75
    if kind is FieldType.SINGLE_CHOICE:
        return rng.choice(fld.choices).id
    if kind is FieldType.MULTIPLE_CHOICE:
        return [c.id for c in rng.sample(list(fld.choices), k=rng.randint(1, len(fld.choices)))]
    if kind is FieldType.LONG_TEXT:
        return (
            "Seen in the annual report 2025 and the minutes of the board; figures checked against the "
            "member list of October. Two members confirmed the account in short interviews."
        )
    if kind is FieldType.SHORT_TEXT:
        return "Checked on site"
    if kind is FieldType.URL:
        return "https://www.example-cluster.eu"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic benchmark catalog.")
    parser.add_argument("path", help="where to write the YAML file")
    parser.add_argument("--indicators", type=int, default=500)
    args = parser.parse_args(argv)
    target = write_synthetic_catalog(args.path, args.indicators)
    print(f"{target}: {target.stat().st_size} bytes, {args.indicators} indicators")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
