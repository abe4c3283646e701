"""`pacing provision [--overwrite]`: create the default alarm conditions in the database."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from alarms.catalogue import default_conditions
from cli.common import EXIT_OK, add_config_option, load_cli_config
from storage.alarms.store import provision_conditions
from storage.db import connect


def register(commands: Any) -> None:
    provision = commands.add_parser(
        "provision", help="create the default alarm conditions (operators' edits are kept)"
    )
    add_config_option(provision)
    provision.add_argument(
        "--overwrite",
        action="store_true",
        help="replace existing conditions with the defaults from the configuration",
    )
    provision.set_defaults(handler=_provision)


def _provision(args: argparse.Namespace) -> int:
    config = load_cli_config(args)
    conditions = default_conditions(config.metrics, config.alarms, config.compliance)
    db = connect(config.node.database_path)
    try:
        result = provision_conditions(db, conditions, time.time(), overwrite=args.overwrite)
    finally:
        db.close()
    for label, names in (
        ("created", result.created),
        ("replaced", result.replaced),
        ("kept (use --overwrite to replace)", result.kept),
    ):
        if names:
            sys.stdout.write(f"{label}: {', '.join(names)}\n")
    sys.stdout.write(f"{len(conditions)} alarm conditions in {config.node.database_path}\n")
    return EXIT_OK
