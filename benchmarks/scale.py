"""The whole node at 1,000 / 10,000 / 100,000 targets: start-up, each cycle step, memory, disk.

For each size, in a fresh process (so peak RSS is that size's own): a configuration from
`fakes.scale.scale_config_text` (one agent group of 1-50 slots per virtual queue, chat and
voice), statistics over HTTP from a loopback server answering `scale_stats_document` in the
documented format, invitations published over HTTP (OAuth token, bulk POSTs in chunks) to a
strict loopback fake engagement platform (`fakes.FakeRemote`), and the node built and run as
`pacing node --config F --cycles K` runs it (`build_node` + `run_once`, back to back). The fakes
run in a process of their own, so their work does not take the node's interpreter lock.

Prints ONE table; asserts nothing. Phase times are the node's own per-phase measurement
(`Node.last_phases_s`): collect (statistics over HTTP and parsing), decide (snapshots and
`Pacer.decide`), publish (bodies, HTTP, answers), record (SQLite), alarms (evaluation and its
writes), whole cycle (all of it, `run_once`). Median and p95 over the cycles after the first.

    .venv/bin/python benchmarks/scale.py [--sizes 1000,10000,100000] [--cycles 8]
    .venv/bin/python benchmarks/scale.py --rss 10000 --rss-cycles 1000   # RSS over time
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET_ENV = "PACING_SCALE_SECRET"
SECRET = "scale-bench-secret"
PHASES = ("collect", "decide", "publish", "record", "alarms")


# -- the fakes (their own process) ------------------------------------------------------------


def serve_fakes(config_path: str, stats_port: int, gpe_port: int) -> None:
    """Serve statistics and the engagement platform for the file's targets until stdin closes."""
    from config import load_config
    from domain.statistics import PublishResult
    from fakes import FakeCredentials, FakeRemote
    from fakes.scale import scale_stats_document

    config = load_config(config_path)
    targets = config.targets

    class ScalePlatform(FakeRemote):
        """The strict fake platform (token, auth, body and answer checks), without simulating
        100,000 contact centres: pending is half the allowance, acceptance a fixed 30 %."""

        def publish(self, allowed: dict[str, int], interval_s: float) -> dict[str, PublishResult]:
            del interval_s
            return {t: PublishResult(t, max(0, n) // 2, 0.3, 8.0, 15.0) for t, n in allowed.items()}

    platform = ScalePlatform(
        targets,
        config.agent_groups,
        config.simulator,
        credentials=FakeCredentials("pacing-scale", SECRET),
        port=gpe_port,
    ).start()

    # The next document is built while the node works on the last one, so "collect" measures
    # the node's own HTTP and parsing, not this generator; it is dated when it is served.
    documents: dict[int, bytes] = {}
    ready = threading.Condition()
    served = [0]

    def build(cycle: int) -> None:
        document = scale_stats_document(targets, cycle=cycle, generated_at=0.0)
        del document["generated_at"]
        body = json.dumps(document).encode()  # '{"virtual_queues": ...'
        with ready:
            documents[cycle] = body
            ready.notify_all()

    build(1)

    class Stats(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return None

        def do_GET(self) -> None:  # noqa: N802
            with ready:
                served[0] += 1
                cycle = served[0]
                ready.wait_for(lambda: cycle in documents, timeout=60)
                body = b'{"generated_at": %r, ' % time.time() + documents.pop(cycle)[1:]
            threading.Thread(target=build, args=(cycle + 1,), daemon=True).start()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    stats = ThreadingHTTPServer(("127.0.0.1", stats_port), Stats)
    stats.daemon_threads = True
    threading.Thread(target=stats.serve_forever, daemon=True).start()
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.read()  # the benchmark closes our stdin when it is done
    stats.shutdown()
    platform.stop()


# -- one size (its own process) ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _period_s(targets: int) -> float:
    """A refresh period the cycle fits in (the publish budget is a share of it)."""
    return 5.0 if targets <= 10_000 else 30.0


def _database_bytes(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages: int = db.execute("PRAGMA page_count").fetchone()[0]
        free: int = db.execute("PRAGMA freelist_count").fetchone()[0]
        size: int = db.execute("PRAGMA page_size").fetchone()[0]
    return (pages - free) * size


def _rss_bytes() -> int:
    fields = Path("/proc/self/statm").read_text().split()
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")


def run_size(
    targets: int, cycles: int, rss_marks: tuple[int, ...] = (), profile: str | None = None
) -> dict[str, Any]:
    """Start the fakes, start the node, run `cycles` cycles; the figures as a dict."""
    from fakes.scale import scale_config_text

    with tempfile.TemporaryDirectory(prefix="scale-bench-") as folder:
        stats_port, gpe_port = _free_port(), _free_port()
        path = Path(folder) / "pacing.toml"
        path.write_text(
            scale_config_text(
                targets,
                database=str(Path(folder) / "scale.db"),
                backlog_folder=str(Path(folder) / "backlog"),
                refresh_period_s=_period_s(targets),
                stats_url=f"http://127.0.0.1:{stats_port}/stats",
                gpe_url=f"http://127.0.0.1:{gpe_port}",
                client_secret_env=SECRET_ENV,
            ),
            encoding="utf-8",
        )
        os.environ[SECRET_ENV] = SECRET
        fakes = subprocess.Popen(
            [sys.executable, __file__, "--serve", str(path), str(stats_port), str(gpe_port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            return _run_node(path, targets, cycles, rss_marks, fakes, profile)
        finally:
            assert fakes.stdin is not None
            fakes.stdin.close()
            try:
                fakes.wait(timeout=30)
            except subprocess.TimeoutExpired:  # a loaded machine: the figures matter, not this
                fakes.kill()
                fakes.wait()


def _run_node(
    path: Path,
    targets: int,
    cycles: int,
    rss_marks: tuple[int, ...],
    fakes: subprocess.Popen[str],
    profile: str | None,
) -> dict[str, Any]:
    imported = time.perf_counter()
    from config import load_config, require_paced_targets
    from node.build import build_node

    imports_s = time.perf_counter() - imported
    started = time.perf_counter()
    config = load_config(path)
    require_paced_targets(config)
    node = build_node(config, mode="headless")
    startup_s = time.perf_counter() - started
    assert fakes.stdout is not None
    if fakes.stdout.readline().strip() != "ready":  # the fakes load the same file meanwhile
        raise SystemExit("the fake servers did not start")
    phases: dict[str, list[float]] = {name: [] for name in (*PHASES, "cycle", "cpu")}
    rss_at: dict[int, int] = {}
    gc_pauses: list[float] = []
    gc_started = [0.0]

    def on_gc(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_pauses.append(time.perf_counter() - gc_started[0])

    profiler = _profiler() if profile else None
    statuses: dict[str, int] = {}
    first_cycle_bytes = 0
    try:
        for index in range(1, cycles + 1):
            began, began_cpu = time.perf_counter(), time.process_time()
            outcome = node.run_once()
            took, took_cpu = time.perf_counter() - began, time.process_time() - began_cpu
            statuses[outcome.cycle.status] = statuses.get(outcome.cycle.status, 0) + 1
            if index == 1:
                first_cycle_bytes = _database_bytes(config.node.database_path)
                gc.callbacks.append(on_gc)  # not the start-up collection of the first cycle
                if profiler is not None:
                    profiler.start()
                continue  # the first cycle warms connections, tokens and caches
            measured = node.last_phases_s()
            phases["collect"].append(measured.get("collect", 0.0))
            phases["decide"].append(measured.get("snapshot", 0.0) + measured.get("decide", 0.0))
            phases["publish"].append(measured.get("publish", 0.0))
            phases["record"].append(measured.get("record", 0.0))
            phases["alarms"].append(measured.get("alarms", 0.0))
            phases["cycle"].append(took)
            phases["cpu"].append(took_cpu)
            if index in rss_marks:
                rss_at[index] = _rss_bytes()
                sys.stderr.write(f"cycle {index}: RSS {rss_at[index] / 2**20:.0f} MB\n")
    finally:
        if on_gc in gc.callbacks:
            gc.callbacks.remove(on_gc)
        node.stop()
        if profiler is not None and profile:
            profiler.stop()
            Path(profile).write_text(profiler.output_text(unicode=True, show_all=False))
    last_bytes = _database_bytes(config.node.database_path)
    rows = targets * max(1, cycles - 1)
    return {
        "targets": targets,
        "cycles": cycles,
        "period_s": config.pacing.refresh_period_s,
        "imports_s": imports_s,
        "startup_s": startup_s,
        "phases": phases,
        "statuses": statuses,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "bytes_per_row": (last_bytes - first_cycle_bytes) / rows,
        "gc_pause_max_s": max(gc_pauses, default=0.0),
        "rss_at": rss_at,
    }


def _profiler() -> Any:
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit(
            "--profile needs pyinstrument: .venv/bin/pip install pyinstrument"
        ) from None
    return Profiler(interval=0.001)


# -- the table ------------------------------------------------------------------------------


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else 0.0


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}"


def print_table(results: list[dict[str, Any]]) -> None:
    head = (
        "| targets | start-up s | collect ms | decide ms | publish ms | record ms | alarms ms "
        "| cycle median ms | cycle p95 ms | cycle CPU ms | peak RSS MB | bytes/row "
        "| longest GC ms | statuses |"
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    failed = [result for result in results if "error" in result]
    results = [result for result in results if "error" not in result]
    for result in results:
        phases = result["phases"]
        cells = [
            f"{result['targets']:,}",
            f"{result['startup_s']:.2f}",
            *(_ms(statistics.median(phases[name] or [0.0])) for name in PHASES),
            _ms(statistics.median(phases["cycle"] or [0.0])),
            _ms(_p95(phases["cycle"])),
            _ms(statistics.median(phases["cpu"] or [0.0])),
            f"{result['peak_rss_bytes'] / 2**20:,.0f}",
            f"{result['bytes_per_row']:,.0f}",
            f"{result['gc_pause_max_s'] * 1000:,.0f}",
            " ".join(f"{k} {v}" for k, v in sorted(result["statuses"].items())),
        ]
        print("| " + " | ".join(cells) + " |")
    for result in failed:
        print(f"| {result['targets']:,} | did not run: {result['error']} |")
    print()
    for small, large in zip(results, results[1:], strict=False):
        factor = large["targets"] / small["targets"]
        cycle = statistics.median(large["phases"]["cycle"] or [0.0]) / max(
            1e-9, statistics.median(small["phases"]["cycle"] or [0.0])
        )
        startup = large["startup_s"] / max(1e-9, small["startup_s"])
        rss = large["peak_rss_bytes"] / max(1, small["peak_rss_bytes"])
        print(
            f"growth {large['targets']:,}/{small['targets']:,} (x{factor:g} targets): "
            f"cycle x{cycle:.1f}, start-up x{startup:.1f}, peak RSS x{rss:.1f}"
        )
    periods = ", ".join(f"{r['targets']:,}: {r['period_s']:g} s" for r in results)
    cycles = results[0]["cycles"] if results else 0
    print(
        f"{cycles} cycles per size back to back, the first not counted; refresh period {periods}; "
        f"imports ({results[0]['imports_s']:.1f} s) not in start-up."
        if results
        else ""
    )


def _child(arguments: list[str]) -> dict[str, Any]:
    """One size's figures, or {"error": ...} when that size could not run (the table says so)."""
    completed = subprocess.run([sys.executable, __file__, *arguments], capture_output=True)
    if completed.returncode != 0:  # the node's own log (alarms, warnings) only when it failed
        sys.stderr.write(completed.stderr.decode(errors="replace")[-4000:])
        lines = completed.stderr.decode(errors="replace").strip().splitlines()
        problem = next((line.strip() for line in reversed(lines) if "—" in line), "")
        return {"error": problem or (lines[-1] if lines else f"exit {completed.returncode}")}
    result: dict[str, Any] = json.loads(completed.stdout.decode().strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated targets")
    parser.add_argument("--cycles", type=int, default=8, help="cycles per size (first not counted)")
    parser.add_argument("--rss", type=int, default=None, metavar="TARGETS", help="RSS-over-time")
    parser.add_argument("--rss-cycles", type=int, default=1000, help="cycles of the RSS run")
    parser.add_argument("--profile", default=None, metavar="FILE", help="pyinstrument text here")
    parser.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--serve", nargs=3, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_fakes(args.serve[0], int(args.serve[1]), int(args.serve[2]))
        return
    if args.one is not None:
        marks = (10, 100, args.cycles) if args.rss_cycles < 0 else ()
        print(json.dumps(run_size(args.one, args.cycles, marks, args.profile)))
        return
    if args.rss is not None:
        result = _child(
            ["--one", str(args.rss), "--cycles", str(args.rss_cycles), "--rss-cycles=-1"]
        )
        result = {"targets": args.rss, **result}
        print(f"{args.rss:,} targets, {args.rss_cycles} cycles back to back:")
        for cycle, rss in sorted(result.get("rss_at", {}).items(), key=lambda i: int(i[0])):
            print(f"  RSS at cycle {int(cycle):>5}: {rss / 2**20:,.0f} MB")
        print_table([result])
        return
    sizes = [int(size.replace("_", "")) for size in args.sizes.split(",") if size.strip()]
    results = []
    for size in sizes:
        sys.stderr.write(f"scale: {size:,} targets, {args.cycles} cycles...\n")
        profile = [f"--profile={args.profile}.{size}.txt"] if args.profile else []
        result = _child(["--one", str(size), "--cycles", str(args.cycles), *profile])
        results.append({"targets": size, **result})
    print_table(results)


if __name__ == "__main__":
    main()
