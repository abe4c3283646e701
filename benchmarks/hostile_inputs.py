"""Worst cases of hostile input, measured: time and peak memory of each, in a fresh process.

Prints figures and asserts nothing (tests guarantee the limits structurally; this shows what
they cost on this machine). Each case runs in its own interpreter, so its peak RSS is its own:

    .venv/bin/python benchmarks/hostile_inputs.py

Cases: configuration files (the issue's hostile ones, the largest files the limits allow, and a
2,000-target configuration), statistics documents (the largest body read, a gzip bomb, deep
nesting) through the real exchange and parser, and the pacer fed absurd figures.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from config.limits import MAX_AGENT_COUNT, MAX_AGENTS

ROOT = Path(__file__).resolve().parents[1]

SETUP = f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"


def measure(label: str, code: str) -> None:
    """Run `code` in a fresh interpreter; print its wall time, peak RSS and outcome.

    The peak is the child's own high-water mark (VmHWM, polled): `ru_maxrss` would include
    the memory of this process at the fork. The outcome is the child's last `=>` line.
    """
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        child = subprocess.Popen(
            [sys.executable, "-c", SETUP + code],
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
        )
        peak_kb = 0
        while child.poll() is None:
            peak_kb = max(peak_kb, _high_water_kb(child.pid))
            time.sleep(0.01)
        wall_s = time.perf_counter() - started
        output.seek(0)
        lines = output.read().decode(errors="replace").splitlines()
    outcome = next((line[3:] for line in reversed(lines) if line.startswith("=> ")), "?")
    print(f"{label:<58} {wall_s:6.2f} s {peak_kb / 1024:6.0f} MB  {outcome[:80]}")


def _high_water_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def config_case(label: str, text: str | bytes, folder: Path) -> None:
    path = folder / f"{abs(hash(label))}.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    measure(
        f"config: {label}",
        "from config import ConfigError, load_config\n"
        f"try:\n    c = load_config({str(path)!r}); print('=>', len(c.targets), 'targets')\n"
        "except ConfigError as e:\n    print('=>', str(e).splitlines()[-1].split(': ', 1)[-1])",
    )


def big_config(targets: int) -> str:
    parts = []
    for i in range(targets):
        names = ", ".join(f'"a{i}-{k:02d}"' for k in range(1, 6))
        parts.append(
            f'[[virtual_queues]]\nname = "VQ {i:06d}"\nnumber = "{100000 + i}"\n'
            f'[virtual_queues.pacing]\nmedia = "chat"\n[[agents]]\nname = "a{i}"\ncount = 5\n'
            f'[[agent_groups]]\nname = "G {i:06d}"\nagents = [{names}]\n'
            f'capacity = {{ chat = 3 }}\norigination_dns = ["{100000 + i}"]\n'
        )
    return "".join(parts)


def config_cases(folder: Path) -> None:
    config_case("import only (baseline)", "", folder)
    config_case("arrays 5,000 deep", "x = " + "[" * 5000 + "]" * 5000, folder)
    config_case("agents count = 10**9", '[[agents]]\nname = "a"\ncount = 1000000000\n', folder)
    entries = MAX_AGENTS // MAX_AGENT_COUNT
    roster = "".join(
        f'[[agents]]\nname = "a{i}"\ncount = {MAX_AGENT_COUNT}\n' for i in range(entries)
    )
    config_case(f"the largest roster allowed ({MAX_AGENTS:,} agents)", roster, folder)
    tables = 1_500_000  # the most tables a file may have
    config_case(f"{tables:,} one-key tables", b"[[x]]\na = 1\n" * tables, folder)
    config_case("60 MiB of one-key tables", b"[[x]]\na = 1\n" * (60 * 2**20 // 12), folder)
    config_case("3,000,000 values in one table", _values(3_000_000), folder)
    config_case("an array of 4,000,000 items", b"x = [" + b"1," * 3_999_999 + b"1]\n", folder)
    config_case("60 MiB of 16-deep dotted keys", _dotted(60 * 2**20), folder)
    config_case("a 60 MiB string", b'x = "' + b"y" * (60 * 2**20) + b'"\n', folder)
    config_case("2,000 targets (derivation is quadratic until issue 14)", big_config(2_000), folder)


def _values(count: int) -> bytes:
    return "".join(f"k{index} = 1\n" for index in range(count)).encode()


def _dotted(size: int) -> bytes:
    line_no, parts, total = 0, [], 0
    while total < size:
        line = f"k{line_no}" + ".a" * 15 + " = 1\n"
        parts.append(line)
        total += len(line)
        line_no += 1
    return "".join(parts).encode()


STATISTICS = """
import gzip, json, time, zlib
from connectors.http_exchange import Exchanger, ExchangeError
from connectors.http_stats.document import parse_document, DocumentError
from connectors.http_stats.source import body_limit_bytes
from tests.scripted_server import ScriptedServer, Reply, gzip_bomb, padded_stream, stats_doc
{setup}
exchanger = Exchanger()
with ScriptedServer(lambda *_: reply) as server:
    try:
        answer = exchanger.exchange("GET", server.url, limit_s=60, max_body_bytes=limit)
        parse_document(answer.content, [])
        print("=> read and parsed", len(answer.content), "bytes")
    except (ExchangeError, DocumentError) as error:
        print("=>", str(error)[:80])
exchanger.close()
"""


def statistics_cases() -> None:
    limit = "limit = body_limit_bytes(3)"
    cases = {
        "stats: 200 MB document (limit 8 MiB + 3 KiB)": f"{limit}\nreply = padded_stream(200)",
        "stats: gzip bomb, 1 GB decoded": f"{limit}\nreply = gzip_bomb(1024)",
        "stats: nested 100,000 deep": (
            f"{limit}\nreply = Reply(200, b'[' * 100000 + b']' * 100000)"
        ),
        "stats: a document just under the limit": (f"{limit}\nreply = padded_stream(7)"),
        "stats: 100,000 targets' limit (106 MB), 100 MB body": (
            "limit = body_limit_bytes(100_000)\nreply = padded_stream(100)"
        ),
    }
    for label, setup in cases.items():
        measure(label, STATISTICS.format(setup=setup))


PACER = """
from dataclasses import replace
from tests.pacing.test_pacing_bounds import ABSURD, BASE
from pacing import Pacer
for algorithm in ("predictive", "progressive", "adaptive"):
    pacer = Pacer(algorithm=algorithm)
    snapshots = [replace(BASE, **figures) for figures in ABSURD.values()]
    for cycle in range(3):
        decided = pacer.decide(snapshots, 5.0 * cycle)
print("=> allowed at most", max(d.allowed_invitations for d in decided))
"""


def main() -> None:
    print(f"{'case':<58} {'wall':>8} {'peak RSS':>9}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        config_cases(Path(folder))
    statistics_cases()
    measure("pacer: every absurd figure, 3 algorithms, 3 cycles", PACER)


if __name__ == "__main__":
    main()
