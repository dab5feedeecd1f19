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

    def stored_row(self) -> dict[str, str | int | float]:
        """The columns both stores keep it under (the review service's and the desktop's)."""
        return {
            "field_key": self.field_key,
            "group_key": self.group,
            "count": self.count,
            "minimum": self.minimum,
            "q1": self.q1,
            "median": self.median,
            "q3": self.q3,
            "maximum": self.maximum,
        }
