"""`pacing`: check a configuration, run a headless node, export cycle history, and more.

Every subcommand module of this package has `register(commands)`: it adds its parsers and sets
`handler=` to a function taking the parsed arguments and returning the exit code. `COMMANDS`
lists them explicitly. Handlers raise `ConfigError`/`StorageError` (or
`argparse.ArgumentTypeError` for bad arguments) and `main` turns them into one clear message.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from cli import backlog, cluster, controls, fakes, lab, node, provision, users
from cli.common import EXIT_ERROR, EXIT_USAGE
from config import ConfigError
from storage.errors import StorageError

# Every subcommand module, in the order `pacing --help` lists them. Each has
# `register(commands)`; adding a command means adding its module here.
COMMAND_MODULES: tuple[ModuleType, ...] = (
    node,
    controls,
    users,
    fakes,
    provision,
    backlog,
    cluster,
    lab,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pacing", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
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


if __name__ == "__main__":
    raise SystemExit(main())
