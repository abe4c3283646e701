"""A fake engagement platform and statistics server on loopback, driven by the simulator.

One `FakeRemote` serves, from one simulated contact centre (so the numbers agree):
`POST /oauth/token`, `POST /api/<targetEndpoint>` (bulk pacing, per GPE_CONTRACT.md) and
`GET /stats` (the statistics document of docs/http.md), plus a control API:
`GET /_fake/state`, `POST /_fake/faults` `{"name", "value", "times"}`, `DELETE /_fake/faults`.
Stdlib `ThreadingHTTPServer`; bind port 0 for a free port.
"""

from __future__ import annotations

import base64
import gzip
import json
import logging
import secrets
import ssl
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from engine.config import AgentGroup
from engine.fakes.documents import (
    bulk_answer,
    entity_answer,
    error_item,
    platform_error,
    stats_document,
)
from engine.fakes.faults import Switchboard, UnknownFaultError
from engine.model import PublishResult
from engine.simulator import ContactCentreSimulator, Scenario
from engine.targets import PacingTarget

log = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/token"
STATS_PATH = "/stats"
API_PREFIX = "/api/"


@dataclass(frozen=True, slots=True)
class FakeCredentials:
    client_id: str
    client_secret: str
    expires_in_s: int = 86399


@dataclass(slots=True)
class WireCounters:
    """What crossed the socket for bulk requests (headers included), for the benchmark."""

    bulk_requests: int = 0
    bulk_bytes_in: int = 0
    bulk_bytes_out: int = 0
    entities: int = 0
    token_requests: int = 0
    stats_requests: int = 0


class FakeRemote:
    """The fake servers' state: simulator, tokens, faults, counters; `start()` serves them."""

    def __init__(
        self,
        targets: Sequence[PacingTarget],
        agent_groups: Sequence[AgentGroup],
        scenario: Scenario,
        *,
        credentials: FakeCredentials | None = None,
        serve_platform: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.targets = tuple(targets)
        self.agent_groups = tuple(agent_groups)
        self.credentials = credentials
        self.serve_platform = serve_platform
        self.faults = Switchboard()
        self.counters = WireCounters()
        self.issued_tokens: set[str] = set()
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.simulator = ContactCentreSimulator(self.targets, scenario)
        self.epoch = time.time()
        self.speed = scenario.speed
        self._known = {target.target_id for target in self.targets}
        self.reset_base: dict[str, tuple[int, int, int]] = {}
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self.tls = tls is not None
        if tls is not None:
            # The handshake happens on the handler's thread at its first read, so a client
            # that refuses the certificate never blocks the accepting thread.
            self._server.socket = tls.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls else 'http'}://{host!s}:{port}"

    def start(self) -> FakeRemote:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-remote", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def set_fault(self, name: str, value: str | None = None, times: int | None = None) -> None:
        self.faults.set(name, value, times)

    def clear_faults(self) -> None:
        self.faults.clear()

    def sleep(self, seconds: float) -> None:
        """Wait, but give up at once when the server stops (so tests end quickly)."""
        self.stop_event.wait(seconds)

    # -- the simulated world ------------------------------------------------------------

    def simulated_s(self, now: float) -> float:
        return max(0.0, (now - self.epoch) * self.speed)

    def statistics_document(self) -> dict[str, Any]:
        now = time.time()
        with self.lock:
            statistics = self.simulator.read_statistics(self.simulated_s(now))
        return stats_document(self.targets, self.agent_groups, statistics, now)

    def publish(self, allowed: dict[str, int], interval_s: float) -> dict[str, PublishResult]:
        """Allowances for the simulator's own targets; others are not simulated."""
        known = {t: max(0, n) for t, n in allowed.items() if t in self._known}
        if not known:
            return {}
        with self.lock:
            return self.simulator.publish(
                known, max(interval_s, 0.001) * self.speed, self.simulated_s(time.time())
            )

    def check_basic_auth(self, header: str | None) -> bool:
        if self.credentials is None or not header or not header.startswith("Basic "):
            return False
        try:
            decoded = base64.b64decode(header[6:]).decode("utf-8")
        except ValueError:
            return False
        client_id, _, secret = decoded.partition(":")
        return secrets.compare_digest(
            f"{client_id}:{secret}",
            f"{self.credentials.client_id}:{self.credentials.client_secret}",
        )

    def issue_token(self) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.issued_tokens.add(token)
        return token

    def state(self) -> dict[str, Any]:
        counters = self.counters
        return {
            "faults": self.faults.snapshot(),
            "bulk_requests": counters.bulk_requests,
            "bulk_bytes_in": counters.bulk_bytes_in,
            "bulk_bytes_out": counters.bulk_bytes_out,
            "entities": counters.entities,
            "token_requests": counters.token_requests,
            "stats_requests": counters.stats_requests,
        }


def _handler_for(remote: FakeRemote) -> type[BaseHTTPRequestHandler]:
    from engine.fakes.routes import Routes

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "FakeRemote/1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            log.debug("fake %s - " + format, self.address_string(), *args)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            Routes(remote, self).get()

        def do_POST(self) -> None:  # noqa: N802
            Routes(remote, self).post()

        def do_DELETE(self) -> None:  # noqa: N802
            Routes(remote, self).delete()

    return Handler


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


__all__ = [
    "API_PREFIX",
    "STATS_PATH",
    "TOKEN_PATH",
    "FakeCredentials",
    "FakeRemote",
    "WireCounters",
    "answer",
    "bulk_answer",
    "entity_answer",
    "error_item",
    "platform_error",
    "read_body",
    "request_size",
]
