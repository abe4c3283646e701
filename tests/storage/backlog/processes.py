"""Starting and killing the child processes of tests/storage/backlog/child.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.support import ROOT


def start_child(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.storage.backlog.child", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def kill_9(child: subprocess.Popen[str]) -> str:
    """SIGKILL the child (by its own pid), wait for it, return what it printed."""
    os.kill(child.pid, signal.SIGKILL)
    out, _ = child.communicate(timeout=30)
    return out


def acknowledged(out: str) -> list[int]:
    """Item numbers the child acknowledged (a line cut by the kill does not count)."""
    complete_lines = out.split("\n")[:-1]
    return [int(line.split()[1]) for line in complete_lines if line.startswith("ack ")]
