"""A real loopback HTTP server whose every answer a test scripts: hostile servers on demand.

`ScriptedServer(script)` calls `script(method, path, n, body)` for the n-th request (0-based)
and sends the `Reply` it returns: a plain body, a body streamed from an iterator (hundreds of
MB without holding them), a body or a whole raw response (status line and headers too) sent a
few bytes at a time, with a pause between pieces. `stop()` ends every trickle at once.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VQ_NUMBER = "7001"
GROUP = "Chat Team"
TARGET = "Proactive Chat - chat"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stream: Callable[[], Iterable[bytes]] | None = None  # body pieces, sent as they come
    length: int | None = None  # Content-Length of a streamed body
    trickle_every_s: float = 0.0  # > 0: send the body (or raw response) a byte at a time
    raw: bool = False  # body is the whole HTTP response, head included


Script = Callable[[str, str, int, bytes], Reply]


class ScriptedServer:
    """A threading HTTP server on 127.0.0.1 answering what `script` says."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[tuple[str, str]] = []
        self.trickles_finished = 0  # trickles that sent their whole body
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: Any) -> None:
                pass

            def _handle(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.headers.get("Content-Encoding", "") == "gzip":
                    body = gzip.decompress(body)
                with server._lock:
                    n = len(server.requests)
                    server.requests.append((method, self.path))
                reply = server.script(method, self.path, n, body)
                try:
                    self._send(reply)
                except OSError:
                    self.close_connection = True  # the client gave up: expected here

            def _send(self, reply: Reply) -> None:
                if reply.raw:
                    self._trickle(reply.body, reply.trickle_every_s)
                    return
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                size = reply.length if reply.stream is not None else len(reply.body)
                headers.setdefault("Content-Length", str(size))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                if reply.stream is not None:
                    for piece in reply.stream():
                        if server.stopping.is_set():
                            break
                        self.wfile.write(piece)
                elif reply.trickle_every_s > 0:
                    self._trickle(reply.body, reply.trickle_every_s)
                else:
                    self.wfile.write(reply.body)

            def _trickle(self, data: bytes, every_s: float) -> None:
                self.close_connection = True
                for index in range(len(data)):
                    if server.stopping.wait(every_s):
                        return
                    self.wfile.write(data[index : index + 1])
                    self.wfile.flush()
                with server._lock:
                    server.trickles_finished += 1

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._handle("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._handle("POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> ScriptedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def count(self, path_part: str) -> int:
        with self._lock:
            return sum(1 for _, path in self.requests if path_part in path)


def stats_doc(
    *,
    logged_in: Any = 18,
    ready: Any = 6,
    busy: Any = 12,
    current: Any = 1,
    accepted: Any = 120,
    abandoned: Any = 3,
    generated_at: Any = "now",
) -> dict[str, Any]:
    """A statistics document for the one-target configuration of `one_target_config`."""
    doc: dict[str, Any] = {
        "virtual_queues": {
            VQ_NUMBER: {"current": current, "accepted": accepted, "abandoned": abandoned}
        },
        "agent_groups": {
            GROUP: {
                "chat": {
                    "logged_in": logged_in,
                    "ready": ready,
                    "busy": busy,
                    "handle_time_avg_s": 180.0,
                }
            }
        },
    }
    if generated_at == "now":
        doc["generated_at"] = time.time()
    elif generated_at is not None:
        doc["generated_at"] = generated_at
    return doc


def json_reply(doc: Any, status: int = 200, **kwargs: Any) -> Reply:
    return Reply(status, json.dumps(doc).encode(), **kwargs)


def trickling(body: bytes, *, head_too: bool = False, every_s: float = 0.2) -> Reply:
    """An answer sent one byte every `every_s` (head included when `head_too`)."""
    if head_too:
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}"
        return Reply(body=head.encode() + b"\r\n\r\n" + body, raw=True, trickle_every_s=every_s)
    return Reply(200, body, trickle_every_s=every_s)


def padded_stream(megabytes: int) -> Reply:
    """A valid-looking document padded to `megabytes` MB, streamed a megabyte at a time."""
    head = json.dumps(stats_doc()).encode()[:-1] + b', "padding": "'
    block = b"x" * 2**20

    def pieces() -> Iterator[bytes]:
        yield head
        for _ in range(megabytes):
            yield block
        yield b'"}'

    return Reply(200, stream=pieces, length=len(head) + megabytes * 2**20 + 2)


def gzip_bomb(decoded_mb: int) -> Reply:
    """A gzip body of about 1 MB per GB that decodes to a `decoded_mb` MB document."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    parts = [packer.compress(json.dumps(stats_doc()).encode()[:-1] + b', "padding": "')]
    zeros = b"0" * 2**20
    parts.extend(packer.compress(zeros) for _ in range(decoded_mb))
    parts.append(packer.compress(b'"}') + packer.flush())
    return Reply(200, b"".join(parts), headers={"Content-Encoding": "gzip"})


def token_reply() -> Reply:
    return json_reply({"access_token": "tok", "token_type": "bearer", "expires_in": 86399})


def bulk_answer(body: bytes, pending: Any = 0) -> Reply:
    """A valid bulk answer echoing every entity, with `pending` invitations each."""
    entities = json.loads(body)["entities"]
    results = [{"entity": {**e, "pendingInvitationCount": pending}} for e in entities]
    return json_reply({"results": results, "errorCount": 0, "errorIndexes": []})


def one_target_config(
    *,
    database: str = "pacing.db",
    refresh_period_s: float = 2.0,
    stat_source: str = "",
    publisher: str = "",
    extra: str = "",
) -> str:
    """A small valid configuration: one paced VQ 7001 (chat) served by "Chat Team"."""
    return f"""
[node]
node_id = "hostile"
database = "{database}"
[pacing]
refreshPeriod = {refresh_period_s}
[Backlog]
folder = "backlog"
"HiveOff.ArchiveFolder" = "archive"
{stat_source}
{publisher}
{extra}
[[virtual_queues]]
name = "Proactive Chat"
number = "{VQ_NUMBER}"
[virtual_queues.pacing]
media = "chat"

[[agents]]
name = "chat"
count = 6

[[agent_groups]]
name = "{GROUP}"
agents = ["chat-01", "chat-02", "chat-03", "chat-04", "chat-05", "chat-06"]
capacity = {{ chat = 3 }}
origination_dns = ["{VQ_NUMBER}"]
"""


def stats_section(url: str, *, backup_url: str | None = None, timeout_s: float = 1.0) -> str:
    backup = f'backup_url = "{backup_url}"\n' if backup_url else ""
    return (
        f'[stat_source]\nkind = "http"\nurl = "{url}"\n{backup}timeout = {timeout_s}\n'
        'retries = 0\nprimary_recheck = "30s"\n'
    )


SECRET_ENV = "PACING_HOSTILE_SECRET"


def publisher_sections(base: str, *, timeout_s: float = 1.0, concurrency: int = 4) -> str:
    return (
        f'[publisher]\nkind = "http"\nretries = 0\nconcurrency = {concurrency}\n'
        f"[pacingEndpoint]\ntimeout = {timeout_s}\nchunkSize = 1\n"
        f'[hybrid_integration]\nbase_auth_url = "{base}/oauth/token"\n'
        f'base_service_url = "{base}/api/"\nclient_id = "hostile"\n'
        f'client_secret_env = "{SECRET_ENV}"\n'
    )
