"""`pacing user add|list|remove`: manage the dashboard's local users file.

The file is `[dashboard] users_file` of the configuration (default `data/users.json` beside it).
Passwords are read from the terminal (twice) or, with `--password-stdin`, from one line of
standard input; they are never taken from the command line, where `ps` would show them.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from cli.common import EXIT_ERROR, EXIT_OK, Commands, add_config_option, load_cli_config
from dashboard.user_changes import add_user_audited, remove_user_audited
from dashboard.users import ROLES, UsersFileError, load_users


def register(commands: Commands) -> None:
    """Add `pacing user …`."""
    user = commands.add_parser("user", help="manage dashboard users (local sign-in)")
    actions = user.add_subparsers(dest="user_command", required=True)

    add = actions.add_parser("add", help="add a user (or change one with --replace)")
    add.add_argument("name", help="user name (letters, digits, . _ @ -)")
    add.add_argument("--role", required=True, choices=ROLES, help="viewer or operator")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--replace", action="store_true", help="change an existing user")
    add_config_option(add)
    add.set_defaults(handler=_add)

    listing = actions.add_parser("list", help="list users and roles")
    add_config_option(listing)
    listing.set_defaults(handler=_list)

    remove = actions.add_parser("remove", help="remove a user")
    remove.add_argument("name")
    add_config_option(remove)
    remove.set_defaults(handler=_remove)


def _users_file(args: argparse.Namespace) -> Path:
    return load_cli_config(args).dashboard.users_file


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("password: ")
    if getpass.getpass("password again: ") != first:
        raise UsersFileError("the two passwords differ — type the same password twice")
    return first


def _system_user() -> str:
    """Who runs the command (the audit trail's `who` for user changes from the CLI)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _add(args: argparse.Namespace) -> int:
    config = load_cli_config(args)
    path = config.dashboard.users_file
    try:
        note = add_user_audited(
            path,
            config.node.database_path,
            args.name,
            args.role,
            _read_password(args.password_stdin),
            replace=args.replace,
            who=_system_user(),
            source="cli",
        )
    except UsersFileError as error:
        sys.stderr.write(f"pacing user add: {error}\n")
        return EXIT_ERROR
    sys.stderr.write(f"user {args.name} ({args.role}) saved in {path}\n")
    if note:
        sys.stderr.write(f"pacing user add: {note}\n")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    path = _users_file(args)
    try:
        users = load_users(path)
    except UsersFileError as error:
        sys.stderr.write(f"pacing user list: {error}\n")
        return EXIT_ERROR
    for user in users.values():
        sys.stdout.write(f"{user.name}\t{user.role}\n")
    if not users:
        sys.stderr.write(f"no users in {path}: the dashboard runs without sign-in\n")
    return EXIT_OK


def _remove(args: argparse.Namespace) -> int:
    config = load_cli_config(args)
    path = config.dashboard.users_file
    try:
        note = remove_user_audited(
            path, config.node.database_path, args.name, who=_system_user(), source="cli"
        )
    except UsersFileError as error:
        sys.stderr.write(f"pacing user remove: {error}\n")
        return EXIT_ERROR
    sys.stderr.write(f"user {args.name} removed from {path}\n")
    if note:
        sys.stderr.write(f"pacing user remove: {note}\n")
    return EXIT_OK
