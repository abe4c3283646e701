"""One outbound HTTP exchange, bounded in time, in size and in JSON depth.

A server that trickles its answer a byte at a time never trips a per-read timeout, and a
response head that trickles is read before any streaming code sees it (measured: a plain
`client.get(timeout=1)` took 12 s on a 1-byte/0.3 s trickle, head or body). Only cancelling the
whole exchange bounds it. So every exchange runs as a task on one event-loop thread per
`Exchanger` (an httpx `AsyncClient`) under `asyncio.timeout`: at its limit the task is
cancelled and its connection dropped, whatever the server does. Callers stay synchronous:
`exchange` blocks the calling thread until the answer, the limit, or `close()`, which cancels
everything in flight at once (a node stops promptly; the loop thread is a daemon, so nothing
keeps the interpreter alive).

The body is read raw and decoded here, counting decoded bytes, so a gzip bomb stops at
`max_body_bytes` instead of filling memory. `loads_limited` scans the nesting depth before
`json.loads` runs, so no document can drive the parser (or anything after it) into deep
recursion.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import re
import ssl
import threading
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

log = logging.getLogger(__name__)

JSON_MAX_DEPTH = 32
ACCEPTED_ENCODINGS = "gzip, deflate, identity"
# How long a caller waits beyond an exchange's own limit (only a stuck loop needs it).
_LOOP_GRACE_S = 1.0
_CLOSE_WAIT_S = 2.0


class ExchangeError(Exception):
    """An answer refused for what it is (too big, undecodable) or an exchange aborted."""


class ExchangeTimeoutError(httpx.TimeoutException):
    """No complete answer (head and body) within the exchange's limit."""


class JsonLimitError(ValueError):
    """A JSON document nested deeper than the limit."""


@dataclass(frozen=True, slots=True)
class Reply:
    """A whole answer: read completely within its limit, decoded, at most `max_body_bytes`."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    def json(self) -> Any:
        """The body as JSON, depth-limited (`ValueError` when it is not usable JSON)."""
        return loads_limited(self.content)


_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_TO_PARENS = bytes.maketrans(b"[{]}", b"(())")
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_NOT_QUOTES_OR_BRACKETS = bytes(byte for byte in range(256) if byte not in b'"[]{}')


def json_too_deep(body: bytes, max_depth: int = JSON_MAX_DEPTH) -> bool:
    """Whether arrays/objects nest deeper than `max_depth` (strings are skipped).

    Linear and in C: strings are cut out, brackets kept, and each pass removes every
    innermost pair; a balanced document is empty after exactly its depth in passes.
    """
    skeleton = _brackets_outside_strings(body).translate(_TO_PARENS)
    for _ in range(max_depth):
        if not skeleton:
            return False
        skeleton = skeleton.replace(b"()", b"")
    return b"()" in skeleton


def _brackets_outside_strings(body: bytes) -> bytes:
    """The brackets of `body` that are not inside a string, in order.

    Common case (no backslash, no bracket inside a string), all in C without a regex: keep
    only quotes and brackets; with no escapes every string is then a pair of quotes around
    the brackets it holds, so when dropping every adjacent `""` leaves no quote, no bracket
    was inside a string. Anything else takes the string-skipping regex.
    """
    if b"\\" not in body:
        outside = body.translate(None, _NOT_QUOTES_OR_BRACKETS).replace(b'""', b"")
        if b'"' not in outside:
            return outside
    return _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS)


def loads_limited(body: bytes, max_depth: int = JSON_MAX_DEPTH) -> Any:
    """`json.loads` after a depth check; `JsonLimitError` (a ValueError) when too deep."""
    if json_too_deep(body, max_depth):
        raise JsonLimitError(f"nested deeper than {max_depth} levels")
    try:
        return json.loads(body)
    except RecursionError:  # a depth the scan could not see (unbalanced brackets)
        raise JsonLimitError(f"nested deeper than {max_depth} levels") from None


class _Inflater:
    """gzip/deflate decoding that never produces more than it is asked for."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        wbits = zlib.MAX_WBITS | 16 if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(wbits)
        self._first = True

    def feed(self, data: bytes, room: int) -> bytes:
        try:
            out = self._zlib.decompress(data, room)
        except zlib.error as error:
            if not (self._first and self._encoding == "deflate"):
                raise ExchangeError(f"answer body is not valid {self._encoding}: {error}") from None
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, as servers send it
            self._first = False
            return self.feed(data, room)
        self._first = False
        return out


def _inflater(encoding: str) -> _Inflater | None:
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return None
    if name in ("gzip", "x-gzip", "deflate"):
        return _Inflater(name)
    raise ExchangeError(f"answer body has an unsupported Content-Encoding {encoding!r}")


