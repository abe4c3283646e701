"""The HTTP statistics source (schema and options in docs/http.md)."""

from connectors.http_stats.counters import CounterTrack, continue_counter
from connectors.http_stats.document import DocumentError, ParsedDocument, parse_document
from connectors.http_stats.source import (
    HttpStatSource,
    StatisticsUnavailableError,
    StatSourceSettings,
)

__all__ = [
    "CounterTrack",
    "DocumentError",
    "HttpStatSource",
    "ParsedDocument",
    "StatSourceSettings",
    "StatisticsUnavailableError",
    "continue_counter",
    "parse_document",
]
