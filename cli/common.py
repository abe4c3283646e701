"""What every `pacing` subcommand shares: exit codes, `--config`, times on the command line."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from typing import Any

from config import Config, load_config
from domain.phases import StartupTimings
from node.logs import configure_logging

DEFAULT_CONFIG = "pacing.toml"
EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


Commands = Any  # argparse._SubParsersAction is private; this alias keeps signatures readable


def default_config_path() -> str:
    """`PACING_CONFIG` if set, else `pacing.toml` in the working folder."""
    return os.environ.get("PACING_CONFIG") or DEFAULT_CONFIG


def add_config_option(parser: argparse.ArgumentParser) -> None:
    """The `--config FILE` option every command that reads the configuration takes."""
    parser.add_argument(
        "--config", default=None, help="config file (default: $PACING_CONFIG or pacing.toml)"
    )


def load_cli_config(args: argparse.Namespace, *, timings: StartupTimings | None = None) -> Config:
    """Load `--config` (or the default), and set up logging from its `[log]` section."""
    config = load_config(getattr(args, "config", None) or default_config_path(), timings=timings)
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
