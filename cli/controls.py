"""`pacing control …` (per-target controls), `pacing audit export` (the audit trail) and
`pacing alarms export` (the alarm history).

`pacing control` goes through the same function as the dashboard's Targets page
(`node.controls.apply_control`); the CLI acts with operator rights (whoever can write the
database can change it anyway) but must name the person (`--user`) and the reason.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from cli.common import EXIT_ERROR, EXIT_OK, Commands, add_config_option, load_cli_config, parse_time
from config.reader import parse_duration_s
from domain.controls import ControlError, describe_control

_VALUES = {
    "cap": ("COUNT", "at most this many invitations per cycle"),
    "fixed": ("COUNT", "exactly this many invitations per cycle"),
    "algorithm": ("NAME", "predictive, progressive or adaptive"),
    "goal": ("PERCENT", "the goal override, 0–100"),
    "clear": ("KIND", "the control to remove: pause, cap, fixed, algorithm or goal"),
}
_HELP = {
    "pause": "send no invitations to the target (allowed = 0, reason paused)",
    "resume": "remove the target's pause",
    "cap": "cap the target's invitations per cycle",
    "fixed": "hold the target at a fixed allowance per cycle",
    "algorithm": "force a pacing algorithm on the target",
    "goal": "override the target's optimizationGoal",
    "clear": "remove one of the target's controls",
}


def register(commands: Commands) -> None:
    """Add `pacing control …` and `pacing audit export`."""
    control = commands.add_parser("control", help="per-target controls (pause, cap, fixed, ...)")
    actions = control.add_subparsers(dest="control_command", required=True)
    for action, help_text in _HELP.items():
        parser = actions.add_parser(action, help=help_text)
        parser.add_argument("target", help='target id, e.g. "Proactive Chat - chat"')
        if action in _VALUES:
            name, value_help = _VALUES[action]
            parser.add_argument("value", metavar=name, help=value_help)
        parser.add_argument("--reason", required=True, help="why (stored in the audit trail)")
        parser.add_argument("--user", required=True, help="who is acting (your name)")
        if action not in ("resume", "clear"):
            parser.add_argument(
                "--for", dest="for_", default=None, help='lapse after this long, e.g. "30min"'
            )
        add_config_option(parser)
        parser.set_defaults(handler=_control, control_action=action)
    listing = actions.add_parser("list", help="the controls in force")
    add_config_option(listing)
    listing.set_defaults(handler=_list)

    audit = commands.add_parser("audit", help="the audit trail")
    audit_actions = audit.add_subparsers(dest="audit_command", required=True)
    export = audit_actions.add_parser("export", help="export the audit trail as CSV")
    _add_export_options(export)
    export.set_defaults(handler=_audit_export)

    alarms = commands.add_parser("alarms", help="the alarm history")
    alarm_actions = alarms.add_subparsers(dest="alarms_command", required=True)
    history = alarm_actions.add_parser("export", help="export every alarm transition as CSV")
    _add_export_options(history)
    history.set_defaults(handler=_alarms_export)


def _add_export_options(parser: argparse.ArgumentParser) -> None:
    """--config, the --since/--until range and --out of a CSV export command."""
    add_config_option(parser)
    parser.add_argument("--since", default=None, help="ISO-8601 start (inclusive, UTC default)")
    parser.add_argument("--until", default=None, help="ISO-8601 end (inclusive, UTC default)")
    parser.add_argument("--out", default="-", help="output file (default: standard output)")


def _control(args: argparse.Namespace) -> int:
    from node.controls import ControlRequest, apply_control
    from storage.db import connect

    config = load_cli_config(args)
    for_s = None
    if getattr(args, "for_", None) is not None:
        for_s = parse_duration_s(args.for_)
        if for_s is None or for_s <= 0:
            raise argparse.ArgumentTypeError(
                f'--for: "{args.for_}" — expected a duration such as "30min", "90s" or "2h"'
            )
    request = ControlRequest(
        target_id=args.target,
        action=args.control_action,
        reason=args.reason,
        value=getattr(args, "value", "") or "",
        for_s=for_s,
    )
    db = connect(config.node.database_path)
    try:
        message = apply_control(
            db,
            request,
            user=args.user,
            role="operator",
            now=time.time(),
            source="cli",
            known_targets=[target.target_id for target in config.targets],
        )
    except ControlError as error:
        sys.stderr.write(f"pacing control {args.control_action}: {error}\n")
        return EXIT_ERROR
    finally:
        db.close()
    sys.stdout.write(message + " (from the next cycle)\n")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    from storage.controls import load_controls
    from storage.db import connect_readonly

    config = load_cli_config(args)
    db = connect_readonly(config.node.database_path)
    try:
        controls = load_controls(db)
    finally:
        db.close()
    now = time.time()
    active = [control for control in controls if control.active_at(now)]
    if not active:
        sys.stdout.write("no controls in force\n")
    for control in active:
        since = datetime.fromtimestamp(control.set_at, tz=UTC).isoformat(timespec="seconds")
        sys.stdout.write(
            f"{control.target_id}\t{describe_control(control)}\tby {control.set_by} at {since}"
            f"\t{control.reason}\n"
        )
    return EXIT_OK


def _alarms_export(args: argparse.Namespace) -> int:
    from storage.alarms.export import export_alarm_history
    from storage.db import connect_readonly

    config = load_cli_config(args)
    since = parse_time(args.since, "--since") if args.since else None
    until = parse_time(args.until, "--until") if args.until else None
    db = connect_readonly(config.node.database_path)
    try:
        if args.out == "-":
            rows = export_alarm_history(db, sys.stdout, since, until)
        else:
            with Path(args.out).open("w", newline="", encoding="utf-8") as out:
                rows = export_alarm_history(db, out, since, until)
    finally:
        db.close()
    sys.stderr.write(f"exported {rows} alarm transitions\n")
    return EXIT_OK


def _audit_export(args: argparse.Namespace) -> int:
    from storage.audit import AuditFilter, export_audit
    from storage.db import connect_readonly

    config = load_cli_config(args)
    selection = AuditFilter(
        since=parse_time(args.since, "--since") if args.since else None,
        until=parse_time(args.until, "--until") if args.until else None,
    )
    db = connect_readonly(config.node.database_path)
    try:
        if args.out == "-":
            rows = export_audit(db, sys.stdout, selection)
        else:
            with Path(args.out).open("w", newline="", encoding="utf-8") as out:
                rows = export_audit(db, out, selection)
    finally:
        db.close()
    sys.stderr.write(f"exported {rows} audit rows\n")
    return EXIT_OK
