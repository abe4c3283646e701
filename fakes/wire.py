"""What the fake servers put on the wire: their paths, reading a request, writing an answer."""

from __future__ import annotations

import gzip
import json
import uuid
from http.server import BaseHTTPRequestHandler
from typing import Any

from fakes.faults import UnknownFaultError

TOKEN_PATH = "/oauth/token"
STATS_PATH = "/stats"
API_PREFIX = "/api/"


def read_body(handler: BaseHTTPRequestHandler) -> tuple[int, bytes]:
    """(bytes on the wire, decoded body); a gzip body is decompressed."""
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length else b""
    if handler.headers.get("Content-Encoding", "").lower() == "gzip":
        return length, gzip.decompress(body)
    return length, body


def answer(
    handler: BaseHTTPRequestHandler,
    status: int,
    payload: Any,
    *,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> int:
    """Send a JSON (or raw) answer; returns the bytes written, headers included."""
    body = raw if raw is not None else json.dumps(payload, separators=(",", ":")).encode()
    extra = dict(headers or {})
    if len(body) > 1024 and "gzip" in handler.headers.get("Accept-Encoding", ""):
        body = gzip.compress(body, compresslevel=6)
        extra["Content-Encoding"] = "gzip"
    handler.send_response(status)
    sent = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    sent += list(extra.items())
    sent.append(("inin-correlation-id", str(uuid.uuid4())))
    for name, value in sent:
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)
    head = len(f"HTTP/1.1 {status} X\r\n") + sum(len(n) + len(v) + 4 for n, v in sent) + 2
    return head + len(body)


def request_size(handler: BaseHTTPRequestHandler, body_bytes: int) -> int:
    return len(handler.requestline) + 2 + len(bytes(handler.headers)) + body_bytes


def bad_fault(handler: BaseHTTPRequestHandler, error: UnknownFaultError) -> None:
    answer(handler, 400, {"message": str(error), "code": "bad.request", "status": 400})
