"""Whether a bundle's assessment.json fits the catalog it names: every answer a value its field could
have been given (type, bounds, choices, lengths, finite numbers: `forms.values.stored_value_problem`),
and every indicator, field and area it names one of the catalog's.

`read_bundle` checks the document's shape; this checks its content, given the catalog. The desktop
import and the review service both call `catalog_problem`, so that a value one of them refuses
never reaches the other's store (nor the benchmark statistics).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from esca_desktop.forms.catalog import Catalog
from esca_desktop.forms.values import shorten, stored_value_problem


def answer_problem(catalog: Catalog, key: Any, value: Any) -> str | None:
    """Why one stored answer (field key, JSON value) does not fit `catalog`, naming the indicator, the
    field and the (shortened) value; None when it fits."""
    fld = catalog.field_by_key.get(key) if isinstance(key, str) else None
    if fld is None:
        return f"no field {key!r} in {catalog.ref}"
    problem = stored_value_problem(fld, value)
    if problem is None:
        return None
    return (
        f"not a valid {fld.type.value} value for {key} (indicator {fld.indicator_id}, field {fld.id}): "
        f"{shorten(value)} {problem}"
    )


def catalog_problem(document: Mapping[str, Any], catalog: Catalog) -> str | None:
    """Why assessment.json (of a shape `read_bundle` has checked) does not fit `catalog`, as
    "path: reason", or None."""
    ref = catalog.ref
    if document.get("scheme") != catalog.scheme:
        return f"scheme: {document.get('scheme')!r} is not the scheme of {ref} ({catalog.scheme})"
    indicators = catalog.indicator_by_id
    seen: set[str] = set()
    for index, answer in enumerate(document.get("answers", ())):
        key = answer.get("key")
        if key in seen:
            return f"answers[{index}]: {key!r} appears twice"
        seen.add(key)
        problem = answer_problem(catalog, key, answer.get("value"))
        if problem:
            where = "key" if key not in catalog.field_by_key else "value"
            return f"answers[{index}].{where}: {problem}"
    current = document.get("current_indicator")
    if current is not None and current not in indicators:
        return f"current_indicator: no indicator {current!r} in {ref}"
    for index, item in enumerate(document.get("indicators", ())):
        if item.get("id") not in indicators:
            return f"indicators[{index}].id: no indicator {item.get('id')!r} in {ref}"
    for index, item in enumerate(document.get("evidence", ())):
        for indicator_id in item.get("indicators", ()):
            if indicator_id not in indicators:
                return f"evidence[{index}].indicators: no indicator {indicator_id!r} in {ref}"
    for index, item in enumerate(document.get("review_comments", ())):
        if item.get("indicator") not in indicators:
            return f"review_comments[{index}].indicator: no indicator {item.get('indicator')!r} in {ref}"
    visit = document.get("visit")
    if isinstance(visit, Mapping):
        areas = {area.id for area in catalog.areas}
        for index, session in enumerate(visit.get("sessions", ())):
            for area in session.get("areas", ()):
                if area not in areas:
                    return f"visit.sessions[{index}].areas: no area {area!r} in {ref}"
        for index, item in enumerate(visit.get("area_time", ())):
            if item.get("area") not in areas:
                return f"visit.area_time[{index}].area: no area {item.get('area')!r} in {ref}"
    return None
