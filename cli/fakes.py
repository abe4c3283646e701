"""`pacing fake-gpe` and `pacing fake-stats`: the fake servers as commands (docs/http.md)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from cli.common import EXIT_OK, Commands, add_config_option, load_cli_config
from config import Config, SecretUnavailableError
from fakes.faults import FAULTS, UnknownFaultError, parse_fault_flag
from fakes.server import FakeCredentials, FakeRemote


def register(commands: Commands) -> None:
    """Add the fake-gpe and fake-stats commands."""
    faults = "; ".join(f"{name}: {meaning}" for name, meaning in FAULTS.items())
    for name, platform, port, what in (
        ("fake-gpe", True, 8700, "fake engagement platform (token, bulk pacing) and /stats"),
        ("fake-stats", False, 8701, "fake statistics server (/stats only), e.g. a backup"),
    ):
        parser = commands.add_parser(name, help=what, epilog=f"faults — {faults}")
        add_config_option(parser)
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback)")
        parser.add_argument("--port", type=int, default=port, help=f"port (default {port})")
        parser.add_argument(
            "--fault",
            action="append",
            default=[],
            metavar="NAME[=VALUE]",
            help="switch a fault on from the start (repeatable; see below)",
        )
        parser.set_defaults(handler=_serve, serve_platform=platform)


def _credentials(config: Config) -> FakeCredentials | None:
    integration = config.hybrid_integration
    if integration is None:
        return None
    try:
        return FakeCredentials(integration.client_id, integration.client_secret())
    except SecretUnavailableError as error:
        sys.stderr.write(f"fake: {error}; the token endpoint will refuse every request\n")
        return None


def _serve(args: argparse.Namespace) -> int:
    config = load_cli_config(args)
    remote = FakeRemote(
        config.targets,
        config.agent_groups,
        config.simulator,
        credentials=_credentials(config) if args.serve_platform else None,
        serve_platform=args.serve_platform,
        host=args.host,
        port=args.port,
    )
    for flag in args.fault:
        try:
            remote.set_fault(*parse_fault_flag(flag))
        except UnknownFaultError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    remote.start()
    sys.stderr.write(f"{args.command} serving on {remote.url} (stop with Ctrl-C)\n")
    try:
        stop.wait()
    finally:
        remote.stop()
    return EXIT_OK
