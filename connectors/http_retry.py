"""The one outbound-HTTP seam shared by the engagement client and the HTTP statistics source.

Every attempt is one bounded exchange (`connectors.http_exchange`): the whole request, head
and body, ends by its limit, the decoded body is size-limited and JSON is depth-limited.
Retries happen only for 429/502/503/504, timeouts and transport errors, a `Retry-After` header
is honoured, and no attempt or wait ever runs past the caller's deadline: a late answer is
worth less than the next cycle. Clock and sleep are injected so tests run without waiting.
Failures read alike everywhere: `<what> to <url>: HTTP 500 (internal.server.error)`.
"""

from __future__ import annotations

import email.utils
import math
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import httpx

from config import ForwardProxyOptions
from connectors.http_exchange import ExchangeError, Exchanger

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


class HttpCallError(Exception):
    """A request that did not get a usable answer before its deadline (after any retries)."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class DeadlineExceededError(HttpCallError):
    """The deadline passed before a (further) attempt could be made."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How many times to retry and how long to wait between attempts without `Retry-After`."""

    retries: int = 2
    backoff_s: float = 0.2  # doubled at each attempt
    timeout_s: float = 3.0  # per attempt, always capped by the deadline

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise ValueError(f"retries must be 0 or more, got {self.retries}")
        if self.timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {self.timeout_s}")

    def wait_s(self, attempt: int, retry_after_s: float | None) -> float:
        """Seconds to wait before attempt number `attempt + 1` (0-based `attempt`)."""
        if retry_after_s is not None:
            return retry_after_s
        return float(self.backoff_s * 2.0**attempt)


def parse_retry_after(value: str | None, now: float) -> float | None:
    """`Retry-After` as seconds from `now`: delta-seconds or an HTTP date; None if absent/bad."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        seconds = moment.timestamp() - now
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


class Answer(Protocol):
    """What the seam reads of an answer (an exchange's `Reply`, or an httpx response)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> httpx.Headers: ...

    def json(self) -> Any: ...


AnswerT = TypeVar("AnswerT", bound=Answer)


def send_with_retries(
    send: Callable[[float], AnswerT],
    *,
    policy: RetryPolicy,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    what: str = "request",
) -> AnswerT:
    """Call `send(limit_s)` until it answers something other than a retryable failure.

    `limit_s` bounds the whole attempt: the policy's timeout, never past `deadline`. Returns
    the first answer whose status is not retryable (2xx or not); raises `HttpCallError` when
    retries or time run out, or at once for an answer refused for what it is (too big,
    undecodable). `deadline` is on the `clock`'s scale.
    """
    last_error = ""
    last_status: int | None = None
    for attempt in range(policy.retries + 1):
        remaining_s = deadline - clock()
        if remaining_s <= 0:
            break
        retry_after_s: float | None = None
        limit_s = min(policy.timeout_s, remaining_s)
        try:
            response = send(limit_s)
        except ExchangeError as error:  # the same server would send the same thing again
            raise HttpCallError(f"{what}: {error}") from None
        except httpx.TimeoutException:
            last_error, last_status = f"no complete answer within {limit_s:.3g} s", None
        except httpx.TransportError as error:
            untrusted = _certificate_problem(error)
            if untrusted:  # the same certificate fails the same way: retrying cannot help
                raise HttpCallError(f"{what}: {untrusted}") from error
            last_error, last_status = f"transport error: {type(error).__name__}: {error}", None
        else:
            if response.status_code not in RETRYABLE_STATUSES:
                return response
            last_status = response.status_code
            last_error = f"HTTP {response.status_code}{_code(response)}"
            retry_after_s = parse_retry_after(response.headers.get("Retry-After"), time.time())
        if attempt == policy.retries:
            break
        wait_s = policy.wait_s(attempt, retry_after_s)
        if clock() + wait_s >= deadline:
            last_error += f"; no retry: waiting {wait_s:g} s would pass the cycle's deadline"
            break
        sleep(wait_s)
    if not last_error:
        raise DeadlineExceededError(f"{what}: the cycle's deadline passed before any attempt")
    raise HttpCallError(f"{what}: {last_error}", status=last_status)


def _certificate_problem(error: BaseException) -> str:
    """A sentence on how to fix a failed TLS verification; "" for other transport errors."""
    cause: BaseException | None = error
    while cause is not None and not isinstance(cause, ssl.SSLCertVerificationError):
        cause = cause.__cause__ or cause.__context__
    if cause is None:
        return ""
    detail = cause.verify_message or cause.reason or str(cause)
    return (
        f"TLS certificate not trusted ({detail}): verification is always on; if the server "
        "uses a private CA, set the connection's ca_bundle option to that CA's PEM file"
    )


def http_failure(what: str, url: str, answer: Answer) -> str:
    """The one shape of an HTTP failure: `<what> to <url>: HTTP 500 (internal.server.error)`."""
    return f"{what} to {url}: HTTP {answer.status_code}{_code(answer)}"


def _code(response: Answer) -> str:
    """` (code)` from a platform error body, when there is one."""
    try:
        body = response.json()
    except ValueError:
        return ""
    code = body.get("code") if isinstance(body, dict) else None
    return f" ({code[:80]})" if isinstance(code, str) else ""


def build_exchanger(
    *,
    ca_bundle: Path | None = None,
    proxy: httpx.Proxy | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    max_connections: int = 10,
    name: str = "http",
) -> Exchanger:
    """Bounded exchanges with TLS verification on (optionally against `ca_bundle`).

    Only the configuration decides about proxies and CA files, never the process
    environment, so a node behaves the same under every shell.
    """
    return Exchanger(
        ca_bundle=ca_bundle,
        proxy=proxy,
        transport=transport,
        max_connections=max_connections,
        name=name,
    )


def forward_proxy(options: ForwardProxyOptions) -> httpx.Proxy | None:
    """The `[forward-proxy]` as an httpx proxy (password read now, never put in the URL)."""
    if not options.enabled or options.host is None or options.port is None:
        return None
    url = f"http://{options.host}:{options.port}"
    password = options.password()
    if options.user is None:
        return httpx.Proxy(url)
    return httpx.Proxy(url, auth=(options.user, password or ""))
