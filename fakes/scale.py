"""Configurations and statistics documents of any size, for scale tests and benchmarks.

`scale_config_text(n)` writes a complete `pacing.toml` for `n` virtual queues, each paced and
served by its own agent group of 1-50 slots (chat and voice alternate, as a real centre mixes
them). `scale_stats_document(...)` builds the statistics document (schema in docs/http.md) a
statistics server would answer for those targets: plausible, deterministic for a seed and a
cycle number, with running totals that only grow. Both are pure text/dict builders: the
benchmarks and tests decide where to serve them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from domain.targets import PacingTarget

__all__ = ["scale_config_text", "scale_group_name", "scale_stats_document", "scale_vq_number"]

_MEDIA = ("chat", "voice")
_HANDLE_S = {"chat": 180.0, "voice": 240.0}


def scale_vq_number(index: int) -> str:
    """The number (and alias) of the `index`-th generated virtual queue."""
    return f"{1_000_000 + index}"


def scale_group_name(index: int) -> str:
    """The name of the agent group serving the `index`-th generated virtual queue."""
    return f"Group {index:06d}"


def _slots(index: int, seed: int) -> tuple[str, int, int]:
    """(media, agents, slots per agent) of the `index`-th target: 1-50 slots in all."""
    rng = random.Random(seed * 1_000_003 + index)
    media = _MEDIA[index % 2]
    per_agent = rng.choice((1, 2, 3)) if media == "chat" else 1
    agents = rng.randint(1, 50 // per_agent)
    return media, agents, per_agent


def scale_config_text(
    n: int,
    *,
    seed: int = 1,
    database: str = "data/scale.db",
    backlog_folder: str = "data/scale-backlog",
    refresh_period_s: float = 5.0,
    stats_url: str | None = None,
    gpe_url: str | None = None,
    client_secret_env: str = "PACING_CLIENT_SECRET",
) -> str:
    """A `pacing.toml` for `n` paced virtual queues, each served by its own agent group.

    With `stats_url` the statistics come over HTTP from that URL; with `gpe_url` (the fake
    engagement platform's root, e.g. ``http://127.0.0.1:8700``) invitations are published over
    HTTP with OAuth, the client secret read from `client_secret_env`. Without them the built-in
    simulator plays both parts.
    """
    if n < 1:
        raise ValueError(f"n: {n} — expected at least one target")
    parts = [
        "[node]",
        'node_id = "scale-node"',
        f'database = "{database}"',
        "",
        "[pacing]",
        f"refreshPeriod = {refresh_period_s}",
        "optimizationGoal = 3",
        "",
        "[Backlog]",
        f'folder = "{backlog_folder}"',
        "",
    ]
    if stats_url is not None:
        parts += ["[stat_source]", 'kind = "http"', f'url = "{stats_url}"', ""]
    if gpe_url is not None:
        root = gpe_url.rstrip("/")
        parts += [
            "[hybrid_integration]",
            f'base_auth_url = "{root}/oauth/token"',
            f'base_service_url = "{root}/api/"',
            'client_id = "pacing-scale"',
            f'client_secret_env = "{client_secret_env}"',
            "",
            "[publisher]",
            'kind = "http"',
            "",
        ]
    for index in range(n):
        number = scale_vq_number(index)
        media, _, _ = _slots(index, seed)
        parts += [
            "[[virtual_queues]]",
            f'name = "VQ {index:06d}"',
            f'number = "{number}"',
            f'alias = "{number}"',
            "[virtual_queues.pacing]",
            f'media = "{media}"',
            "",
        ]
    for index in range(n):
        media, agents, per_agent = _slots(index, seed)
        prefix = f"a{index:06d}"
        parts += [
            "[[agents]]",
            f'name = "{prefix}"',
            f"count = {agents}",
            "",
            "[[agent_groups]]",
            f'name = "{scale_group_name(index)}"',
            f"agents = [{', '.join(_member_names(prefix, agents))}]",
            f"capacity = {{ {media} = {per_agent} }}",
            f'origination_dns = ["{scale_vq_number(index)}"]',
            "",
        ]
    return "\n".join(parts)


def _member_names(prefix: str, count: int) -> list[str]:
    """The names `count = N` gives: prefix-01..prefix-NN (at least two digits)."""
    width = max(2, len(str(count)))
    return [f'"{prefix}-{i:0{width}d}"' for i in range(1, count + 1)]


def scale_stats_document(
    targets: Sequence[PacingTarget],
    *,
    cycle: int,
    generated_at: float,
    seed: int = 1,
) -> dict[str, Any]:
    """What a statistics server answers at `cycle` for `targets` (one group per target).

    Each target's group is the one `scale_config_text` made for it; figures vary with the
    cycle but running totals (accepted, abandoned, reactive arrivals) never decrease.
    """
    queues: dict[str, dict[str, Any]] = {}
    groups: dict[str, dict[str, dict[str, Any]]] = {}
    for target in targets:
        index = int(target.vq_number) - 1_000_000
        rng = random.Random((seed * 1_000_003 + index) * 7_919 + cycle)
        slots = sum(agent.slots for agent in target.agents)
        busy = rng.randint(0, slots)
        accepted = cycle * (1 + index % 3)
        queues[target.vq_number] = {
            "current": rng.randint(0, 3),
            "accepted": accepted,
            "abandoned": accepted // 40,
            "reactive_arrivals": cycle,
        }
        for group in target.groups:
            groups[group] = {
                target.media: {
                    "logged_in": slots,
                    "ready": slots - busy,
                    "busy": busy,
                    "handle_time_avg_s": _HANDLE_S.get(target.media, 200.0),
                }
            }
    return {"generated_at": generated_at, "virtual_queues": queues, "agent_groups": groups}
