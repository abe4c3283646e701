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


def register(commands: Commands) -> None:
    """The core commands: check-config, node, export."""
    check = commands.add_parser("check-config", help="validate a file, print targets and warnings")
    check.add_argument("file", nargs="?", default=None, help="config file (default pacing.toml)")
    check.set_defaults(handler=_check_config)

    node = commands.add_parser("node", help="run the pacing node headless until interrupted")
    add_config_option(node)
    node.add_argument(
        "--cycles", type=int, default=None, help="run this many cycles back to back, then stop"
    )
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


def _check_config(args: argparse.Namespace) -> int:
    config = load_config(args.file or default_config_path())
    sys.stdout.write(describe(config) + "\n")
    return EXIT_OK


def _run_node(args: argparse.Namespace) -> int:
    from node.build import build_node

    config = load_cli_config(args)
    require_paced_targets(config)  # a node pacing nothing would look healthy and do nothing
    node = build_node(config, mode="headless")
    if args.cycles is not None:
        try:
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
