"""Which configuration the dashboard reads (no Streamlit here: /healthz uses it too)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from config import Config, load_config

DEFAULT_CONFIG = "pacing.toml"


def config_path() -> Path:
    """`PACING_CONFIG` if set, else `pacing.toml` beside the working folder."""
    return Path(os.environ.get("PACING_CONFIG") or DEFAULT_CONFIG).resolve()


def load_dashboard_config() -> Config:
    """The configuration, loaded again only when the file changes."""
    path = config_path()
    return _load(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=4)
def _load(path: Path, mtime_ns: int) -> Config:
    del mtime_ns  # part of the cache key only
    return load_config(path)
