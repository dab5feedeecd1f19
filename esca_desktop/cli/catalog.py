"""`esca-desktop catalog list | show | validate`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from esca_desktop.cli.base import PROG, Cli, Handlers, json_flag
from esca_desktop.forms.catalog import Catalog
from esca_desktop.forms.loader import load_catalog


def register(verbs: Any) -> Handlers:
    catalog = verbs.add_parser("catalog", help="list, show and validate label catalogs")
    catalog_verbs = catalog.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = catalog_verbs.add_parser("list", help="the installed catalogs")
    json_flag(p)
    p = catalog_verbs.add_parser("show", help="areas, indicators and fields of a catalog")
    p.add_argument("catalog", help="catalog id, optionally with @version (gold, gold@2013.1)")
    json_flag(p)
    p = catalog_verbs.add_parser("validate", help="check a catalog file for catalog authors")
    p.add_argument("file", type=Path)
    json_flag(p)

    return {
        ("catalog", "list"): catalog_list,
        ("catalog", "show"): catalog_show,
        ("catalog", "validate"): catalog_validate,
    }


def catalog_list(cli: Cli) -> int:
    entries = cli.context.catalogs.entries()
    if cli.args.json:
        cli.emit_json(
            [
                {
                    "id": e.catalog.id,
                    "version": e.catalog.version,
                    "scheme": e.catalog.scheme,
                    "title": e.catalog.title.get(cli.lang),
                    "indicators": len(e.catalog.indicators),
                    "max_points": e.catalog.max_points,
                    "provisional": e.catalog.provisional,
                    "hash": e.catalog.content_hash,
                    "builtin": e.builtin,
                }
                for e in entries
            ]
        )
        return 0
    rows = [
        (
            e.catalog.ref,
            e.catalog.scheme,
            str(len(e.catalog.indicators)),
            "provisional" if e.catalog.provisional else "",
            e.catalog.title.get(cli.lang),
        )
        for e in entries
    ]
    cli.table(("CATALOG", "SCHEME", "INDICATORS", "STATUS", "TITLE"), rows)
    for problem in cli.context.catalogs.problems:
        cli.warn(f"{PROG}: warning: {problem}")
    return 0


def catalog_show(cli: Cli) -> int:
    catalog = cli.context.catalogs.find(cli.args.catalog).catalog
    if cli.args.json:
        cli.emit_json(_catalog_json(catalog, cli.lang))
        return 0
    lang = cli.lang
    cli.print(f"{catalog.title.get(lang)}  ({catalog.ref}, {catalog.content_hash[:19]}…)")
    if catalog.provisional:
        cli.print(f"PROVISIONAL: {catalog.provisional_note.get(lang)}")
    for area in catalog.areas:
        cli.print(f"\n{area.id}  {area.title.get(lang)}")
        for ind in area.indicators:
            flags = []
            if ind.minimum_requirement:
                flags.append("minimum requirement")
            if ind.silver_scope:
                flags.append("Silver scope")
            if ind.scoring.max_points:
                flags.append(f"{ind.scoring.max_points:g} points")
            extra = f" [{', '.join(flags)}]" if flags else ""
            cli.print(f"  {ind.id}  {ind.title.get(lang)}{extra}")
            for fld in ind.fields:
                details = [fld.type.value]
                if fld.unit:
                    details.append(fld.unit.get(lang))
                if fld.required:
                    details.append("required")
                if fld.computed:
                    details.append(f"computed: {fld.compute.source}" if fld.compute else "computed")
                if fld.choices:
                    details.append("choices: " + ", ".join(c.id for c in fld.choices))
                cli.print(f"      {fld.key:<32} {fld.label.get(lang)} ({'; '.join(details)})")
    return 0


def catalog_validate(cli: Cli) -> int:
    catalog = load_catalog(cli.args.file)
    if cli.args.json:
        cli.emit_json({"valid": True, **_catalog_json(catalog, cli.lang, fields=False)})
    else:
        fields = len(catalog.field_by_key)
        cli.print(
            f"{cli.args.file.name}: valid catalog {catalog.ref} ({catalog.scheme}): "
            f"{len(catalog.areas)} areas, {len(catalog.indicators)} indicators, {fields} fields, "
            f"{catalog.max_points:g} points"
        )
    return 0


# --- assessment -----------------------------------------------------------------------------


def _catalog_json(catalog: Catalog, lang: str, fields: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": catalog.id,
        "version": catalog.version,
        "scheme": catalog.scheme,
        "title": catalog.title.get(lang),
        "hash": catalog.content_hash,
        "provisional": catalog.provisional,
        "indicators": len(catalog.indicators),
        "max_points": catalog.max_points,
    }
    if fields:
        data["areas"] = [
            {
                "id": area.id,
                "title": area.title.get(lang),
                "indicators": [
                    {
                        "id": ind.id,
                        "title": ind.title.get(lang),
                        "max_points": ind.scoring.max_points,
                        "minimum_requirement": ind.minimum_requirement,
                        "silver_scope": ind.silver_scope,
                        "fields": [
                            {
                                "key": f.key,
                                "type": f.type.value,
                                "label": f.label.get(lang),
                                "unit": f.unit.get(lang),
                                "required": f.required,
                                "computed": f.computed,
                                "choices": [c.id for c in f.choices],
                            }
                            for f in ind.fields
                        ],
                    }
                    for ind in area.indicators
                ],
            }
            for area in catalog.areas
        ]
    return data
