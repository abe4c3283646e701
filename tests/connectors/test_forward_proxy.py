"""`[forward-proxy]` routes the platform traffic through a real HTTP proxy on loopback."""

from __future__ import annotations

import base64
import http.client
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from config.reader import TableReader
from config.secrets import read_forward_proxy
from fakes import FakeRemote

from .conftest import http_config, http_node

PROXY_PASSWORD_ENV = "PACING_TEST_PROXY_PASSWORD"


class ForwardingProxy(BaseHTTPRequestHandler):
    """Forwards absolute-URI requests and remembers what it saw."""

    seen: list[tuple[str, str]] = []
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_POST(self) -> None:  # noqa: N802
        target = urlsplit(self.path)
        self.seen.append((self.path, self.headers.get("Proxy-Authorization", "")))
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if not k.lower().startswith("proxy-")}
        upstream = http.client.HTTPConnection(target.hostname or "", target.port or 80)
        upstream.request("POST", target.path, body=body, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in {"transfer-encoding", "connection"}:
                self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
        upstream.close()


@pytest.fixture
def proxy() -> Iterator[ThreadingHTTPServer]:
    ForwardingProxy.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), ForwardingProxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_platform_requests_go_through_the_configured_proxy_with_its_credentials(
    tmp_path: Path, remote: FakeRemote, proxy: ThreadingHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROXY_PASSWORD_ENV, "proxy-pw")
    config = http_config(tmp_path, remote)
    raw_proxy = {
        "enabled": True,
        "host": "127.0.0.1",
        "port": proxy.server_address[1],
        "user": "pacer",
        "password_env": PROXY_PASSWORD_ENV,
    }
    problems: list[str] = []
    options = read_forward_proxy(TableReader(raw_proxy, "forward-proxy", problems), None)
    assert problems == []
    node = http_node(replace(config, forward_proxy=options))
    assert node.cycle().cycle.error is None
    paths = [path for path, _ in ForwardingProxy.seen]
    assert f"{remote.url}/oauth/token" in paths
    assert any(path.startswith(f"{remote.url}/api/") for path in paths)
    expected = "Basic " + base64.b64encode(b"pacer:proxy-pw").decode()
    assert {auth for _, auth in ForwardingProxy.seen} == {expected}
