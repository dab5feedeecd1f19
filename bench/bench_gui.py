"""Window benchmarks: cold start, page switch on a 500-indicator catalog, the list with 10,000 rows.

Prints figures and never asserts on timing. Everything runs offscreen (QT_QPA_PLATFORM=offscreen)
with temporary data and config folders (ESCA_DESKTOP_CONFIG_DIR). Run from the project folder::

    .venv/bin/python bench/bench_gui.py [--starts 15] [--rows 10000] [--tmp-dir DIR]
                                        [--json bench/results/gui.json]

Measured, all in the same run:

1. cold start     `python -m esca_desktop --data-dir TMP` with ESCA_DESKTOP_STARTUP_PROBE=1 (prints
                  "first-paint-ms N" and quits after the main window's first paint), N times on an
                  existing database (`esca-desktop demo` first), alternating run by run with the
                  baseline: a bare PySide6 program (QApplication + QMainWindow with a label) that
                  prints the same line from an event filter on Paint. Both are timed the same way in
                  the parent: from spawn to the moment the line is read (Popen + readline), and from
                  spawn to process exit. The in-process "first-paint-ms" figure of each is kept too
                  (ours counts from `run_gui` start, the baseline from its first line). The first-ever
                  start of a fresh data folder (migration) is measured once, separately.
                  Target: median spawn-to-paint ratio <= 1.5x.
2. page switch    in-process: the synthetic catalog installed into a temp data folder, one assessment
                  on it with about half of the fields answered (`answer_many`), the window built with
                  `build_window(..., open_id=ID)` and shown; then `workspace.step_next()` +
                  `processEvents()` + deferred deletes (the page is laid out and painted: a Paint
                  event on the new page is checked for every step) over a full pass through the form,
                  and `workspace.jump_to()` to random indicators. Target: p95 <= 30 ms. When the p95
                  misses, a cProfile of the step series is printed and stored.
3. 10,000 rows    assessments created through `AssessmentService.create` (a sample, to say how long
                  10,000 would take), the rest inserted in bulk with SQLAlchemy core into
                  organisation/assessment (benchmark only); then a fresh subprocess starts the window
                  on that folder, waits for `MainWindow.ready` and reports its peak RSS
                  (ru_maxrss), the RSS before the store is opened, `refresh_list()`, typing a filter
                  word key by key, `set_filter_text` of a whole word, and sorting by organisation.
                  Baseline: peak RSS of the bare PySide6 window of part 1 (same run).

Only stdlib timing (`time.perf_counter`); percentiles from `statistics.quantiles`.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before anything imports Qt
os.environ.setdefault("ESCA_DESKTOP_ASSESSOR", "Bench Assessor")  # the name changes are recorded under

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

from figures import FigureTable, write_results  # noqa: E402  (stdlib only: keeps the parent small)

# bench_core (and through it esca_desktop, SQLAlchemy) and PySide6 are imported lazily: the parent
# stays small while the start series runs. On Linux a child's ru_maxrss starts from the parent's
# high-water mark (it is carried over across fork/exec), so a big parent would hide the children's
# peaks; the children this file writes read VmHWM from /proc/self/status instead (reset by exec).


def stats(samples_ms: list[float]) -> dict[str, float]:
    from bench_core import stats as core_stats

    return core_stats(samples_ms)


START_RATIO_TARGET = 1.5
PAGE_TARGET_MS = 30.0
PROBE_LINE = "first-paint-ms"
CHILD_TIMEOUT_S = 60.0

# --- the bare PySide6 baseline (written to a temp file) -------------------------------------------

BARE_WINDOW = """\
import time
_STARTED = time.perf_counter()
import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setWindowTitle("Bare")
window.setCentralWidget(QLabel("Hello"))
metrics = window.fontMetrics()
window.resize(metrics.horizontalAdvance("M") * 95, metrics.height() * 46)  # as MainWindow


class FirstPaint(QObject):
    def eventFilter(self, watched, event):  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            print(f"first-paint-ms {1000 * (time.perf_counter() - _STARTED):.1f}", flush=True)
            watched.removeEventFilter(self)
            QTimer.singleShot(0, QApplication.quit)
        return False


probe = FirstPaint(window)
window.installEventFilter(probe)
window.show()
code = app.exec()
with open("/proc/self/status") as status:
    hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(f"peak-rss-kb {hwm}", flush=True)
sys.exit(code)
"""

# --- the 10,000-rows child (written to a temp file) ------------------------------------------------

LIST_CHILD = '''\
import time
_STARTED = time.perf_counter()
import cProfile
import io
import json
import os
import pstats
import resource
import sys


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def maxrss_kb():
    """Peak RSS of this process image: VmHWM (ru_maxrss would include the parent's peak)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def ru_maxrss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


data_dir, word, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = {"rss_at_interpreter_start_kb": rss_kb()}
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QHeaderView

qInstallMessageHandler(lambda mode, context, message: None if "propagateSizeHints" in message
                       else sys.stderr.write(message + "\\n"))

from esca_desktop.app import build_window
from esca_desktop.ui.main_window import MainWindow

window = build_window(data_dir, interactive_errors=False)
app = QApplication.instance()


def settle():
    app.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def timed(fn):
    t = time.perf_counter()
    fn()
    settle()
    return 1000 * (time.perf_counter() - t)


def profiled(fn, top=14):
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    settle()
    profiler.disable()
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


def start_wrapper(*args, **kwargs):
    out["rss_before_store_kb"] = rss_kb()
    out["maxrss_before_store_kb"] = maxrss_kb()
    out["ru_maxrss_before_store_kb"] = ru_maxrss_kb()
    out["store_open_at_ms"] = 1000 * (time.perf_counter() - _STARTED)
    t = time.perf_counter()
    MainWindow.start(window, *args, **kwargs)
    out["start_ms"] = 1000 * (time.perf_counter() - t)


window.start = start_wrapper  # start_after_first_paint calls self.start(...) when it fires


def sort_series():
    """Sort by organisation from the default order (last change, newest first), and back."""
    page = window.list_page
    there, back = [], []
    for _ in range(reps):
        there.append(timed(lambda: page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)))
        back.append(timed(lambda: page.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)))
    return there, back


