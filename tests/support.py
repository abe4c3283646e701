"""Helpers shared by test packages: the shipped config, a hand-moved clock, waiting."""

from __future__ import annotations

import json
import math
import os
import re
import resource
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from config import Config, parse_config
from node.build import build_node
from node.node import Node

ROOT = Path(__file__).resolve().parents[1]


def shipped_raw() -> dict[str, Any]:
    """The shipped example pacing.toml as the parser's input: a fresh copy to change."""
    return tomllib.loads((ROOT / "pacing.toml").read_text(encoding="utf-8"))


def shipped_config(folder: Path, **sections: dict[str, Any]) -> Config:
    """The shipped example, its database in `folder`, with these options of its sections
    changed: `shipped_config(tmp_path, pacing={"refreshPeriod": 0.2})`."""
    raw = shipped_raw()
    raw["node"]["database"] = str(folder / "pacing.db")
    for section, options in sections.items():
        raw.setdefault(section, {}).update(options)
    return parse_config(raw, source="test", base_dir=folder)


def ran_headless(config: Config, cycles: int, **ports: Any) -> Node:
    """A headless node of `config` (with these ports or clock) that ran `cycles` cycles back
    to back and stopped: what it recorded is in its database."""
    node = build_node(config, mode="headless", **ports)
    try:
        for _ in range(cycles):
            node.run_once()
    finally:
        node.stop()
    return node


def write_test_config(folder: Path, refresh_period_s: float = 1.0) -> tuple[Path, Path]:
    """The shipped example, pointed at a private database and a short refresh period."""
    text = (ROOT / "pacing.toml").read_text(encoding="utf-8")
    database = folder / "pacing.db"
    text, replaced_db = re.subn(
        r'(?m)^database\s*=\s*".*"', f'database = "{database.as_posix()}"', text
    )
    text, replaced_period = re.subn(
        r"(?m)^refreshPeriod\s*=\s*[0-9.]+", f"refreshPeriod = {refresh_period_s}", text
    )
    assert replaced_db == 1 and replaced_period == 1, "pacing.toml layout changed"
    config = folder / "pacing.toml"
    config.write_text(text, encoding="utf-8")
    return config, database


class Clock:
    """An injected clock the test moves by hand."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def eventually(check: Callable[[], bool], within_s: float = 20.0) -> bool:
    """Whether `check()` comes true within `within_s`: for what a background thread does.

    The limit is generous and only reached on failure, so a slow machine passes, only slower.
    """
    give_up = time.monotonic() + within_s
    while time.monotonic() < give_up:
        if check():
            return True
        time.sleep(0.05)
    return check()


# Under an address-space cap, threads must not each reserve a 64 MB malloc arena, nor BLAS its
# per-thread buffers: a node then needs about 500 MB of address space, most of it unused.
_FEW_RESERVATIONS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MALLOC_ARENA_MAX": "2"}


def run_with_memory_limit(
    code: str, limit_mb: int, timeout_s: float = 120.0
) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter whose address space is capped at `limit_mb` MB.

    The proof that an input cannot blow memory: the child dies with MemoryError instead of
    growing past the cap. numpy's BLAS gets one thread (each thread reserves address space).
    """
    limit_bytes = limit_mb * 2**20

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    env = {**os.environ, **_FEW_RESERVATIONS}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        preexec_fn=cap,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )


def pacing_cli(
    *args: str,
    cwd: Path = ROOT,
    env: dict[str, str] | None = None,
    memory_limit_mb: int | None = None,
    timeout_s: float = 180.0,
) -> subprocess.CompletedProcess[str]:
    """`pacing ARGS` as a real process; with `memory_limit_mb`, its address space is capped."""
    limit_bytes = (memory_limit_mb or 0) * 2**20

    def cap() -> None:
        if limit_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        preexec_fn=cap,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **_FEW_RESERVATIONS, **(env or {})},
        check=False,
    )


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, int | str):
        return json.dumps(value) if isinstance(value, str) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_table(name: str, table: dict[str, Any], array: bool = False) -> str:
    header = f"[[{name}]]" if array else f"[{name}]"
    lines = [header, *(f"{json.dumps(key)} = {toml_value(value)}" for key, value in table.items())]
    return "\n".join(lines) + "\n"


def write_toml(path: Path, raw: dict[str, Any]) -> Path:
    """Write a configuration dict (as `shipped_raw` returns) back as a TOML file."""
    scalars = {k: v for k, v in raw.items() if not isinstance(v, dict | list)}
    text = "".join(f"{json.dumps(k)} = {toml_value(v)}\n" for k, v in scalars.items())
    for name, value in raw.items():
        if isinstance(value, dict):
            text += toml_table(name, value)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            text += "".join(toml_table(name, item, array=True) for item in value)
        elif isinstance(value, list):
            text = f"{json.dumps(name)} = {toml_value(value)}\n" + text
    path.write_text(text, encoding="utf-8")
    return path
