"""Which configuration the dashboard reads (no Streamlit here: /healthz uses it too)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from config import Config, load_config
from domain.phases import StartupTimings

DEFAULT_CONFIG = "pacing.toml"

# The configuration loaded last, by path and modification time: a 10,000-target file takes
# seconds to load, so the lifespan's load serves the first page and /healthz too, and two
# sessions arriving together wait for one load instead of making two.
_lock = threading.Lock()
_loaded: dict[tuple[Path, int], Config] = {}


def config_path() -> Path:
    """`PACING_CONFIG` if set, else `pacing.toml` beside the working folder."""
    return Path(os.environ.get("PACING_CONFIG") or DEFAULT_CONFIG).resolve()


def load_dashboard_config(*, timings: StartupTimings | None = None) -> Config:
    """The configuration, loaded again only when the file changes (`timings`: of that load)."""
    path = config_path()
    key = (path, path.stat().st_mtime_ns)
    with _lock:
        config = _loaded.get(key)
        if config is None:
            config = load_config(path, timings=timings)
            _loaded.clear()  # one configuration at a time: the old one is garbage
            _loaded[key] = config
        return config
