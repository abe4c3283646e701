"""The one outbound-HTTP seam shared by the engagement client and the HTTP statistics source.

Timeouts are always on, retries happen only for 429/502/503/504 and transport errors, a
`Retry-After` header is honoured, and no attempt or wait ever runs past the caller's deadline:
a late answer is worth less than the next cycle. Clock and sleep are injected so tests run
without waiting.
"""

from __future__ import annotations

import email.utils
import math
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from config import ForwardProxyOptions

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


Send = Callable[[float], httpx.Response]


def send_with_retries(
    send: Send,
    *,
    policy: RetryPolicy,
    deadline: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    what: str = "request",
) -> httpx.Response:
    """Call `send(timeout_s)` until it answers something other than a retryable failure.

    Returns the first response whose status is not retryable (2xx or not); raises
    `HttpCallError` when retries or time run out. `deadline` is on the `clock`'s scale.
    """
    last_error = ""
    last_status: int | None = None
    for attempt in range(policy.retries + 1):
        remaining_s = deadline - clock()
        if remaining_s <= 0:
            break
        retry_after_s: float | None = None
        try:
            response = send(min(policy.timeout_s, remaining_s))
        except httpx.TimeoutException:
            last_error, last_status = f"timed out after {policy.timeout_s:g} s", None
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


def _code(response: httpx.Response) -> str:
    """` (code)` from a platform error body, when there is one."""
    try:
        body = response.json()
    except ValueError:
        return ""
    code = body.get("code") if isinstance(body, dict) else None
    return f" ({code})" if isinstance(code, str) else ""


def build_http_client(
    *,
    ca_bundle: Path | None = None,
    proxy: httpx.Proxy | None = None,
    transport: httpx.BaseTransport | None = None,
    max_connections: int = 10,
) -> httpx.Client:
    """An httpx client with TLS verification on (optionally against `ca_bundle`).

    `trust_env=False`: only the configuration decides about proxies and CA files, never the
    process environment, so a node behaves the same under every shell.
    """
    verify: ssl.SSLContext | bool = True
    if ca_bundle is not None:
        verify = ssl.create_default_context(cafile=str(ca_bundle))
    return httpx.Client(
        verify=verify,
        proxy=proxy,
        transport=transport,
        trust_env=False,
        timeout=httpx.Timeout(10.0),  # replaced per request; never unbounded
        limits=httpx.Limits(max_connections=max_connections),
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
