"""What the benchmarks share: the figure table they print (name, figure, baseline, ratio, target)
and the results file they write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class FigureTable:
    """Rows of measured figures; `table()` prints them aligned, with each target marked ok or MISSED.
    `part` is stamped on every row added while it is set (a benchmark run in parts sorts by it)."""

    def __init__(self, digits: int = 3) -> None:
        self.rows: list[dict[str, Any]] = []
        self.part = 0
        self.digits = digits

    def add(
        self,
        name: str,
        figure: dict[str, float] | None,
        shown: tuple[str, ...],
        unit: str = "ms",
        *,
        baseline: dict[str, float] | None = None,
        ratio: float | None = None,
        ratio_of: str = "",
        target: str = "",
        met: bool | None = None,
        note: str = "",
    ) -> None:
        self.rows.append(
            {
                "name": name,
                "unit": unit,
                "figure": figure,
                "shown": list(shown),
                "baseline": baseline,
                "ratio": ratio,
                "ratio_of": ratio_of,
                "target": target,
                "target_met": met,
                "note": note,
                "part": self.part,
            }
        )

    def table(self) -> str:
        def fmt(values: dict[str, float] | None, shown: list[str], unit: str) -> str:
            if not values:
                return "-"
            return " ".join(f"{k} {values[k]:.{self.digits}f}" for k in shown) + f" {unit}"

        lines = [("name", "figure", "baseline", "ratio", "target")]
        for row in self.rows:
            ratio = f"{row['ratio']:.2f}x ({row['ratio_of']})" if row["ratio"] is not None else "-"
            target = row["target"] or "-"
            if row["target_met"] is not None and row["target"]:
                target += " ok" if row["target_met"] else " MISSED"
            lines.append(
                (
                    row["name"],
                    fmt(row["figure"], row["shown"], row["unit"]),
                    fmt(row["baseline"], row["shown"], row["unit"]),
                    ratio,
                    target,
                )
            )
        widths = [max(len(line[i]) for line in lines) for i in range(5)]
        out = []
        for n, line in enumerate(lines):
            out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
            if n == 0:
                out.append("  ".join("-" * w for w in widths))
        return "\n".join(out)


def write_results(path: str | Path, results: dict[str, Any]) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"results: {out}")
    return out
