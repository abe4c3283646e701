"""`pacing check-config`, `pacing node` and `pacing export`: the node's own commands."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    Commands,
    add_config_option,
    default_config_path,
    load_cli_config,
    parse_time,
)
from config import describe, load_config, require_paced_targets
from domain.phases import StartupTimings


def register(commands: Commands) -> None:
    """The core commands: check-config, node, export."""
    check = commands.add_parser("check-config", help="validate a file, print targets and warnings")
    check.add_argument("file", nargs="?", default=None, help="config file (default pacing.toml)")
    _add_timings_option(check)
    check.set_defaults(handler=_check_config)

    node = commands.add_parser("node", help="run the pacing node headless until interrupted")
    add_config_option(node)
    node.add_argument(
        "--cycles", type=int, default=None, help="run this many cycles back to back, then stop"
    )
    _add_timings_option(node)
    node.set_defaults(handler=_run_node)

    export = commands.add_parser("export", help="export cycle history as CSV")
    add_config_option(export)
    export.add_argument("--since", default=None, help="ISO-8601 start (inclusive, UTC default)")
    export.add_argument("--until", default=None, help="ISO-8601 end (exclusive, UTC default)")
    export.add_argument(
        "--target", action="append", default=None, help="target id; repeat for several"
    )
    export.add_argument("--columns", default=None, help="comma-separated column names")
    export.add_argument("--out", default="-", help="output file (default: standard output)")
    export.set_defaults(handler=_export)


def _add_timings_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timings",
        action="store_true",
        help="print how long each start-up phase took (standard error)",
    )


def _startup_timings(args: argparse.Namespace) -> StartupTimings | None:
    """Timings when `--timings` was given, starting with the imports done so far."""
    if not args.timings:
        return None
    timings = StartupTimings()
    timings.add_imports()
    return timings


def _print_timings(timings: StartupTimings | None) -> None:
    if timings is not None:
        sys.stderr.write(timings.report() + "\n")


def _check_config(args: argparse.Namespace) -> int:
    timings = _startup_timings(args)
    try:
        config = load_config(args.file or default_config_path(), timings=timings)
    finally:
        _print_timings(timings)  # a refused file's phases too
    sys.stdout.write(describe(config) + "\n")
    return EXIT_OK


def _run_node(args: argparse.Namespace) -> int:
    timings = _startup_timings(args)
    laps = timings if timings is not None else StartupTimings()
    from node.build import build_node

    laps.lap("import node")
    config = load_cli_config(args, timings=timings)
    require_paced_targets(config)  # a node pacing nothing would look healthy and do nothing
    laps.start_lap()
    node = build_node(config, mode="headless")
    laps.lap("build node")
    if args.cycles is not None:
        try:
            node.prepare()
            laps.lap("start node")
            _print_timings(timings)
            for _ in range(args.cycles):
                node.run_once()
        finally:
            node.stop()
        return EXIT_OK if node.counters().record_failures == 0 else EXIT_ERROR
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    # SIGHUP: reload pacing.toml before the next cycle (README "Live configuration").
    signal.signal(signal.SIGHUP, lambda *_: node.request_reload("system", "SIGHUP"))
    node.start()
    laps.lap("start node")
    _print_timings(timings)
    try:
        stop.wait()
    finally:
        node.stop()
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    from storage.db import connect_readonly
    from storage.export import export_cycle_history

    config = load_cli_config(args)
    since = parse_time(args.since, "--since") if args.since else None
    until = parse_time(args.until, "--until") if args.until else None
    columns = [c.strip() for c in args.columns.split(",")] if args.columns else None
    db = connect_readonly(config.node.database_path)
    try:
        if args.out == "-":
            rows = export_cycle_history(db, sys.stdout, since, until, args.target, columns)
        else:
            with Path(args.out).open("w", newline="", encoding="utf-8") as out:
                rows = export_cycle_history(db, out, since, until, args.target, columns)
    finally:
        db.close()
    sys.stderr.write(f"exported {rows} rows\n")
    return EXIT_OK
