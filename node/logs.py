"""Logging set-up from the `[log]` section: level, optional file, text or JSON lines."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from logging.handlers import WatchedFileHandler

from config.options import LogOptions

_HANDLER_NAME = "pacing-watch"


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


class CurrentStderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at each record, like logging's last-resort handler.

    A handler that kept the stream it was built with would write into a closed file once the
    process swapped stderr (test capture, daemonisation) while a thread was still logging.
    """

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


# The top-level package of every module that logs (a logger is named after its module).
PROJECT_LOGGERS = (
    "domain",
    "config",
    "pacing",
    "alarms",
    "simulator",
    "storage",
    "connectors",
    "fakes",
    "lab",
    "node",
    "cli",
    "dashboard",
    "views",
)


def configure_logging(options: LogOptions) -> None:
    """Install our one handler on the project's loggers; calling it again replaces it."""
    if options.file is not None:
        options.file.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = WatchedFileHandler(options.file, encoding="utf-8")
    else:
        handler = CurrentStderrHandler()
    handler.set_name(_HANDLER_NAME)
    if options.format == "json":
        handler.setFormatter(JsonLineFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in PROJECT_LOGGERS:
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
            logger.removeHandler(old)
            old.close()
        logger.addHandler(handler)
        logger.setLevel(options.level)
        logger.propagate = False
