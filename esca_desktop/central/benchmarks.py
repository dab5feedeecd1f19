"""Benchmark statistics: per numeric field, how the values of comparable organisations are spread.

Comparison groups are the sector portfolio (``sector:<id>``) and the country (``country:<CC>``) of
each organisation. A group's quartiles are published only when at least `MIN_ORGANISATIONS`
organisations contribute a value, so that no single organisation can be identified; each
organisation counts once (its most recent approved benchmarking).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from esca_desktop.domain.benchmarks import Quartiles

MIN_ORGANISATIONS = 5


@dataclass(frozen=True, slots=True)
class Contribution:
    """One organisation's numeric answers (its latest approved Bronze assessment)."""

    organisation_key: str
    sector: str
    country: str
    values: Mapping[str, float]


def quartiles(values: Iterable[float]) -> tuple[float, float, float, float, float]:
    """(min, q1, median, q3, max) with linear interpolation between order statistics ("inclusive")."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    if len(ordered) == 1:
        only = ordered[0]
        return only, only, only, only, only
    q1, median, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return ordered[0], q1, median, q3, ordered[-1]


def groups_of(contribution: Contribution) -> list[str]:
    groups = []
    if contribution.sector:
        groups.append(f"sector:{contribution.sector}")
    if contribution.country:
        groups.append(f"country:{contribution.country}")
    return groups


def compute_benchmarks(
    contributions: Iterable[Contribution], min_organisations: int = MIN_ORGANISATIONS
) -> list[Quartiles]:
    """Quartiles per (field, group) where at least `min_organisations` distinct organisations contribute."""
    by_organisation: dict[str, Contribution] = {}
    for contribution in contributions:
        by_organisation[contribution.organisation_key] = contribution  # the caller orders oldest first
    values: dict[tuple[str, str], list[float]] = defaultdict(list)
    for contribution in by_organisation.values():
        for group in groups_of(contribution):
            for key, value in contribution.values.items():
                values[(key, group)].append(value)
    published = []
    for (key, group), numbers in sorted(values.items()):
        if len(numbers) < min_organisations:
            continue
        low, q1, median, q3, high = quartiles(numbers)
        published.append(Quartiles(key, group, len(numbers), low, q1, median, q3, high))
    return published
