"""Benchmark statistics: how an indicator's value is distributed among comparable organisations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Quartiles:
    """Distribution of one numeric field among `count` organisations (published only if count ≥ 5)."""

    field_key: str
    group: str  # e.g. "sector:ict" or "country:DE"
    count: int
    minimum: float
    q1: float
    median: float
    q3: float
    maximum: float
