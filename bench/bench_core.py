"""Core benchmarks: catalog load, durable answer commit (against raw SQLite), interview engine.

Prints figures and never asserts on timing. Run from the project folder::

    .venv/bin/python bench/bench_core.py [--edits 1000] [--tmp-dir DIR] [--json bench/results/core.json]

Measured:

a. catalog load   `parse_catalog` of the shipped gold.yaml and of a 500-indicator synthetic catalog
                  (median of N runs).
b. answer commit  `Interview.answer` on a gold assessment in a fresh data folder, 1000 edits of an
                  integer field (each one engine + one durable SQLite transaction), against a raw
                  sqlite3 baseline with the same pragmas (WAL, synchronous=FULL, foreign_keys=ON):
                  one INSERT OR REPLACE of a single row + commit per iteration. Target: p99 ratio <= 3x.
c. engine         `FormSession` on the synthetic catalog with about half of the fields answered:
                  `step_next()` + score refresh (total, outcome, progress, area_scores) over full
                  passes through the form, and `answer()` of one field + score refresh. Target: <= 5 ms.

Only stdlib timing (`time.perf_counter_ns`); percentiles from `statistics.quantiles`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
os.environ.setdefault("ESCA_DESKTOP_ASSESSOR", "Bench Assessor")  # the name changes are recorded under

from figures import FigureTable, write_results  # noqa: E402
from synthetic_catalog import plausible_value, synthetic_catalog_yaml  # noqa: E402

import esca_desktop  # noqa: E402
from esca_desktop.context import open_context  # noqa: E402
from esca_desktop.domain.model import Organisation  # noqa: E402
from esca_desktop.forms.catalog import Catalog  # noqa: E402
from esca_desktop.forms.loader import parse_catalog  # noqa: E402
from esca_desktop.forms.results import NavEventKind  # noqa: E402
from esca_desktop.forms.session import FormSession  # noqa: E402
from esca_desktop.services.assessments import AssessmentService, NewAssessment, score_summary  # noqa: E402

GOLD_PATH = Path(esca_desktop.__file__).resolve().parent / "forms" / "catalogs" / "gold.yaml"
COMMIT_FIELD = "1.1.2.participants"
ENGINE_TARGET_MS = 5.0
COMMIT_RATIO_TARGET = 3.0


# --- helpers --------------------------------------------------------------------------------------


def ms(ns: int) -> float:
    return ns / 1_000_000


def stats(samples_ms: list[float]) -> dict[str, float]:
    """n, median, p50/p95/p99 (statistics.quantiles, inclusive), min, max."""
    if len(samples_ms) < 2:
        only = samples_ms[0] if samples_ms else float("nan")
        return {"n": len(samples_ms), "median": only, "p50": only, "p95": only, "p99": only, "min": only, "max": only}
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {
        "n": len(samples_ms),
        "median": statistics.median(samples_ms),
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "min": min(samples_ms),
        "max": max(samples_ms),
    }


def time_call(fn: Callable[[], Any]) -> float:
    start = time.perf_counter_ns()
    fn()
    return ms(time.perf_counter_ns() - start)


# --- a. catalog load ------------------------------------------------------------------------------


def bench_catalog_load(report: FigureTable, runs: int, synthetic: bytes, indicators: int) -> None:
    for name, data, source, n in (
        ("catalog load gold.yaml", GOLD_PATH.read_bytes(), "gold.yaml", runs),
        (f"catalog load synthetic {indicators}", synthetic, "synthetic.yaml", max(3, runs // 2)),
    ):
        parse_catalog(data, source)  # warm-up (imports, regex caches)
        samples = [time_call(functools.partial(parse_catalog, data, source)) for _ in range(n)]
        figure = stats(samples)
        report.add(name, figure, ("median", "min", "max"), note=f"{len(data)} bytes, median of {n} runs")


# --- b. answer commit -----------------------------------------------------------------------------


class RawSqlite:
    """The baseline: a plain sqlite3 connection with the product's durability pragmas, one
    INSERT OR REPLACE of a single row + commit per edit."""

    def __init__(self, folder: Path) -> None:
        self.conn = sqlite3.connect(folder / "raw.sqlite3")  # default isolation: implicit BEGIN before INSERT
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self.conn.execute("CREATE TABLE answer (field_key TEXT PRIMARY KEY, value_json TEXT NOT NULL)")
        self.conn.commit()

    def edit(self, i: int) -> float:
        value = json.dumps(40 + i % 2)
        start = time.perf_counter_ns()
        self.conn.execute("INSERT OR REPLACE INTO answer (field_key, value_json) VALUES (?, ?)", (COMMIT_FIELD, value))
        self.conn.commit()
        return ms(time.perf_counter_ns() - start)

    def close(self) -> None:
        self.conn.close()


class InterviewCommits:
    """Ours: `Interview.answer` on a fresh gold assessment in its own data folder."""

    def __init__(self, folder: Path) -> None:
        self.context = open_context(folder / "data")
        service = AssessmentService(self.context)
        self.assessment_id, _ = service.create(NewAssessment("gold", Organisation("Benchmark Cluster e.V.", "DE")))
        self.interview = service.open(self.assessment_id)
        if COMMIT_FIELD not in self.interview.catalog.field_by_key:
            raise SystemExit(f"{COMMIT_FIELD} is not a field of {self.interview.catalog.ref}")
        self.refused: Counter[str] = Counter()

    def edit(self, i: int) -> float:
        start = time.perf_counter_ns()
        result, _changes = self.interview.answer(COMMIT_FIELD, 40 + i % 2)
        elapsed = ms(time.perf_counter_ns() - start)
        if not result.stored or not result.changed_fields:
            self.refused[result.status.value] += 1
        return elapsed

    def info(self) -> dict[str, Any]:
        repository = self.context.repository
        return {
            "catalog": self.interview.catalog.ref,
            "field": COMMIT_FIELD,
            "not_stored": dict(self.refused),
            "final_stored_value": repository.answers_json(self.assessment_id).get(COMMIT_FIELD),
            "audit_entries": len(repository.audit_entries(self.assessment_id)),
        }

    def close(self) -> None:
        self.context.close()


def bench_commit(report: FigureTable, edits: int, warmup: int, tmp_root: str | None) -> dict[str, Any]:
    """Both series interleaved edit by edit (alternating which goes first), so that disk or CPU
    noise from the rest of the machine hits both alike."""
    folder = Path(tempfile.mkdtemp(prefix="esca-bench-", dir=tmp_root))
    raw_samples: list[float] = []
    ours_samples: list[float] = []
    try:
        raw_db = RawSqlite(folder)
        ours_db = InterviewCommits(folder)
        try:
            for i in range(warmup + edits):
                if i % 2:
                    r, o = raw_db.edit(i), ours_db.edit(i)
                else:
                    o, r = ours_db.edit(i), raw_db.edit(i)
                if i >= warmup:
                    raw_samples.append(r)
                    ours_samples.append(o)
            info = ours_db.info()
        finally:
            raw_db.close()
            ours_db.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    raw = stats(raw_samples)
    ours = stats(ours_samples)
    ratio = ours["p99"] / raw["p99"] if raw["p99"] > 0 else float("inf")
    note = f"{edits} edits after {warmup} warm-up, interleaved with the baseline; {info}; tmp in {folder.parent}"
    report.add(
        "answer commit (Interview.answer)",
        ours,
        ("p50", "p99"),
        baseline=raw,
        ratio=ratio,
        ratio_of="p99",
        target=f"ratio <= {COMMIT_RATIO_TARGET:g}x",
        met=ratio <= COMMIT_RATIO_TARGET,
        note=note,
    )
    p50_ratio = ours["p50"] / raw["p50"] if raw["p50"] > 0 else float("inf")

    # The engine's share of each commit: what Interview.answer does before storing (gold, no store).
    catalog = parse_catalog(GOLD_PATH.read_bytes(), "gold.yaml")
    session = FormSession(catalog, lang="en")
    engine_samples = []
    for i in range(warmup + edits):
        start = time.perf_counter_ns()
        session.answer(COMMIT_FIELD, 40 + i % 2)
        score_summary(session)
        elapsed = ms(time.perf_counter_ns() - start)
        if i >= warmup:
            engine_samples.append(elapsed)
    engine_part = stats(engine_samples)
    report.add(
        "  of which engine (answer+score_summary)",
        engine_part,
        ("p50", "p99"),
        note="same edits on a FormSession over gold, nothing stored",
    )
    return {"raw": raw, "ours": ours, "ratio_p99": ratio, "ratio_p50": p50_ratio, "engine_part": engine_part, **info}


# --- c. engine ------------------------------------------------------------------------------------


def half_answered_session(catalog: Catalog, seed: int = 7) -> tuple[FormSession, dict[str, Any]]:
    rng = random.Random(seed)
    session = FormSession(catalog, lang="en")
    statuses: Counter[str] = Counter()
    editable = 0
    for indicator in catalog.indicators:
        chosen: dict[str, object] = {}
        for fld in indicator.fields:
            if fld.computed:
                continue
            editable += 1
            if rng.random() >= 0.5:
                continue
            raw = plausible_value(fld, rng, chosen)
            if raw is None:
                continue
            statuses[session.answer(fld.key, raw, record=False).status.value] += 1
    results = Counter(r.status.value for r in session.results())
    info = {
        "fields": len(catalog.field_by_key),
        "editable_fields": editable,
        "answered_fields": len(session.answers),
        "answer_statuses": dict(statuses),
        "indicator_results": dict(results),
        "problems": len(session.problems()),
    }
    return session, info


def refresh(session: FormSession) -> None:
    session.total()
    session.outcome()
    session.progress()
    session.area_scores()


def bench_engine(report: FigureTable, synthetic: bytes, passes: int, edits: int) -> dict[str, Any]:
    catalog = parse_catalog(synthetic, "synthetic.yaml")
    size = len(catalog.indicators)
    start = time.perf_counter_ns()
    session, info = half_answered_session(catalog)
    info["build_half_answered_ms"] = ms(time.perf_counter_ns() - start)

    # Opening a session with these answers (dependency index already cached for the catalog).
    answers = session.answers
    open_samples = [time_call(lambda: FormSession(catalog, answers, lang="en")) for _ in range(10)]
    report.add(
        f"engine open FormSession ({size}, ~half answered)",
        stats(open_samples),
        ("median", "max"),
        note="dependency index cached; median of 10",
    )

    # step_next + score refresh, full passes through the form (wrap round at the end).
    first = catalog.indicators[0].id
    session.jump_to(first)
    for _ in range(50):  # warm-up
        if session.step_next().kind is NavEventKind.END_OF_FORM:
            session.jump_to(first)
        refresh(session)
    session.jump_to(first)
    samples = []
    wraps = 0
    steps_per_pass = len(catalog.indicators)
    for _ in range(passes * steps_per_pass):
        start = time.perf_counter_ns()
        if session.step_next().kind is NavEventKind.END_OF_FORM:
            session.jump_to(first)
            wraps += 1
        refresh(session)
        samples.append(ms(time.perf_counter_ns() - start))
    nav = stats(samples)
    report.add(
        f"engine step_next + refresh ({size})",
        nav,
        ("p50", "p95", "p99"),
        target=f"<= {ENGINE_TARGET_MS:g} ms p99",
        met=nav["p99"] <= ENGINE_TARGET_MS,
        note=f"{passes} x {steps_per_pass} steps, {wraps} wraps",
    )

    # Refresh alone, to separate navigation from scoring.
    refresh_only = stats([time_call(lambda: refresh(session)) for _ in range(500)])
    report.add(
        f"engine score refresh only ({size})",
        refresh_only,
        ("p50", "p95", "p99"),
        note="total+outcome+progress+area_scores",
    )

    # answer() of one integer field (read by a computed share, levels and cross-indicator computes)
    # + score refresh, cycling through the indicators.
    int_keys = [
        f.key
        for f in catalog.field_by_key.values()
        if f.id in ("total", "count") and session.is_relevant(catalog.indicator_by_id[f.indicator_id])
    ]
    refused: Counter[str] = Counter()
    samples = []
    for i in range(edits):
        key = int_keys[i % len(int_keys)]
        value = 500 + i % 400 if key.endswith(".total") else i % 1000
        if session.value(key) == value:
            value += 1
        start = time.perf_counter_ns()
        result = session.answer(key, value)
        refresh(session)
        samples.append(ms(time.perf_counter_ns() - start))
        if not result.stored or not result.changed_fields:
            refused[result.status.value] += 1
    answer_int = stats(samples)
    report.add(
        f"engine answer(int) + refresh ({size})",
        answer_int,
        ("p50", "p95", "p99"),
        target=f"<= {ENGINE_TARGET_MS:g} ms p99",
        met=answer_int["p99"] <= ENGINE_TARGET_MS,
        note=f"{edits} edits over {len(int_keys)} fields; not stored: {dict(refused)}",
    )

    # answer() of a yes/no that drives an indicator-level relevance (applicability flips) + refresh.
    driver_keys = sorted(
        {ref for ind in catalog.indicators if ind.relevant is not None for ref in ind.relevant.references}
    )
    samples = []
    refused_yn: Counter[str] = Counter()
    for i in range(edits):
        key = driver_keys[i % len(driver_keys)]
        value = not bool(session.value(key))
        start = time.perf_counter_ns()
        result = session.answer(key, value)
        refresh(session)
        samples.append(ms(time.perf_counter_ns() - start))
        if not result.stored or not result.changed_fields:
            refused_yn[result.status.value] += 1
    answer_yn = stats(samples)
    report.add(
        f"engine answer(yes_no->relevant) + refresh ({size})",
        answer_yn,
        ("p50", "p95", "p99"),
        target=f"<= {ENGINE_TARGET_MS:g} ms p99",
        met=answer_yn["p99"] <= ENGINE_TARGET_MS,
        note=f"{edits} edits over {len(driver_keys)} fields; not stored: {dict(refused_yn)}",
    )
    return {
        "session": info,
        "step_next_refresh": nav,
        "refresh_only": refresh_only,
        "answer_int_refresh": answer_int,
        "answer_yes_no_refresh": answer_yn,
    }


# --- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ESCA Assessor core benchmarks (figures only, no asserts).")
    parser.add_argument("--edits", type=int, default=1000, help="answer edits per commit/engine series")
    parser.add_argument("--warmup", type=int, default=20, help="commit warm-up edits, not counted")
    parser.add_argument("--load-runs", type=int, default=20, help="runs for the gold catalog load")
    parser.add_argument("--passes", type=int, default=3, help="full passes through the form for step_next")
    parser.add_argument("--indicators", type=int, default=500, help="size of the synthetic catalog")
    parser.add_argument("--tmp-dir", default=None, help="where the temporary databases go (default: system tmp)")
    parser.add_argument("--json", default=str(BENCH_DIR / "results" / "core.json"), help="where to write results")
    args = parser.parse_args(argv)

    synthetic = synthetic_catalog_yaml(args.indicators)
    report = FigureTable()
    print(f"python {platform.python_version()}, sqlite {sqlite3.sqlite_version}, {platform.platform()}", flush=True)

    print("a. catalog load ...", flush=True)
    bench_catalog_load(report, args.load_runs, synthetic, args.indicators)
    print("b. answer commit ...", flush=True)
    commit = bench_commit(report, args.edits, args.warmup, args.tmp_dir)
    print("c. engine ...", flush=True)
    engine = bench_engine(report, synthetic, args.passes, args.edits)

    print()
    print(report.table())
    print()
    print(
        f"commit: p50 ratio {commit['ratio_p50']:.2f}x, p99 ratio {commit['ratio_p99']:.2f}x; "
        f"not stored {commit['not_stored']}, audit entries {commit['audit_entries']}"
    )
    s = engine["session"]
    print(
        f"engine session: {s['answered_fields']}/{s['editable_fields']} editable fields answered "
        f"({s['fields']} fields), results {s['indicator_results']}, answer statuses {s['answer_statuses']}"
    )

    write_results(
        args.json,
        {
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "platform": platform.platform(),
            "args": vars(args),
            "rows": report.rows,
            "commit": commit,
            "engine": engine,
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
