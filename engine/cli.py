"""`pacing`: check a configuration, run a headless node, export cycle history, and more.

Every subcommand is registered by a module listed in `COMMAND_MODULES`: the module's
`register(commands)` adds its parsers and sets `handler=` to a function taking the parsed
arguments and returning the exit code. Handlers raise `ConfigError`/`StorageError` (or
`argparse.ArgumentTypeError` for bad arguments) and `main` turns them into one clear message.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine.config import Config, ConfigError, describe, load_config
from engine.logs import configure_logging
from storage.errors import StorageError

DEFAULT_CONFIG = "pacing.toml"
EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2

# Modules that add subcommands; each has `register(commands: argparse._SubParsersAction)`.
COMMAND_MODULES: tuple[str, ...] = (
    "engine.cli",
    "dashboard.users_cli",
    "engine.fakes.cli",
    "alarms.cli",
    "storage.backlog.cli",
    "engine.lab.cli",
)

Commands = Any  # argparse._SubParsersAction is private; this alias keeps signatures readable


def default_config_path() -> str:
    """`PACING_CONFIG` if set, else `pacing.toml` in the working folder."""
    return os.environ.get("PACING_CONFIG") or DEFAULT_CONFIG


def add_config_option(parser: argparse.ArgumentParser) -> None:
    """The `--config FILE` option every command that reads the configuration takes."""
    parser.add_argument(
        "--config", default=None, help="config file (default: $PACING_CONFIG or pacing.toml)"
    )


def load_cli_config(args: argparse.Namespace) -> Config:
    """Load `--config` (or the default), and set up logging from its `[log]` section."""
    config = load_config(getattr(args, "config", None) or default_config_path())
    configure_logging(config.log)
    return config


def parse_time(text: str, option: str) -> float:
    """ISO-8601 date or date-time (UTC when no offset is given) → epoch seconds."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'{option}: "{text}" — expected an ISO-8601 date or date-time, '
            "e.g. 2026-11-30 or 2026-11-30T08:00:00+01:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pacing", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in COMMAND_MODULES:
        module = sys.modules[__name__] if name == __name__ else importlib.import_module(name)
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `pacing` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except (ConfigError, StorageError) as error:
        sys.stderr.write(f"pacing {args.command}: {error}\n")
        return EXIT_ERROR
    except argparse.ArgumentTypeError as error:
        sys.stderr.write(f"pacing {args.command}: {error}\n")
        return EXIT_USAGE


def _check_config(args: argparse.Namespace) -> int:
    config = load_config(args.file or default_config_path())
    sys.stdout.write(describe(config) + "\n")
    return EXIT_OK


def _run_node(args: argparse.Namespace) -> int:
    from engine.node import build_node

    config = load_cli_config(args)
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


if __name__ == "__main__":
    raise SystemExit(main())
