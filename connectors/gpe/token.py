"""OAuth 2 client credentials against `hybrid_integration.base_auth_url`, cached until near expiry.

The client secret is read at use time (`HybridIntegration.client_secret()`), the token lives only
in this object's memory; neither is ever logged or put in an exception message. One worker
fetches while the others wait, each at most until its own deadline: a token endpoint that
trickles cannot hold the publisher past the cycle.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import httpx

from config import HybridIntegration
from connectors.http_exchange import Exchanger, Reply
from connectors.http_retry import HttpCallError, RetryPolicy, http_failure, send_with_retries

# Ask for a new token this long before the platform says the old one expires.
REFRESH_MARGIN_S = 60.0
# A token answer is small; anything bigger is refused unread.
TOKEN_ANSWER_MAX_BYTES = 64 * 1024
# `expires_in` is believed within these bounds (a negative or absurd lifetime would ask for a
# token before every request, or keep one for ever).
LIFETIME_S_MIN, LIFETIME_S_MAX = 10.0, 86_400.0


class TokenError(HttpCallError):
    """No access token: the token endpoint refused, failed, or the secret is unavailable."""


class TokenCache:
    """Hands out a bearer token, fetching one when none is cached or it is about to expire."""

    def __init__(
        self,
        integration: HybridIntegration,
        exchanger: Exchanger,
        *,
        policy: RetryPolicy,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._integration = integration
        self._exchanger = exchanger
        self._policy = policy
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.fetches = 0  # how many tokens were requested (for tests and metrics)

    def token(self, deadline: float) -> str:
        """A valid access token; fetches one (once, for every waiting thread) when needed.

        Waits for another thread's fetch at most until `deadline`.
        """
        if not self._lock.acquire(timeout=max(0.0, deadline - self._clock())):
            raise TokenError(
                f"token request to {self._integration.base_auth_url}: another worker's token "
                "request was still running at the cycle's deadline"
            )
        try:
            if self._token is not None and self._clock() < self._expires_at:
                return self._token
            self._token = None
            return self._fetch(deadline)
        finally:
            self._lock.release()

    def invalidate(self, token: str) -> None:
        """Forget `token` after the platform rejected it (401); a newer one is kept."""
        with self._lock:
            if self._token == token:
                self._token = None

    def _fetch(self, deadline: float) -> str:
        try:
            secret = self._integration.client_secret()
        except Exception as error:  # SecretUnavailableError names the variable, never the value
            raise TokenError(f"token: {error}") from None
        auth = httpx.BasicAuth(self._integration.client_id, secret)

        def send(limit_s: float) -> Reply:
            return self._exchanger.exchange(
                "POST",
                self._integration.base_auth_url,
                limit_s=limit_s,
                max_body_bytes=TOKEN_ANSWER_MAX_BYTES,
                data={"grant_type": "client_credentials"},
                auth=auth,
            )

        self.fetches += 1
        try:
            response = send_with_retries(
                send,
                policy=self._policy,
                deadline=deadline,
                clock=self._clock,
                sleep=self._sleep,
                what=f"token request to {self._integration.base_auth_url}",
            )
        except HttpCallError as error:
            raise TokenError(str(error), status=error.status) from None
        return self._accept(response)

    def _accept(self, response: Reply) -> str:
        where = f"token request to {self._integration.base_auth_url}"
        if response.status_code >= 500:
            raise TokenError(
                http_failure("token request", self._integration.base_auth_url, response),
                status=response.status_code,
            )
        if response.status_code != 200:
            raise TokenError(
                f"{where}: refused with HTTP {response.status_code} ({_error_name(response)}) — "
                "check hybrid_integration.client_id and the client secret",
                status=response.status_code,
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        token = body.get("access_token") if isinstance(body, dict) else None
        expires_in = body.get("expires_in") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise TokenError(f"{where}: answer has no access_token")
        lifetime_s = 3600.0
        if isinstance(expires_in, int | float) and math.isfinite(expires_in):
            lifetime_s = min(max(float(expires_in), LIFETIME_S_MIN), LIFETIME_S_MAX)
        margin_s = min(REFRESH_MARGIN_S, lifetime_s / 10)
        self._token = token
        self._expires_at = self._clock() + lifetime_s - margin_s
        return token


def _error_name(response: Reply) -> str:
    try:
        body = response.json()
    except ValueError:
        return "no JSON body"
    error = body.get("error") or body.get("code") if isinstance(body, dict) else None
    return str(error)[:80] if error else "no error code"
