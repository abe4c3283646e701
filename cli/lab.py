"""`pacing simulate` and `pacing bound`: the pacing lab on the command line (registered through
COMMAND_MODULES)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from config.compliance import ComplianceOptions
from domain.decisions import ALGORITHMS
from lab.bound import Centre, around_goal, best_at_goal
from lab.run import LabSummary, run_lab, summarise
from lab.scenario_file import LabScenario, LabScenarioError, load_lab_scenario

EXIT_OK, EXIT_USAGE = 0, 2
HEADER = (
    "scenario",
    "algorithm",
    "accepted",
    "abandoned",
    "abandon %",
    "95 % interval",
    "occupancy %",
    "invitations",
    "hours > goal %",
)


def register(commands: Any) -> None:
    """Add `simulate`."""
    simulate = commands.add_parser(
        "simulate", help="pacing lab: run scenarios with several algorithms on the same seeds"
    )
    simulate.add_argument(
        "--scenario",
        action="append",
        required=True,
        help="scenario file or folder of *.toml files; repeat for several",
    )
    simulate.add_argument(
        "--algorithm",
        default=",".join(ALGORITHMS),
        help=f"comma-separated algorithms (default {','.join(ALGORITHMS)})",
    )
    simulate.add_argument("--hours", type=float, default=8.0, help="simulated hours per run")
    simulate.add_argument("--seeds", type=int, default=5, help="seeds 1..N, the same for each")
    simulate.add_argument(
        "--markdown", action="store_true", help="print a markdown table (for docs)"
    )
    simulate.add_argument(
        "--budget-guard",
        choices=("off", "on", "both"),
        default="off",
        help="pace with the compliance budget guard ([compliance] defaults); both: one row each",
    )
    simulate.set_defaults(handler=run_simulate)
    bound = commands.add_parser(
        "bound",
        help="pacing lab: the best occupancy any pacer could reach on a small group (exact)",
    )
    defaults = Centre()
    for option, name, kind, meaning in (
        ("--slots", "slots", int, "single-chat slots"),
        ("--handle-s", "handle_s", float, "mean handle time (exponential), seconds"),
        ("--patience-s", "patience_s", float, "mean patience (exponential), seconds"),
        ("--acceptance", "acceptance", float, "chance an invitation is accepted"),
        ("--delay-s", "answer_delay_s", float, "mean delay of a yes and of a no, seconds"),
        ("--cycle-s", "cycle_s", float, "pacing cycle, seconds"),
    ):
        default = getattr(defaults, name)
        bound.add_argument(
            option, dest=name, type=kind, default=default, help=f"{meaning} (default {default})"
        )
    bound.add_argument("--goal", type=float, default=3.0, help="abandonment goal, % (default 3)")
    bound.set_defaults(handler=run_bound)


def scenario_paths(arguments: Sequence[str]) -> list[Path]:
    """Files named, and every *.toml in folders named, in a stable order."""
    paths: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        paths.extend(sorted(path.glob("*.toml")) if path.is_dir() else [path])
    return paths


def run_simulate(args: argparse.Namespace) -> int:
    algorithms = [name.strip() for name in args.algorithm.split(",") if name.strip()]
    unknown = [name for name in algorithms if name not in ALGORITHMS]
    if unknown or not algorithms:
        raise argparse.ArgumentTypeError(
            f"--algorithm: {args.algorithm!r} — expected a comma-separated list of "
            f"{', '.join(ALGORITHMS)}"
        )
    if args.hours <= 0 or args.seeds < 1:
        raise argparse.ArgumentTypeError("--hours must be positive and --seeds at least 1")
    try:
        scenarios = [load_lab_scenario(path) for path in scenario_paths(args.scenario)]
    except LabScenarioError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    rows = []
    guards = {"off": (None,), "on": (ComplianceOptions(),), "both": (None, ComplianceOptions())}
    for scenario in scenarios:
        for algorithm in algorithms:
            for guard in guards[args.budget_guard]:
                summary = simulate(scenario, algorithm, args.hours, args.seeds, guard)
                rows.append(format_row(scenario, summary))
                if not args.markdown:
                    sys.stdout.write(_plain([rows[-1]], header=len(rows) == 1))
                    sys.stdout.flush()
    if args.markdown:
        sys.stdout.write(_markdown(rows))
    return EXIT_OK


def run_bound(args: argparse.Namespace) -> int:
    """Bisect the price of an abandonment around the goal and print the policies found."""
    if args.slots > 12:
        raise argparse.ArgumentTypeError(
            f"--slots: {args.slots} — expected at most 12 (the exact answer grows with the "
            "cube of the states; larger groups are where the pacer's own model is closest)"
        )
    if not 0 < args.goal < 100:
        raise argparse.ArgumentTypeError(f"--goal: {args.goal} — expected a percentage in (0, 100)")
    try:
        centre = Centre(
            slots=args.slots,
            handle_s=args.handle_s,
            patience_s=args.patience_s,
            acceptance=args.acceptance,
            answer_delay_s=args.answer_delay_s,
            cycle_s=args.cycle_s,
        )
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    goal = args.goal / 100.0
    outcomes = around_goal(centre, goal)
    lines = ["price  occupancy %  abandon %  invitations/h  pending kept per free slots 0..n"]
    lines.extend(
        f"{outcome.price:<6.3g} {outcome.occupancy * 100:>11.2f} "
        f"{outcome.abandonment * 100:>10.2f} {outcome.invitations_per_hour:>14.1f}  "
        + " ".join(str(count) for count in outcome.pending_target)
        for outcome in outcomes
    )
    best = best_at_goal(outcomes, goal)
    if best is None:
        lines.append(f"no policy keeps abandonment at or under {args.goal:g} %")
    else:
        lines.append(f"best occupancy at or under {args.goal:g} % abandonment: {best * 100:.2f} %")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def simulate(
    scenario: LabScenario,
    algorithm: str,
    hours: float,
    seeds: int,
    budget_guard: ComplianceOptions | None = None,
) -> LabSummary:
    """One table row: `algorithm` on `scenario`, seeds 1..`seeds` (with or without the guard)."""
    return summarise(
        [run_lab(scenario, algorithm, seed, hours, budget_guard) for seed in range(1, seeds + 1)]
    )


def format_row(scenario: LabScenario, summary: LabSummary) -> tuple[str, ...]:
    return (
        scenario.name,
        summary.algorithm,
        str(summary.accepted),
        str(summary.abandoned),
        f"{summary.abandon_pct:.2f}",
        f"{summary.abandon_pct_low:.2f}–{summary.abandon_pct_high:.2f}",
        f"{summary.occupancy_pct:.1f}",
        str(summary.invitations),
        f"{summary.hours_above_goal_pct:.0f}",
    )


def _plain(rows: Sequence[tuple[str, ...]], header: bool) -> str:
    widths = (22, 26, 9, 9, 9, 13, 11, 11, 14)
    lines: list[tuple[str, ...]] = [HEADER] if header else []
    lines.extend(rows)
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        + "\n"
        for line in lines
    )


def _markdown(rows: Sequence[tuple[str, ...]]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines) + "\n"