def measure():
    try:
        settle()  # paint the filled table
        page = window.list_page
        out["ready_at_ms"] = 1000 * (time.perf_counter() - _STARTED)
        out["rows"] = page.model.rowCount()
        out["rss_after_list_kb"] = rss_kb()
        out["maxrss_after_list_kb"] = maxrss_kb()
        out["ru_maxrss_after_list_kb"] = ru_maxrss_kb()
        service = window.service
        list_ms, model_ms, refresh_ms = [], [], []
        for _ in range(reps):
            t = time.perf_counter()
            rows = service.list_summaries()
            list_ms.append(1000 * (time.perf_counter() - t))
            model_ms.append(timed(lambda: page.set_summaries(rows, window.ui_lang)))
            refresh_ms.append(timed(window.refresh_list))
        out["list_summaries_ms"] = list_ms
        out["set_summaries_ms"] = model_ms
        out["refresh_list_ms"] = refresh_ms
        # Typing a word into the filter box, key by key (textChanged -> proxy filter), painted.
        out["filter_keys_ms"] = [timed(lambda n=n: page.filter_edit.setText(word[:n]))
                                 for n in range(1, len(word) + 1)]
        out["filter_shown_rows"] = page.proxy.rowCount()
        out["filter_clear_ms"] = timed(lambda: page.filter_edit.setText(""))
        whole = []
        for _ in range(reps):
            whole.append(timed(lambda: page.proxy.set_filter_text(word)))
            page.proxy.set_filter_text("")
            settle()
        out["set_filter_text_word_ms"] = whole
        out["sort_organisation_ms"], out["sort_back_last_change_ms"] = sort_series()
        out["maxrss_end_kb"] = maxrss_kb()
        out["rss_end_kb"] = rss_kb()
        # Diagnostics: where set_summaries and sorting spend their time.
        rows = service.list_summaries()
        out["profile_set_summaries"] = profiled(lambda: page.set_summaries(rows, window.ui_lang))
        out["profile_sort"] = profiled(lambda: page.table.sortByColumn(0, Qt.SortOrder.AscendingOrder))
        page.table.sortByColumn(6, Qt.SortOrder.DescendingOrder)
        settle()
        # The same rows without the view: the model alone, then model + sorting proxy.
        from esca_desktop.ui.assessment_list import AssessmentFilterProxy, AssessmentTableModel
        model = AssessmentTableModel()
        t = time.perf_counter()
        model.set_summaries(rows, window.ui_lang)
        out["model_only_set_summaries_ms"] = 1000 * (time.perf_counter() - t)
        proxy = AssessmentFilterProxy()
        proxy.setSourceModel(model)
        proxy.sort(6, Qt.SortOrder.DescendingOrder)
        t = time.perf_counter()
        model.set_summaries(rows, window.ui_lang)
        out["model_proxy_set_summaries_ms"] = 1000 * (time.perf_counter() - t)
        t = time.perf_counter()
        proxy.sort(0, Qt.SortOrder.AscendingOrder)
        out["proxy_only_sort_ms"] = 1000 * (time.perf_counter() - t)
        t = time.perf_counter()
        proxy.set_filter_text(word)
        out["proxy_only_filter_ms"] = 1000 * (time.perf_counter() - t)
        # Experiment (this process only): the same view with columns 1-6 Interactive instead of
        # ResizeToContents.
        header = page.table.horizontalHeader()
        for column in range(1, 7):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        settle()
        out["no_resize_to_contents"] = {
            "set_summaries_ms": [timed(lambda: page.set_summaries(rows, window.ui_lang)) for _ in range(reps)],
            "sort_organisation_ms": sort_series()[0],
            "filter_word_ms": [timed(lambda: page.proxy.set_filter_text(word)),
                               timed(lambda: page.proxy.set_filter_text(""))],
        }
    except BaseException as exc:  # report instead of hanging
        import traceback
        out["error"] = traceback.format_exc()
    print("RESULT " + json.dumps(out), flush=True)
    QTimer.singleShot(0, app.quit)


