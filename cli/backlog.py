"""`pacing backlog enable|disable|status`, `pacing hive-off`, `pacing export --include-archive`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from cli.common import EXIT_OK, Commands, add_config_option, load_cli_config, parse_time


def register(commands: Commands) -> None:
    """Add the backlog and hive-off commands, and `--include-archive` to `pacing export`."""
    backlog = commands.add_parser("backlog", help="backlog processing switch and status")
    add_config_option(backlog)
    backlog.add_argument(
        "action",
        choices=("enable", "disable", "reset", "status"),
        help="enable/disable processing on every node at run time, reset to the config, status",
    )
    backlog.set_defaults(handler=_backlog)

    hive_off = commands.add_parser("hive-off", help="roll up, archive and purge old detail now")
    add_config_option(hive_off)
    hive_off.set_defaults(handler=_hive_off)

    export = commands.choices.get("export")
    if export is not None:
        export.add_argument(
            "--include-archive",
            action="store_true",
            help="also read the rows hive-off archived (they come first)",
        )
        export.set_defaults(handler=_export, core_export=export.get_default("handler"))


def _backlog(args: argparse.Namespace) -> int:
    from storage.backlog.control import write_processor_enabled
    from storage.backlog.folder import BacklogFolder
    from storage.backlog.reads import read_backlog_status
    from storage.db import connect

    config = load_cli_config(args)
    db = connect(config.node.database_path)
    try:
        if args.action != "status":
            choice = {"enable": True, "disable": False, "reset": None}[args.action]
            write_processor_enabled(db, choice, time.time())
        status = read_backlog_status(db)
    finally:
        db.close()
    usage = BacklogFolder(config.backlog.folder).usage()
    override = status.processor_enabled_override
    enabled = config.backlog.processor_enabled if override is None else override
    source = "configured" if override is None else "set at run time"
    sys.stdout.write(
        f"Backlog.Processor.Enabled: {str(enabled).lower()} ({source})\n"
        f"folder {config.backlog.folder}: {usage.used_bytes / 2**20:.1f} MB, "
        f"{usage.pending_items} waiting, {usage.processing_items} processing, "
        f"{usage.failed_items} failed\n"
    )
    return EXIT_OK


def _hive_off(args: argparse.Namespace) -> int:
    from node.recording import hive_off_settings
    from storage.hive_off import run_hive_off

    config = load_cli_config(args)
    report = run_hive_off(hive_off_settings(config))
    sys.stdout.write(
        f"hive-off {report.run_id}: {report.rows_archived} rows archived in "
        f"{report.archive_files} files, {report.cycles_purged} cycles purged, "
        f"{report.minutes_rolled} minute rollups, {report.pages_freed} pages freed, "
        f"{report.duration_s:.1f} s\n"
    )
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    if not args.include_archive:
        return int(args.core_export(args))
    from storage.db import connect_readonly
    from storage.hive_off import export_with_archive

    config = load_cli_config(args)
    since = parse_time(args.since, "--since") if args.since else None
    until = parse_time(args.until, "--until") if args.until else None
    columns = [c.strip() for c in args.columns.split(",")] if args.columns else None
    db = connect_readonly(config.node.database_path)
    archive = config.backlog.archive_folder
    try:
        if args.out == "-":
            rows = export_with_archive(db, sys.stdout, archive, since, until, args.target, columns)
        else:
            with Path(args.out).open("w", newline="", encoding="utf-8") as out:
                rows = export_with_archive(db, out, archive, since, until, args.target, columns)
    finally:
        db.close()
    sys.stderr.write(f"exported {rows} rows\n")
    return EXIT_OK
