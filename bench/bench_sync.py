"""Sync benchmarks: finalised assessments with large evidence sent to the real review service over
loopback, against a raw HTTP upload of the same bytes in the same run; and the service's throughput
with concurrent uploads.

Prints figures and writes bench/results/sync.json; never asserts on timing. Run from the project folder::

    .venv/bin/python bench/bench_sync.py [--assessments 100] [--evidence-mb 5] [--tmp-dir DIR]

The service runs in its own process (`esca-central`'s app under uvicorn, SQLite file, WAL + FULL
sync), with three extra routes for the baselines, plain Starlette routes with no checks and no
protocol: ``PUT /bench/sink`` reads the body and discards it (transport only), ``/bench/store``
writes it to a file (what a plain upload server such as nginx's WebDAV PUT does), and
``/bench/store-durable`` also fsyncs the file and its folder (the durability the service promises).
Measured, in this order:

a. prepare    `prepare_outbox`: each queued assessment exported as a signed bundle (report PDF
              rendered and PAdES-signed, evidence zipped, manifest signed) — offline work that
              sync does itself for any bundle not yet prepared.
b. raw        one keep-alive httpx client PUTs each prepared bundle file (read from disk) to each
              baseline route, one after another; each twice before and twice after the sync.
c. sync       `services.sync.sync`: the same bundles sent to PUT /api/v1/submissions (the server
              hashes every file as it arrives, verifies the signature and every hash, stores
              whole and durably; the desktop records each as sent), then the pulls (reviews,
              catalogs, benchmarks). Ratio c / b for each baseline; the target is ≤ 1.5×.
d. throughput N threads upload distinct bundles to a fresh database, for N = 1, 4, 8:
              submissions/s and MB/s; then the same bundles again (idempotent no-ops).
e. large      one assessment with --large-mb of evidence, synced to a fresh service: time against
              a raw PUT of the same file (streamed, as sync sends it), and how much the service's peak
              memory grew (Linux); then the same bundle imported on a fresh desktop (time, peak memory).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

os.environ["ESCA_DESKTOP_KEYRING"] = "memory"  # the API token lives in this process only
os.environ.setdefault("ESCA_DESKTOP_ASSESSOR", "Bench Assessor")  # the name changes are recorded under

import httpx

PASSPHRASE = "benchmark passphrase"
BASELINES = {  # route: what the server does with the body
    "/bench/sink": "read and discarded (transport only)",
    "/bench/store": "written to a file (like nginx/WebDAV PUT)",
    "/bench/store-durable": "written to a file, fsync'd (like the service)",
}
ROOT = Path(__file__).resolve().parent.parent


# --- the server process -----------------------------------------------------------------------------


def serve(database: str, port: int) -> None:
    """The review service plus the baseline routes, under uvicorn (runs in the child process)."""
    import uvicorn
    from fastapi.responses import JSONResponse

    from esca_desktop.central.app import create_app
    from esca_desktop.central.store import CentralStore

    app = create_app(CentralStore.open(database))
    folder = Path(database + ".raw-uploads")
    folder.mkdir(exist_ok=True)

    async def sink(request: Any) -> JSONResponse:  # plain Starlette routes: no checks, no protocol
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        return JSONResponse({"size": size})

    def store_route(durable: bool) -> Any:
        async def store(request: Any) -> JSONResponse:
            """What any upload server does: the body into a file, renamed into place when complete."""
            handle, name = tempfile.mkstemp(dir=folder)
            size = 0
            with os.fdopen(handle, "wb", buffering=0) as stream:
                async for chunk in request.stream():
                    stream.write(chunk)
                    size += len(chunk)
                if durable:
                    os.fsync(stream.fileno())
            os.replace(name, folder / f"upload-{size}-{time.monotonic_ns()}")
            if durable:
                fd = os.open(folder, os.O_RDONLY)
                os.fsync(fd)
                os.close(fd)
            return JSONResponse({"size": size})

        return store

    app.router.add_route("/bench/sink", sink, methods=["PUT"])
    app.router.add_route("/bench/store", store_route(durable=False), methods=["PUT"])
    app.router.add_route("/bench/store-durable", store_route(durable=True), methods=["PUT"])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def quiet(folder: Path) -> None:
    """Remove what a baseline stored and write out dirty pages, so that no phase pays for another."""
    for path in folder.glob("*"):
        path.unlink()
    os.sync()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, database: Path) -> None:
        from esca_desktop.central.store import CentralStore

        store = CentralStore.open(database)
        _, self.token = store.add_user("Bench Assessor", "assessor")
        store.close()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([sys.executable, __file__, "--serve", str(database), str(self.port)], cwd=ROOT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.05)
        raise RuntimeError("the review service did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


# --- the desktop ------------------------------------------------------------------------------------


def make_desktop(folder: Path, count: int, evidence_bytes: int) -> Any:
    from esca_desktop.context import open_context
    from esca_desktop.domain.model import Organisation
    from esca_desktop.resources import resource
    from esca_desktop.services.assessments import AssessmentService, NewAssessment
    from esca_desktop.services.signing import identity_store

    context = open_context(folder)
    context.set_actor("Bench Assessor")
    identity_store(context).create("Bench Assessor", "bench@example.org", PASSPHRASE, mode="ask")
    answers = json.loads(resource("samples", "bronze.json").read_text(encoding="utf-8"))["answers"]
    answers.update({"B6.5.joined": 6, "B6.5.left": 2})
    service = AssessmentService(context)
    incoming = folder / "incoming"
    incoming.mkdir()
    for number in range(count):
        assessment_id, _ = service.create(
            NewAssessment(
                "bronze", Organisation(f"Bench Cluster {number:03d}", "DE", sector="ict"), assessors=("Bench",)
            )
        )
        interview = service.open(assessment_id)
        interview.answer_many({**answers, "B1.4.committed_members": 60 + number})
        evidence = incoming / f"evidence-{number:03d}.bin"
        evidence.write_bytes(os.urandom(evidence_bytes))  # incompressible, like photos and scanned PDFs
        interview.add_evidence(evidence, "Board minutes", ["B1.1"])
        evidence.unlink()
        interview.finalise()
    return context


# --- measurements ------------------------------------------------------------------------------------


def raw_upload(url: str, files: list[Path], route: str = "/bench/sink", streamed: bool = False) -> float:
    """PUT each file, one after another: read whole and sent in one piece, or `streamed` a megabyte at
    a time (how sync sends, and the only way for a file larger than memory should be)."""

    def body(path: Path) -> Any:
        if not streamed:
            return path.read_bytes()

        def pieces() -> Any:
            with path.open("rb") as stream:
                while piece := stream.read(1 << 20):
                    yield piece

        return pieces()

    with httpx.Client(base_url=url, timeout=600) as client:
        for path in files[:3]:  # warm-up: connection, and the server's memory for bodies this large
            client.put(route, content=body(path), headers={"Content-Length": str(path.stat().st_size)})
        start = time.perf_counter()
        for path in files:
            headers = {"Content-Type": "application/octet-stream", "Content-Length": str(path.stat().st_size)}
            reply = client.put(route, content=body(path), headers=headers)
            assert reply.status_code == 200 and reply.json()["size"] == path.stat().st_size
        return time.perf_counter() - start


def concurrent_uploads(
    url: str, token: str, bundles: list[tuple[str, int, Path]], threads: int
) -> tuple[float, list[int]]:
    queue = list(bundles)
    lock = threading.Lock()
    codes: list[int] = []

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=300, headers={"Authorization": f"Bearer {token}"}) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    assessment_id, revision, path = queue.pop()
                reply = client.put(f"/api/v1/submissions/{assessment_id}/{revision}", content=path.read_bytes())
                with lock:
                    codes.append(reply.status_code)

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    start = time.perf_counter()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return time.perf_counter() - start, codes


def peak_rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return next((int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmHWM:")), None)


def import_into(data_dir: Path, certificate: Path, bundle: Path) -> None:
    """Import `bundle` into a new desktop store that trusts `certificate` (runs in a child process, so
    that its peak memory is the import's); prints the seconds and the peak RSS as JSON."""
    from esca_desktop.context import open_context
    from esca_desktop.services.bundles import import_bundle
    from esca_desktop.services.signing import trust_dir

    context = open_context(data_dir)
    trust_dir(data_dir).mkdir(exist_ok=True)
    shutil.copy(certificate, trust_dir(data_dir) / "assessor.pem")
    before = peak_rss_mb(os.getpid())  # VmHWM: ru_maxrss would carry the parent's peak over fork and exec
    start = time.perf_counter()
    assert import_bundle(context, bundle).created
    seconds = time.perf_counter() - start
    after = peak_rss_mb(os.getpid())
    print(json.dumps({"seconds": seconds, "peak_rss_mb_before": before, "peak_rss_mb_after": after}))


def large_bundle(folder: Path, evidence_mb: int) -> dict[str, Any]:
    from esca_desktop.services import sync as sync_service

    print(f"\nOne large bundle ({evidence_mb} MB of evidence) …", flush=True)
    context = make_desktop(folder, 1, evidence_mb << 20)
    server = Server(folder / "central.sqlite3")
    try:
        sync_service.login(context, server.url, server.token)
        sync_service.prepare_outbox(context, passphrase=PASSPHRASE)
        [item] = sync_service.outbox(context)
        path = sync_service.bundle_path(context, item.assessment_id, item.revision)
        copy = folder / "copy.esca"
        shutil.copyfile(path, copy)
        os.sync()
        rss_before = peak_rss_mb(server.process.pid)
        start = time.perf_counter()
        report = sync_service.sync(context, passphrase=PASSPHRASE)
        sync_s = time.perf_counter() - start
        assert report.complete and len(report.uploaded) == 1, report.as_json()
        rss_after = peak_rss_mb(server.process.pid)
        os.sync()
        raw_s = raw_upload(server.url, [copy], streamed=True)
    finally:
        server.stop()
        context.close()
    imported = json.loads(
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--import-into",
                str(folder / "importer"),
                str(folder / "identity" / "certificate.pem"),
                str(copy),
            ],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
    )
    row: dict[str, Any] = {
        "bundle_mb": round(copy.stat().st_size / 1024**2, 1),
        "sync_s": round(sync_s, 2),
        "raw_put_s": round(raw_s, 2),
        "sync_over_raw": round(sync_s / raw_s, 2),
        "server_peak_rss_mb_before": rss_before,
        "server_peak_rss_mb_after": rss_after,
        "import_s": round(imported["seconds"], 2),
        "import_peak_rss_mb_before": imported["peak_rss_mb_before"],  # None where /proc is missing
        "import_peak_rss_mb_after": imported["peak_rss_mb_after"],
    }
    growth = f"{rss_after - rss_before:.0f} MB" if rss_before is not None and rss_after is not None else "not measured"
    print(
        f"  {row['bundle_mb']:.0f} MB bundle: sync {sync_s:.2f} s, raw PUT {raw_s:.2f} s ({row['sync_over_raw']}x); "
        f"the service's peak memory grew by {growth}"
    )
    print(
        f"  importing it on another desktop: {row['import_s']:.2f} s, peak memory {row['import_peak_rss_mb_after']:.0f} MB "
        f"({row['import_peak_rss_mb_before']:.0f} MB with the store open, before the import)"
        if row["import_peak_rss_mb_after"] is not None
        else f"  importing it on another desktop: {row['import_s']:.2f} s (peak memory not measured here)"
    )
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assessments", type=int, default=100)
    parser.add_argument("--evidence-mb", type=float, default=5.0)
    parser.add_argument("--large-mb", type=int, default=500, help="evidence of the one large bundle (0: skip)")
    parser.add_argument("--tmp-dir", type=Path, help="where to put the data (default: a temporary folder)")
    parser.add_argument("--serve", nargs=2, metavar=("DB", "PORT"), help=argparse.SUPPRESS)
    parser.add_argument("--import-into", nargs=3, metavar=("DATA_DIR", "CERT", "BUNDLE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], int(args.serve[1]))
        return 0
    if args.import_into:
        import_into(*(Path(a) for a in args.import_into))
        return 0

    from esca_desktop.services import sync as sync_service

    count = args.assessments
    evidence_bytes = int(args.evidence_mb * 1024 * 1024)
    base = Path(tempfile.mkdtemp(prefix="esca-bench-sync-", dir=args.tmp_dir))
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "platform": platform.platform(), "cpus": os.cpu_count()},
        "assessments": count,
        "evidence_mb": args.evidence_mb,
    }
    try:
        print(
            f"Setting up {count} finalised Bronze assessments with {args.evidence_mb:g} MB of evidence each …",
            flush=True,
        )
        t0 = time.perf_counter()
        context = make_desktop(base / "desktop", count, evidence_bytes)
        results["setup_s"] = round(time.perf_counter() - t0, 2)
        server = Server(base / "central.sqlite3")
        try:
            sync_service.login(context, server.url, server.token)

            os.sync()
            start = time.perf_counter()
            prepared = sync_service.prepare_outbox(context, passphrase=PASSPHRASE)
            prepare_s = time.perf_counter() - start
            assert prepared == count
            items = sync_service.outbox(context)
            files = [sync_service.bundle_path(context, i.assessment_id, i.revision) for i in items]
            keep = base / "bundles"
            keep.mkdir()
            kept = []
            for item, path in zip(items, files, strict=True):
                copy = keep / path.name
                shutil.copyfile(path, copy)
                kept.append((item.assessment_id, item.revision, copy))
            total_mb = sum(p.stat().st_size for p in files) / 1024**2
            os.sync()  # the setup's gigabyte of dirty pages written out first: a quiet disk for every phase

            # each baseline twice before and twice after the sync, from the same bytes the sync sends
            uploads = [p for _, _, p in kept]
            raw_runs: dict[str, list[float]] = {route: [] for route in BASELINES}

            def baselines() -> None:
                for route in BASELINES:
                    for _ in range(2):
                        raw_runs[route].append(raw_upload(server.url, uploads, route))
                        quiet(base / "central.sqlite3.raw-uploads")

            baselines()
            start = time.perf_counter()
            report = sync_service.sync(context, passphrase=PASSPHRASE)
            sync_s = time.perf_counter() - start
            assert report.complete and len(report.uploaded) == count, report.as_json()
            os.sync()
            baselines()
        finally:
            server.stop()
        results["loopback"] = {
            "bundles_mb_total": round(total_mb, 1),
            "prepare_s": round(prepare_s, 2),
            "prepare_ms_per_assessment": round(1000 * prepare_s / count, 1),
            "sync_s": round(sync_s, 3),
            "sync_ms_per_assessment": round(1000 * sync_s / count, 1),
            "sync_mb_per_s": round(total_mb / sync_s, 1),
            "parallel_uploads": sync_service.SyncOptions().parallel_uploads,
            "baselines": {
                route: {
                    "what": what,
                    "runs_s": [round(r, 3) for r in raw_runs[route]],
                    "median_s": round(statistics.median(raw_runs[route]), 3),
                    "sync_over_median": round(sync_s / statistics.median(raw_runs[route]), 2),
                    "sync_over_fastest": round(sync_s / min(raw_runs[route]), 2),
                }
                for route, what in BASELINES.items()
            },
        }
        lb = results["loopback"]
        print(f"\nLoopback, {count} bundles, {total_mb:.0f} MB in all")
        print(f"  a. prepare (export + sign)  {prepare_s:8.2f} s  ({lb['prepare_ms_per_assessment']} ms each)")
        print(
            f"  c. sync                     {sync_s:8.2f} s  ({lb['sync_mb_per_s']} MB/s, "
            f"{lb['sync_ms_per_assessment']} ms each, {lb['parallel_uploads']} uploads at a time)"
        )
        print("  b. raw HTTP PUT of the same files, one after another (median of 2 runs before and 2 after the sync):")
        for row in lb["baselines"].values():
            print(
                f"     {row['what']:<46} {row['median_s']:6.2f} s   sync / raw = {row['sync_over_median']:.2f}x "
                f"({row['sync_over_fastest']:.2f}x the fastest run: {', '.join(f'{r:.2f}' for r in row['runs_s'])} s)"
            )
        print("     target: sync <= 1.5x a raw upload")

        results["throughput"] = []
        print("\nService throughput, distinct bundles into a fresh database")
        for threads in (1, 4, 8):
            os.sync()
            server = Server(base / f"throughput-{threads}.sqlite3")
            try:
                seconds, codes = concurrent_uploads(server.url, server.token, kept, threads)
                assert codes.count(201) == len(kept), codes
                again, repeat_codes = concurrent_uploads(server.url, server.token, kept, threads)
                assert repeat_codes.count(200) == len(kept), repeat_codes
            finally:
                server.stop()
            row = {
                "threads": threads,
                "uploads": len(kept),
                "seconds": round(seconds, 2),
                "submissions_per_s": round(len(kept) / seconds, 1),
                "mb_per_s": round(total_mb / seconds, 1),
                "repeat_seconds": round(again, 2),
                "repeat_per_s": round(len(kept) / again, 1),
            }
            results["throughput"].append(row)
            print(
                f"  {threads} thread(s): {row['submissions_per_s']:6.1f} submissions/s, {row['mb_per_s']:6.1f} MB/s"
                f"  (repeats, no-ops: {row['repeat_per_s']:.1f}/s)"
            )
        context.close()
        if args.large_mb:
            results["large"] = large_bundle(base / "large", args.large_mb)
    finally:
        shutil.rmtree(base, ignore_errors=True)

    out = ROOT / "bench" / "results" / "sync.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nWrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