async def _read_limited(response: httpx.Response, max_bytes: int) -> bytes:
    inflater = _inflater(response.headers.get("Content-Encoding", ""))
    declared = response.headers.get("Content-Length", "")
    too_big = f"answer body is larger than {max_bytes:,} bytes"
    if inflater is None and declared.isdigit() and int(declared) > max_bytes:
        raise ExchangeError(too_big)
    parts: list[bytes] = []
    size = 0
    async for raw in response.aiter_raw():
        room = max_bytes - size + 1  # one byte more tells "too big" from "exactly full"
        data = raw if inflater is None else inflater.feed(raw, room)
        size += len(data)
        if size > max_bytes:
            raise ExchangeError(too_big + (" once decoded" if inflater else ""))
        parts.append(data)
    return b"".join(parts)


class Exchanger:
    """Outbound HTTP on its own event-loop thread; every exchange ends by its limit."""

    def __init__(
        self,
        *,
        ca_bundle: Path | None = None,
        proxy: httpx.Proxy | None = None,
        max_connections: int = 10,
        transport: httpx.AsyncBaseTransport | None = None,
        name: str = "http",
    ) -> None:
        verify: ssl.SSLContext | bool = True
        if ca_bundle is not None:
            verify = ssl.create_default_context(cafile=str(ca_bundle))
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name=name, daemon=True)
        self._thread.start()
        self._closed = False
        opening = asyncio.run_coroutine_threadsafe(
            _open_client(verify, proxy, transport, max_connections), self._loop
        )
        self._client = opening.result()

    @property
    def closed(self) -> bool:
        return self._closed

    def exchange(
        self,
        method: str,
        url: str,
        *,
        limit_s: float,
        max_body_bytes: int,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        data: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> Reply:
        """Send one request and read the whole answer within `limit_s` seconds.

        Raises `ExchangeTimeoutError` at the limit, `ExchangeError` for a body over
        `max_body_bytes` (decoded), an undecodable body, or an exchange aborted by `close()`,
        and httpx's own errors for transport failures.
        """
        if self._closed:
            raise ExchangeError("aborted: the HTTP connection is closed (the node is stopping)")
        request = _Request(method, url, headers, content, data, auth)
        task = asyncio.run_coroutine_threadsafe(
            self._exchange(request, limit_s, max_body_bytes), self._loop
        )
        try:
            return task.result(timeout=limit_s + _LOOP_GRACE_S)
        except concurrent.futures.TimeoutError:
            task.cancel()
            raise ExchangeTimeoutError(f"no complete answer within {limit_s:g} s") from None
        except concurrent.futures.CancelledError:
            raise ExchangeError(
                "aborted: the HTTP connection was closed while waiting (the node is stopping)"
            ) from None

    async def _exchange(self, request: _Request, limit_s: float, max_body_bytes: int) -> Reply:
        try:
            async with asyncio.timeout(limit_s):
                built = self._client.build_request(
                    request.method,
                    request.url,
                    headers=request.headers,
                    content=request.content,
                    data=request.data,
                    timeout=httpx.Timeout(limit_s),
                )
                response = await self._client.send(built, stream=True, auth=request.auth)
                try:
                    body = await _read_limited(response, max_body_bytes)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise ExchangeTimeoutError(f"no complete answer within {limit_s:g} s") from None
        return Reply(response.status_code, response.headers, body)

    def close(self) -> None:
        """Abort every exchange in flight, close the connections, end the loop thread."""
        if self._closed:
            return
        self._closed = True
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(_CLOSE_WAIT_S)
        except Exception as error:  # noqa: BLE001 - closing must go on whatever happened
            log.warning("closing HTTP connections: %s", error)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(_CLOSE_WAIT_S)
        if not self._thread.is_alive():
            self._loop.close()

    async def _shutdown(self) -> None:
        running = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await self._client.aclose()


@dataclass(frozen=True, slots=True)
class _Request:
    method: str
    url: str
    headers: Mapping[str, str] | None
    content: bytes | None
    data: Mapping[str, str] | None
    auth: httpx.Auth | None


async def _open_client(
    verify: ssl.SSLContext | bool,
    proxy: httpx.Proxy | None,
    transport: httpx.AsyncBaseTransport | None,
    max_connections: int,
) -> httpx.AsyncClient:
    # Made on the loop thread: its pool's locks belong to this loop. `trust_env=False`: only
    # the configuration decides about proxies and CA files, never the process environment.
    return httpx.AsyncClient(
        verify=verify,
        proxy=proxy,
        transport=transport,
        trust_env=False,
        timeout=httpx.Timeout(10.0),  # replaced per exchange; never unbounded
        limits=httpx.Limits(max_connections=max_connections),
        headers={"Accept-Encoding": ACCEPTED_ENCODINGS},  # only what `_inflater` decodes
    )