window.ready.connect(lambda: QTimer.singleShot(0, measure))
QTimer.singleShot(240_000, app.quit)
window.show()
app.exec()
'''


# --- helpers --------------------------------------------------------------------------------------


def child_env(config_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["ESCA_DESKTOP_CONFIG_DIR"] = str(config_dir)
    env.pop("ESCA_DESKTOP_DATA_DIR", None)
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_probe(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Spawn, read stdout until the probe line, then wait for the exit (wait4: per-child rusage)."""
    spawned = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, cwd=ROOT)
    assert proc.stdout is not None and proc.stderr is not None
    to_paint = None
    inner = None
    for line in proc.stdout:
        if line.startswith(PROBE_LINE):
            to_paint = 1000 * (time.perf_counter() - spawned)
            inner = float(line.split()[1])
            break
    deadline = time.perf_counter() + CHILD_TIMEOUT_S
    status = None
    usage = None
    while time.perf_counter() < deadline:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.002)
    else:
        proc.kill()
        _, status, usage = os.wait4(proc.pid, 0)
    to_exit = 1000 * (time.perf_counter() - spawned)
    proc.returncode = os.waitstatus_to_exitcode(status) if status is not None else None
    rest = proc.stdout.read()
    err = proc.stderr.read()
    hwm = next((int(line.split()[1]) for line in rest.splitlines() if line.startswith("peak-rss-kb")), None)
    return {
        "spawn_to_paint_ms": to_paint,
        "inner_first_paint_ms": inner,
        "spawn_to_exit_ms": to_exit,
        "maxrss_kb": usage.ru_maxrss if usage else None,
        "vmhwm_kb": hwm,
        "cpu_ms": 1000 * (usage.ru_utime + usage.ru_stime) if usage else None,
        "returncode": proc.returncode,
        "stdout_tail": rest[-300:],
        "stderr_tail": err[-500:],
    }


def import_profile(argv: list[str], env: dict[str, str], top: int = 12) -> list[tuple[float, str]]:
    """One extra start under `-X importtime`: the slowest top-level imports (cumulative ms; the
    option itself inflates them)."""
    proc = subprocess.run(
        [argv[0], "-X", "importtime", *argv[1:]],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT_S,
    )
    found: list[tuple[float, str]] = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if not cumulative.strip().isdigit():
            continue
        indent = len(name) - len(name.lstrip(" "))
        if indent <= 3:  # imported at the top level of the program (or of __main__)
            found.append((int(cumulative) / 1000, name.strip()))
    return sorted(found, reverse=True)[:top]


def percentile(samples: list[float], p: int) -> float:
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[p - 1]


def start_stats(samples: list[float]) -> dict[str, float]:
    return {
        "n": len(samples),
        "median": statistics.median(samples),
        "p90": percentile(samples, 90),
        "min": min(samples),
        "max": max(samples),
    }


# --- 1. cold start --------------------------------------------------------------------------------


def bench_start(report: FigureTable, root: Path, starts: int) -> dict[str, Any]:
    bare = root / "bare_window.py"
    bare.write_text(BARE_WINDOW, encoding="utf-8")
    env = child_env(root / "config-start")
    data = root / "data-start"
    ours_argv = [sys.executable, "-m", "esca_desktop", "--data-dir", str(data)]
    probe_env = {**env, "ESCA_DESKTOP_STARTUP_PROBE": "1"}
    bare_argv = [sys.executable, str(bare)]

    t = time.perf_counter()
    demo = subprocess.run(
        [sys.executable, "-m", "esca_desktop", "--data-dir", str(data), "demo"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    demo_ms = 1000 * (time.perf_counter() - t)
    if demo.returncode != 0:
        raise SystemExit(f"esca-desktop demo failed: {demo.stderr}")

    # This environment sets PYTHONDONTWRITEBYTECODE=1, so the editable esca_desktop has no .pyc and
    # every start compiles its modules. An installed program has its bytecode: a third series runs
    # ours with a bytecode cache in a temp folder (PYTHONPYCACHEPREFIX, nothing written to the repo).
    pyc_env = {k: v for k, v in probe_env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    pyc_env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    # Diagnostic series: the window started through esca_desktop.app.run_gui directly, without the
    # command-line front end (`esca_desktop.__main__` -> `esca_desktop.cli`), same env and data.
    gui_argv = [
        sys.executable,
        "-c",
        f"import sys; from esca_desktop.app import run_gui; sys.exit(run_gui({str(data)!r}))",
    ]
    # Warm-up: one of each, not counted (file caches; fills the bytecode cache).
    warm = {
        "ours": run_probe(ours_argv, probe_env),
        "bare": run_probe(bare_argv, env),
        "ours_pyc": run_probe(ours_argv, pyc_env),
        "run_gui": run_probe(gui_argv, probe_env),
    }
    ours_runs: list[dict[str, Any]] = []
    bare_runs: list[dict[str, Any]] = []
    pyc_runs: list[dict[str, Any]] = []
    gui_runs: list[dict[str, Any]] = []
    kinds = [
        (ours_runs, ours_argv, probe_env),
        (bare_runs, bare_argv, env),
        (pyc_runs, ours_argv, pyc_env),
        (gui_runs, gui_argv, probe_env),
    ]
    for i in range(starts):
        for k in range(len(kinds)):  # rotate who goes first
            runs, argv, run_env = kinds[(i + k) % len(kinds)]
            runs.append(run_probe(argv, run_env))
    # The first-ever start: a fresh data folder, the store is created (migration) after the paint.
    firsts = []
    for n in range(3):
        fresh = root / f"data-fresh-{n}"
        run = run_probe([sys.executable, "-m", "esca_desktop", "--data-dir", str(fresh)], probe_env)
        run["store_created"] = (fresh / "assessments.sqlite3").exists()
        firsts.append(run)
    first = {
        "spawn_to_paint_ms": statistics.median(r["spawn_to_paint_ms"] or float("nan") for r in firsts),
        "spawn_to_exit_ms": statistics.median(r["spawn_to_exit_ms"] for r in firsts),
        "store_created": all(r["store_created"] for r in firsts),
        "runs": firsts,
    }
    existing_db_touched = (data / "assessments.sqlite3").stat().st_mtime

    failed = [r for r in ours_runs + bare_runs + pyc_runs + gui_runs if r["spawn_to_paint_ms"] is None]
    if failed:
        print(f"  {len(failed)} start(s) printed no probe line; first: {failed[0]}", flush=True)
    ok_ours = [r for r in ours_runs if r["spawn_to_paint_ms"] is not None]
    ok_bare = [r for r in bare_runs if r["spawn_to_paint_ms"] is not None]
    ok_pyc = [r for r in pyc_runs if r["spawn_to_paint_ms"] is not None]
    ok_gui = [r for r in gui_runs if r["spawn_to_paint_ms"] is not None]

    def series(runs: list[dict[str, Any]], key: str) -> dict[str, float]:
        return start_stats([r[key] for r in runs])

    result: dict[str, Any] = {
        "demo_ms": demo_ms,
        "warmup": warm,
        "first_ever": first,
        "existing_db_mtime": existing_db_touched,
    }
    for key in ("spawn_to_paint_ms", "spawn_to_exit_ms", "inner_first_paint_ms", "cpu_ms"):
        result[key] = {
            "ours": series(ok_ours, key),
            "bare": series(ok_bare, key),
            "ours_pyc": series(ok_pyc, key),
            "run_gui": series(ok_gui, key),
        }
    # Peak RSS: ours from wait4 (ru_maxrss; the parent is still small here, see above), the bare
    # window from its own VmHWM (and ru_maxrss for comparison).
    rss: dict[str, Any] = {
        "ours": series(ok_ours, "maxrss_kb"),
        "bare": series([r for r in ok_bare if r["vmhwm_kb"]], "vmhwm_kb"),
        "bare_ru_maxrss": series(ok_bare, "maxrss_kb"),
        "parent_ru_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    result["maxrss_kb"] = rss
    result["runs"] = {"ours": ours_runs, "bare": bare_runs, "ours_pyc": pyc_runs, "run_gui": gui_runs}
    result["import_profile_ms"] = import_profile(ours_argv, probe_env)

    paint = result["spawn_to_paint_ms"]
    ratio = paint["ours"]["median"] / paint["bare"]["median"]
    ratio_p90 = paint["ours"]["p90"] / paint["bare"]["p90"]
    result["ratio_median"], result["ratio_p90"] = ratio, ratio_p90
    report.add(
        "start: spawn -> first paint (demo db)",
        paint["ours"],
        ("median", "p90"),
        baseline=paint["bare"],
        ratio=ratio,
        ratio_of="median",
        target=f"ratio <= {START_RATIO_TARGET:g}x",
        met=ratio <= START_RATIO_TARGET,
        note=f"{len(ok_ours)}+{len(ok_bare)} runs alternating; p90 ratio {ratio_p90:.2f}x",
    )
    pyc_ratio = paint["ours_pyc"]["median"] / paint["bare"]["median"]
    result["ratio_median_pyc"] = pyc_ratio
    report.add(
        "start: spawn -> first paint, with .pyc",
        paint["ours_pyc"],
        ("median", "p90"),
        baseline=paint["bare"],
        ratio=pyc_ratio,
        ratio_of="median",
        target=f"ratio <= {START_RATIO_TARGET:g}x",
        met=pyc_ratio <= START_RATIO_TARGET,
        note="bytecode cache in PYTHONPYCACHEPREFIX (as installed); same rotation",
    )
    gui_ratio = paint["run_gui"]["median"] / paint["bare"]["median"]
    result["ratio_median_run_gui"] = gui_ratio
    report.add(
        "  diagnostic: run_gui() without the CLI",
        paint["run_gui"],
        ("median", "p90"),
        baseline=paint["bare"],
        ratio=gui_ratio,
        ratio_of="median",
        note="python -c 'from esca_desktop.app import run_gui; run_gui(DIR)': no esca_desktop.cli import",
    )
    ex = result["spawn_to_exit_ms"]
    report.add(
        "start: spawn -> exit (probe)",
        ex["ours"],
        ("median", "p90"),
        baseline=ex["bare"],
        ratio=ex["ours"]["median"] / ex["bare"]["median"],
        ratio_of="median",
        note="ours also opens the store and fills the list before it quits (see first-ever)",
    )
    cpu = result["cpu_ms"]
    report.add(
        "start: CPU time to exit (user+sys)",
        cpu["ours"],
        ("median", "p90"),
        baseline=cpu["bare"],
        ratio=cpu["ours"]["median"] / cpu["bare"]["median"],
        ratio_of="median",
        note=f"wait4 rusage; less sensitive to other load; with .pyc {cpu['ours_pyc']['median']:.0f} ms, "
        f"run_gui() without the CLI {cpu['run_gui']['median']:.0f} ms",
    )
    inner = result["inner_first_paint_ms"]
    report.add(
        "start: in-process first-paint-ms",
        inner["ours"],
        ("median", "p90"),
        baseline=inner["bare"],
        note="ours from run_gui() start, baseline from its first line: not comparable",
    )
    report.add(
        "start: first-ever (fresh folder)",
        {"paint": first["spawn_to_paint_ms"], "exit": first["spawn_to_exit_ms"]},
        ("paint", "exit"),
        note=f"median of 3 fresh folders; store created: {first['store_created']}",
    )
    mb = {k: {s: v / 1024 for s, v in rss[k].items() if s != "n"} for k in ("ours", "bare")}
    report.add(
        "start: peak RSS (demo db, probe run)",
        mb["ours"],
        ("median",),
        "MB",
        baseline=mb["bare"],
        ratio=mb["ours"]["median"] / mb["bare"]["median"],
        ratio_of="median",
        note=f"ours: ru_maxrss via wait4 (parent at {rss['parent_ru_maxrss_kb'] / 1024:.0f} MB); bare: VmHWM",
    )
    return result


# --- 2. page switch -------------------------------------------------------------------------------


def half_answers(catalog: Any, seed: int = 7) -> dict[str, object]:
    """bench_core's recipe (about half of the editable fields, valid values), checked one by one on a
    scratch FormSession so that only accepted values go to answer_many."""
    from synthetic_catalog import plausible_value

    from esca_desktop.forms.session import FormSession

    rng = random.Random(seed)
    scratch = FormSession(catalog, lang="en")
    values: dict[str, object] = {}
    for indicator in catalog.indicators:
        chosen: dict[str, object] = {}
        for fld in indicator.fields:
            if fld.computed:
                continue
            if rng.random() >= 0.5:
                continue
            raw = plausible_value(fld, rng, chosen)
            if raw is None:
                continue
            if scratch.answer(fld.key, raw, record=False).stored:
                values[fld.key] = raw
    return values


def prepare_page_data(folder: Path, indicators: int) -> tuple[str, dict[str, Any]]:
    from synthetic_catalog import synthetic_catalog_yaml

    from esca_desktop.context import open_context
    from esca_desktop.domain.model import Organisation
    from esca_desktop.services.assessments import AssessmentService, NewAssessment

    info: dict[str, Any] = {}
    context = open_context(folder)
    try:
        entry = context.catalogs.install(synthetic_catalog_yaml(indicators), "synthetic.yaml")
        service = AssessmentService(context)
        assessment_id, _ = service.create(
            NewAssessment(catalog_ref=entry.catalog.id, organisation=Organisation("Bench", "DE"))
        )
        interview = service.open(assessment_id)
        values = half_answers(interview.catalog)
        t = time.perf_counter()
        applied, _ = interview.answer_many(values)
        info["answer_many_ms"] = 1000 * (time.perf_counter() - t)
        info["catalog"] = interview.catalog.ref
        info["indicators"] = len(interview.catalog.indicators)
        info["editable_fields"] = sum(1 for f in interview.catalog.field_by_key.values() if not f.computed)
        info["answers_given"] = len(values)
        info["answers_applied"] = len(applied)
        info["stored_answers"] = len(context.repository.answers_json(assessment_id))
        info["problems"] = len(interview.session.problems())
    finally:
        context.close()
    return assessment_id, info


def bench_pages(
    report: FigureTable, root: Path, indicators: int, passes: int, jumps: int, profile_steps: int
) -> dict[str, Any]:
    folder = root / "data-pages"
    os.environ["ESCA_DESKTOP_CONFIG_DIR"] = str(root / "config-pages")
    assessment_id, info = prepare_page_data(folder, indicators)

    from PySide6.QtCore import QCoreApplication, QEvent, QObject
    from PySide6.QtWidgets import QApplication

    from esca_desktop.app import build_window
    from esca_desktop.forms.results import NavEventKind

    t = time.perf_counter()
    window = build_window(str(folder), open_id=assessment_id, interactive_errors=False)
    ready = []
    window.ready.connect(lambda: ready.append(time.perf_counter()))
    window.show()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    deadline = time.perf_counter() + 30
    while not ready and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    if not ready or window.workspace is None:
        raise SystemExit("the window did not open the assessment within 30 s")
    info["build_to_ready_ms"] = 1000 * (ready[0] - t)
    workspace = window.workspace
    session = workspace.session
    catalog = session.catalog

    def settle() -> None:
        app.processEvents()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    settle()

    class PaintCounter(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.painted: set[int] = set()

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.painted.add(id(watched))
            return False

    counter = PaintCounter()

    def watch_page() -> None:
        page = workspace.page
        if page is not None:
            page.viewport().installEventFilter(counter)  # a QScrollArea paints its contents on the viewport
            page.installEventFilter(counter)

    cpu_samples: list[float] = []

    def step_once() -> tuple[float, bool, bool]:
        start, cpu = time.perf_counter(), time.process_time()
        workspace.step_next()
        settle()
        elapsed = 1000 * (time.perf_counter() - start)
        cpu_samples.append(1000 * (time.process_time() - cpu))
        on_summary = workspace.stack.currentWidget() is workspace.summary
        page = workspace.page
        painted = on_summary or (
            page is not None and (id(page.viewport()) in counter.painted or id(page) in counter.painted)
        )
        return elapsed, on_summary, painted

    first = catalog.indicators[0].id

    def restart() -> None:
        workspace.jump_to(first)
        settle()

    # Every new page gets the paint watcher: wrap show_indicator for the benchmark's lifetime.
    original_show = workspace.show_indicator

    def show_and_watch(indicator_id: str) -> None:
        original_show(indicator_id)
        watch_page()

    workspace.show_indicator = show_and_watch  # type: ignore[method-assign]

    restart()
    for _ in range(20):  # warm-up
        _, on_summary, _ = step_once()
        if on_summary:
            restart()
    restart()
    cpu_samples.clear()
    samples: list[float] = []
    unpainted = 0
    wraps = 0
    summary_steps = []
    position = {indicator.id: n for n, indicator in enumerate(catalog.indicators)}
    by_kind: dict[int, list[float]] = {}
    for _ in range(passes):
        for _guard in range(2 * len(catalog.indicators) + 2):
            elapsed, on_summary, painted = step_once()
            if on_summary:
                summary_steps.append(elapsed)
                cpu_samples.pop()
                wraps += 1
                restart()
                break
            samples.append(elapsed)
            if workspace.page is not None:
                by_kind.setdefault(position[workspace.page.indicator.id] % 3, []).append(elapsed)
            if not painted:
                unpainted += 1
    steps = stats(samples)
    kind_names = {
        0: "counts (int,int,percent,text)",
        1: "budget (decimal,yes/no,choice,text)",
        2: "cross (int,computed,yes/no,text)",
    }
    per_kind = {kind_names[k]: stats(v) for k, v in sorted(by_kind.items())}
    met = steps["p95"] <= PAGE_TARGET_MS
    report.add(
        f"page: step_next + paint ({len(catalog.indicators)})",
        steps,
        ("p50", "p95", "p99"),
        target=f"p95 <= {PAGE_TARGET_MS:g} ms",
        met=met,
        note=f"{len(samples)} steps in {passes} pass(es); pages without a Paint event: {unpainted}; "
        f"last step onto the summary {summary_steps}",
    )
    step_cpu = stats(cpu_samples)
    report.add(
        "  same steps, CPU time of this process",
        step_cpu,
        ("p50", "p95", "p99"),
        note="time.process_time(): less sensitive to other load on the machine; excludes fsync waits",
    )
    for name, figure in per_kind.items():
        report.add(f"  pages of kind {name}", figure, ("p50", "p95"), note=f"{figure['n']} steps")

    # The same steps with an explicit page.grab() (forces a full render of the page into a pixmap).
    restart()
    grab_samples = []
    for _ in range(min(100, len(samples))):
        start = time.perf_counter()
        workspace.step_next()
        settle()
        if workspace.page is not None and workspace.stack.currentWidget() is workspace.page:
            workspace.page.grab()
        grab_samples.append(1000 * (time.perf_counter() - start))
        if workspace.stack.currentWidget() is workspace.summary:
            restart()
    grabbed = stats(grab_samples)
    report.add(
        "page: step_next + paint + grab()",
        grabbed,
        ("p50", "p95", "p99"),
        note=f"{len(grab_samples)} steps; grab() renders the page once more",
    )

    # Random jumps (as from the navigator or search).
    rng = random.Random(11)
    ids = [i.id for i in catalog.indicators]
    jump_samples = []
    jump_cpu = []
    unpainted_jumps = 0
    for _ in range(jumps):
        target = rng.choice(ids)
        start, cpu = time.perf_counter(), time.process_time()
        workspace.jump_to(target)
        settle()
        jump_samples.append(1000 * (time.perf_counter() - start))
        jump_cpu.append(1000 * (time.process_time() - cpu))
        page = workspace.page
        if page is None or not (id(page.viewport()) in counter.painted or id(page) in counter.painted):
            unpainted_jumps += 1
    jumped = stats(jump_samples)
    report.add(
        f"page: jump_to random ({len(ids)})",
        jumped,
        ("p50", "p95", "p99"),
        target=f"p95 <= {PAGE_TARGET_MS:g} ms",
        met=jumped["p95"] <= PAGE_TARGET_MS,
        note=f"{jumps} jumps; pages without a Paint event: {unpainted_jumps}",
    )
    jumped_cpu = stats(jump_cpu)
    report.add("  same jumps, CPU time of this process", jumped_cpu, ("p50", "p95", "p99"))

    # Where the time goes: split of one step (show_indicator alone vs. processEvents).
    restart()
    split_show, split_events = [], []
    for _ in range(min(100, len(samples))):
        event = session.step_next()
        if event.kind is NavEventKind.END_OF_FORM:
            restart()
            continue
        t0 = time.perf_counter()
        workspace.show_indicator(event.indicator_id)
        if workspace.page is not None:
            workspace.page.focus_first_field()
        t1 = time.perf_counter()
        settle()
        t2 = time.perf_counter()
        split_show.append(1000 * (t1 - t0))
        split_events.append(1000 * (t2 - t1))
    split = {"show_indicator_ms": stats(split_show), "process_events_ms": stats(split_events)}
    report.add(
        "  of which show_indicator (build page)",
        split["show_indicator_ms"],
        ("p50", "p95"),
        note="IndicatorPage + navigator.select + remember_position",
    )
    report.add("  of which processEvents (layout+paint)", split["process_events_ms"], ("p50", "p95"))

    profile_text = ""
    if not met or jumped["p95"] > PAGE_TARGET_MS:
        restart()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(profile_steps):
            workspace.step_next()
            settle()
            if workspace.stack.currentWidget() is workspace.summary:
                restart()
        profiler.disable()
        buffer = io.StringIO()
        ps = pstats.Stats(profiler, stream=buffer)
        ps.sort_stats("cumulative").print_stats(35)
        ps.sort_stats("tottime").print_stats(25)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(profile_steps // 2):
            workspace.jump_to(rng.choice(ids))
            settle()
        profiler.disable()
        buffer.write(f"\n--- {profile_steps // 2} random jump_to calls ---\n")
        pstats.Stats(profiler, stream=buffer).sort_stats("tottime").print_stats(18)
        profile_text = buffer.getvalue()

    # Experiments (this process only, nothing in the product changes): the same steps without the
    # durable per-page position write, and without the application style sheet; interleaved in
    # blocks of 10 steps with the unchanged reference, so that other load hits all alike.
    interview = workspace.interview
    sheet = app.styleSheet()

    def no_position(on: bool) -> None:
        if on:
            interview.remember_position = lambda *_a, **_k: None  # type: ignore[method-assign]
        else:
            del interview.remember_position

    def no_sheet(on: bool) -> None:
        app.setStyleSheet("" if on else sheet)
        settle()

    variants: dict[str, Any] = {
        "reference": lambda _on: None,
        "no_remember_position": no_position,
        "no_style_sheet": no_sheet,
    }
    taken: dict[str, list[float]] = {name: [] for name in variants}
    taken_cpu: dict[str, list[float]] = {name: [] for name in variants}
    for _block in range(10):
        for name, toggle in variants.items():
            toggle(True)
            restart()
            for _ in range(10):
                before = len(cpu_samples)
                elapsed, on_summary, _ = step_once()
                if on_summary:
                    restart()
                    continue
                taken[name].append(elapsed)
                taken_cpu[name].append(cpu_samples[before])
            toggle(False)
    experiments = {name: {"wall": stats(taken[name]), "cpu": stats(taken_cpu[name])} for name in variants}
    for key, name in (
        ("reference", "  experiment: reference"),
        ("no_remember_position", "  experiment: no remember_position write"),
        ("no_style_sheet", "  experiment: no application style sheet"),
    ):
        wall, cpu_figure = experiments[key]["wall"], experiments[key]["cpu"]
        report.add(
            name,
            {"p50": wall["p50"], "p95": wall["p95"], "cpu p50": cpu_figure["p50"], "cpu p95": cpu_figure["p95"]},
            ("p50", "p95", "cpu p50", "cpu p95"),
            note=f"{wall['n']} steps interleaved in blocks of 10 with the other variants",
        )

    workspace.show_indicator = original_show  # type: ignore[method-assign]
    window.close()
    settle()
    return {
        "setup": info,
        "assessment_id": assessment_id,
        "step_next": steps,
        "step_next_by_kind": per_kind,
        "step_next_cpu": step_cpu,
        "jump_to_cpu": jumped_cpu,
        "experiments": experiments,
        "step_next_grab": grabbed,
        "jump_to": jumped,
        "split": split,
        "unpainted_steps": unpainted,
        "unpainted_jumps": unpainted_jumps,
        "summary_step_ms": summary_steps,
        "profile": profile_text,
    }


# --- 3. 10,000 rows -------------------------------------------------------------------------------

_WORDS = [
    "Nord",
    "Süd",
    "Alpine",
    "Baltic",
    "Danube",
    "Rhine",
    "Atlantic",
    "Carpathian",
    "Iberian",
    "Nordic",
    "Aero",
    "Food",
    "ICT",
    "Medtech",
    "Maritime",
    "Energy",
    "Textile",
    "Photonics",
    "Wood",
    "Mobility",
]
_KINDS = ["Cluster", "Network", "Alliance", "Initiative", "Hub", "Forum"]
_COUNTRIES = ["DE", "AT", "FR", "IT", "ES", "PL", "DK", "SE", "NL", "BE", "CZ", "GR", "PT", "FI", "HU"]


def prepare_rows(folder: Path, rows: int, sample_creates: int) -> dict[str, Any]:
    from sqlalchemy import func, insert, select

    from esca_desktop.context import open_context
    from esca_desktop.domain.model import AssessmentStatus, Organisation
    from esca_desktop.services.assessments import AssessmentService, NewAssessment
    from esca_desktop.storage.tables import AssessmentRow, OrganisationRow

    info: dict[str, Any] = {}
    context = open_context(folder)
    try:
        service = AssessmentService(context)
        rng = random.Random(3)
        created = []
        per_create = []
        for n in range(min(sample_creates, rows)):
            org = Organisation(f"{rng.choice(_WORDS)} {rng.choice(_KINDS)} {n:05d}", rng.choice(_COUNTRIES))
            t = time.perf_counter()
            new_id, _ = service.create(
                NewAssessment(catalog_ref=rng.choice(["gold", "silver", "bronze"]), organisation=org)
            )
            per_create.append(1000 * (time.perf_counter() - t))
            created.append(new_id)
        info["service_create"] = stats(per_create)
        info["service_create_sample"] = len(per_create)
        info["service_create_10k_estimate_s"] = statistics.mean(per_create) * rows / 1000
        templates: dict[str, Any] = {}
        for new_id in created:
            a = service.get(new_id)
            templates.setdefault(a.scheme, a.catalog)
        org_table: Any = OrganisationRow.__table__
        assessment_table: Any = AssessmentRow.__table__
        engine = context.repository.engine
        remaining = rows - len(created)
        now = dt.datetime.now(dt.UTC)
        statuses = [s.value for s in AssessmentStatus]
        schemes = sorted(templates)
        t = time.perf_counter()
        with engine.begin() as conn:
            next_org = int(conn.execute(select(func.coalesce(func.max(org_table.c.id), 0))).scalar_one()) + 1
            orgs = []
            assessments = []
            for k in range(remaining):
                n = len(created) + k
                scheme = rng.choice(schemes)
                binding = templates[scheme]
                total = {"gold": 30, "silver": 20, "bronze": 15}.get(scheme, 30)
                done = rng.randint(0, total)
                judged = scheme != "bronze" and done > 0
                points = round(rng.uniform(0, 5 * done), 1) if judged else None
                stamp = (now - dt.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))).isoformat(
                    timespec="microseconds"
                )
                orgs.append(
                    {
                        "id": next_org + k,
                        "name": f"{rng.choice(_WORDS)} {rng.choice(_KINDS)} {n:05d}",
                        "country": rng.choice(_COUNTRIES),
                        "region": "",
                        "legal_form": "",
                        "sector": "",
                        "website": "",
                        "contact": "",
                    }
                )
                assessments.append(
                    {
                        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        "organisation_id": next_org + k,
                        "catalog_id": binding.catalog_id,
                        "catalog_version": binding.version,
                        "catalog_hash": binding.content_hash,
                        "scheme": scheme,
                        "status": rng.choice(statuses),
                        "revision": 1,
                        "assessors": json.dumps(["Bench"]),
                        "interview_start": None,
                        "interview_end": None,
                        "place": "",
                        "interview_lang": "en",
                        "current_indicator": None,
                        "strengths": "",
                        "improvement_areas": "",
                        "recommendations": "",
                        "created_at": stamp,
                        "updated_at": stamp,
                        "finalised_at": None,
                        "progress_done": done,
                        "progress_total": total,
                        "score_points": points,
                        "score_max": 5.0 * total if judged else None,
                        "outcome_passed": (points / (5.0 * total) >= 0.8) if judged and points is not None else None,
                        "audit_head": "",
                        "audit_count": 0,
                    }
                )
            if orgs:
                conn.execute(insert(org_table), orgs)
                conn.execute(insert(assessment_table), assessments)
        info["bulk_insert_rows"] = remaining
        info["bulk_insert_ms"] = 1000 * (time.perf_counter() - t)
        info["total_rows"] = context.repository.count()
    finally:
        context.close()
    return info


def bench_rows(
    report: FigureTable, root: Path, rows: int, sample_creates: int, reps: int, start: dict[str, Any] | None
) -> dict[str, Any]:
    folder = root / "data-rows"
    info = prepare_rows(folder, rows, sample_creates)
    child = root / "list_child.py"
    child.write_text(LIST_CHILD, encoding="utf-8")
    env = child_env(root / "config-rows")
    word = "nordic"
    spawned = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(child), str(folder), word, str(reps)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    wall = 1000 * (time.perf_counter() - spawned)
    result_line = next((line for line in proc.stdout.splitlines() if line.startswith("RESULT ")), None)
    if result_line is None:
        raise SystemExit(f"list child failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    out = json.loads(result_line[len("RESULT ") :])
    if "error" in out:
        print(f"  list child error: {out['error']}\n{proc.stderr[-3000:]}", flush=True)
    out["wall_ms"] = wall
    out["stderr_tail"] = proc.stderr[-1000:]

    peak_list = out["maxrss_after_list_kb"] / 1024
    baseline = None
    ratio = None
    note = (
        f"VmHWM when the list is shown; ru_maxrss there {out['ru_maxrss_after_list_kb'] / 1024:.1f} MB "
        f"(includes the parent's peak); end of child {out.get('maxrss_end_kb', 0) / 1024:.1f} MB"
    )
    if start:
        bare_rss = start["maxrss_kb"]["bare"]["median"] / 1024
        baseline, ratio = {"peak": bare_rss}, peak_list / bare_rss
        note += f"; ours with 3 rows (demo db) {start['maxrss_kb']['ours']['median'] / 1024:.1f} MB"
    report.add(
        f"list: peak RSS, {out['rows']} rows listed",
        {"peak": peak_list},
        ("peak",),
        "MB",
        baseline=baseline,
        ratio=ratio,
        ratio_of="peak",
        note=note,
    )
    report.add(
        "list: RSS before the store opens",
        {"rss": out["rss_before_store_kb"] / 1024, "peak": out["maxrss_before_store_kb"] / 1024},
        ("rss", "peak"),
        "MB",
        note="window painted, store not yet opened (VmRSS, VmHWM)",
    )
    report.add(
        f"list: start() with {out['rows']} rows",
        {"once": out["start_ms"]},
        ("once",),
        note=f"store open + list_summaries + set_summaries; interpreter start -> store opens "
        f"{out['store_open_at_ms']:.0f} ms, -> list painted {out['ready_at_ms']:.0f} ms",
    )
    if "error" in out:
        return {"setup": info, "child": out}
    for key, name in (
        ("refresh_list_ms", "list: refresh_list()"),
        ("list_summaries_ms", "  of which list_summaries() (SQL)"),
        ("set_summaries_ms", "  of which set_summaries() (model+view)"),
        ("filter_keys_ms", f"list: typing '{word}', per key"),
        ("set_filter_text_word_ms", f"list: set_filter_text('{word}')"),
        ("sort_organisation_ms", "list: sort by organisation"),
        ("sort_back_last_change_ms", "list: sort back by last change"),
    ):
        values = out[key]
        figure = {"median": statistics.median(values), "max": max(values)}
        note = f"{len(values)} samples, each + processEvents"
        if key == "filter_keys_ms":
            note = f"{len(values)} keys, total {sum(values):.1f} ms; {out['filter_shown_rows']} rows match"
        report.add(name, figure, ("median", "max"), note=note)
    report.add(
        "  no view: model / model+proxy / proxy sort",
        {
            "model": out["model_only_set_summaries_ms"],
            "model+proxy": out["model_proxy_set_summaries_ms"],
            "sort": out["proxy_only_sort_ms"],
        },
        ("model", "model+proxy", "sort"),
        note=f"no view attached; model+sorting proxy set_summaries "
        f"{out['model_proxy_set_summaries_ms']:.1f} ms, proxy filter "
        f"{out['proxy_only_filter_ms']:.1f} ms",
    )
    exp = out["no_resize_to_contents"]
    report.add(
        "  experiment: columns not ResizeToContents",
        {
            "set_summaries": statistics.median(exp["set_summaries_ms"]),
            "sort": statistics.median(exp["sort_organisation_ms"]),
            "filter": exp["filter_word_ms"][0],
        },
        ("set_summaries", "sort", "filter"),
        note="header columns 1-6 switched to Interactive in the child only (medians)",
    )
    return {"setup": info, "child": out}


# --- main -----------------------------------------------------------------------------------------


def _quiet_qt() -> None:
    """The offscreen platform warns on every window shown; keep the other Qt messages."""
    from PySide6.QtCore import qInstallMessageHandler

    def handler(_mode: Any, _context: Any, message: str) -> None:
        if "propagateSizeHints" not in message:
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="ESCA Assessor window benchmarks (figures only, no asserts).")
    parser.add_argument("--starts", type=int, default=15, help="cold starts of each program (alternating)")
    parser.add_argument("--indicators", type=int, default=500, help="size of the synthetic catalog")
    parser.add_argument("--passes", type=int, default=1, help="full passes through the form for step_next")
    parser.add_argument("--jumps", type=int, default=200, help="random jump_to calls")
    parser.add_argument("--profile-steps", type=int, default=120, help="steps under cProfile if p95 misses")
    parser.add_argument("--rows", type=int, default=10_000, help="assessments in the list")
    parser.add_argument(
        "--sample-creates",
        type=int,
        default=100,
        help="of which created through AssessmentService.create (the rest in bulk)",
    )
    parser.add_argument("--list-reps", type=int, default=3, help="repetitions of each list operation")
    parser.add_argument(
        "--only",
        choices=("start", "pages", "rows"),
        action="append",
        help="run only these parts (repeatable; default all)",
    )
    parser.add_argument("--tmp-dir", default=None, help="where the temporary folders go (default: system tmp)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    parser.add_argument("--json", default=str(BENCH_DIR / "results" / "gui.json"), help="where to write results")
    args = parser.parse_args(argv)
    parts = set(args.only or ("start", "pages", "rows"))

    root = Path(tempfile.mkdtemp(prefix="esca-bench-gui-", dir=args.tmp_dir))
    report = FigureTable(digits=1)
    print(f"python {platform.python_version()}, {platform.platform()}, {os.cpu_count()} cpus; tmp {root}", flush=True)
    began = time.perf_counter()
    load: dict[str, Any] = {"before": os.getloadavg()}
    start: dict[str, Any] | None = None
    pages: dict[str, Any] | None = None
    rows: dict[str, Any] | None = None
    try:
        if "start" in parts:  # first, while this process is still small
            report.part = 1
            print(f"1. cold start ({args.starts} + {args.starts}, alternating) ...", flush=True)
            start = bench_start(report, root, args.starts)
            load["after_start"] = os.getloadavg()
        if "rows" in parts:
            report.part = 3
            print(f"3. list with {args.rows} rows ...", flush=True)
            rows = bench_rows(report, root, args.rows, args.sample_creates, args.list_reps, start)
            load["after_rows"] = os.getloadavg()
        if "pages" in parts:
            report.part = 2
            print(f"2. page switch ({args.indicators} indicators) ...", flush=True)
            _quiet_qt()
            pages = bench_pages(report, root, args.indicators, args.passes, args.jumps, args.profile_steps)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    elapsed = time.perf_counter() - began
    load["after"] = os.getloadavg()

    # Table in the order 1, 2, 3 (part 3 runs before part 2 so that its child is not forked from a
    # process holding a window).
    report.rows.sort(key=lambda row: row["part"])
    print()
    print(report.table())
    print()
    if start:
        first = start["first_ever"]
        print(
            f"start: demo db created in {start['demo_ms']:.0f} ms; first-ever start (fresh folder, migration, "
            "median of 3): "
            f"spawn->paint {first['spawn_to_paint_ms']:.0f} ms, spawn->exit {first['spawn_to_exit_ms']:.0f} ms, "
            f"store created by the probe run: {first['store_created']}"
        )
        print(
            "start: slowest top-level imports of `python -m esca_desktop` (-X importtime, cumulative ms): "
            + ", ".join(f"{name} {ms:.0f}" for ms, name in start["import_profile_ms"][:8])
        )
    if pages:
        s = pages["setup"]
        print(
            f"pages: {s['catalog']}, {s['indicators']} indicators, {s['stored_answers']}/{s['editable_fields']} "
            f"editable fields answered (answer_many {s['answer_many_ms']:.0f} ms), {s['problems']} problems; "
            f"build_window -> ready (assessment open) {s['build_to_ready_ms']:.0f} ms"
        )
    if rows:
        r = rows["setup"]
        c = r["service_create"]
        print(
            f"rows: AssessmentService.create p50 {c['p50']:.1f} ms, p95 {c['p95']:.1f} ms over "
            f"{r['service_create_sample']} -> about {r['service_create_10k_estimate_s']:.0f} s for {args.rows}; "
            f"bulk insert of {r['bulk_insert_rows']} rows {r['bulk_insert_ms']:.0f} ms; "
            f"{r['total_rows']} assessments"
        )
        child = rows["child"]
        for key in ("profile_set_summaries", "profile_sort"):
            if key in child:
                print(f"\n{key} (cProfile, tottime, in the list child):")
                print("\n".join(line for line in child[key].splitlines()[:40] if line.strip()))
    if pages and pages["profile"]:
        print()
        print("cProfile of the page switch (p95 over target):")
        print(pages["profile"])
    print(
        f"elapsed {elapsed:.0f} s; load average (1 min) "
        + ", ".join(f"{k} {v[0]:.2f}" for k, v in load.items())
        + f" on {os.cpu_count()} cpus"
    )

    import PySide6

    write_results(
        args.json,
        {
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "python": platform.python_version(),
            "pyside6": PySide6.__version__,
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "args": vars(args),
            "elapsed_s": elapsed,
            "load_average": load,
            "rows": report.rows,
            "start": start,
            "pages": pages,
            "list": rows,
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
