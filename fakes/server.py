"""A fake engagement platform and statistics server on loopback, driven by the simulator.

One `FakeRemote` serves, from one simulated contact centre (so the numbers agree):
`POST /oauth/token`, `POST /api/<targetEndpoint>` (bulk pacing, per GPE_CONTRACT.md) and
`GET /stats` (the statistics document of docs/http.md), plus a control API:
`GET /_fake/state`, `POST /_fake/faults` `{"name", "value", "times"}`, `DELETE /_fake/faults`.
Stdlib `ThreadingHTTPServer`; bind port 0 for a free port.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Sequence
from http.server import ThreadingHTTPServer

from config import AgentGroup
from config.simulator import Scenario
from domain.targets import PacingTarget
from fakes.remote import FakeCredentials, RemoteState
from fakes.routes import handler_for


class FakeRemote(RemoteState):
    """A fake world served over HTTP(S) on loopback; `start()` serves it on its own thread."""

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
        super().__init__(
            targets, agent_groups, scenario, credentials=credentials, serve_platform=serve_platform
        )
        self._server = ThreadingHTTPServer((host, port), handler_for(self))
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


__all__ = ["FakeCredentials", "FakeRemote"]
