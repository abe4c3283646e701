"""OAuth 2 client credentials against `hybrid_integration.base_auth_url`, cached until near expiry.

The client secret is read at use time (`HybridIntegration.client_secret()`), the token lives only
in this object's memory; neither is ever logged or put in an exception message.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import httpx

from config import HybridIntegration
from connectors.http_retry import HttpCallError, RetryPolicy, send_with_retries

# Ask for a new token this long before the platform says the old one expires.
REFRESH_MARGIN_S = 60.0


class TokenError(HttpCallError):
    """No access token: the token endpoint refused, failed, or the secret is unavailable."""


class TokenCache:
    """Hands out a bearer token, fetching one when none is cached or it is about to expire."""

    def __init__(
        self,
        integration: HybridIntegration,
        client: httpx.Client,
        *,
        policy: RetryPolicy,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._integration = integration
        self._client = client
        self._policy = policy
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self.fetches = 0  # how many tokens were requested (for tests and metrics)

    def token(self, deadline: float) -> str:
        """A valid access token; fetches one (once, for every waiting thread) when needed."""
        with self._lock:
            if self._token is not None and self._clock() < self._expires_at:
                return self._token
            self._token = None
            return self._fetch(deadline)

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

        def send(timeout_s: float) -> httpx.Response:
            return self._client.post(
                self._integration.base_auth_url,
                data={"grant_type": "client_credentials"},
                auth=auth,
                timeout=timeout_s,
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

    def _accept(self, response: httpx.Response) -> str:
        where = f"token request to {self._integration.base_auth_url}"
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
        lifetime_s = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        margin_s = min(REFRESH_MARGIN_S, lifetime_s / 10)
        self._token = token
        self._expires_at = self._clock() + lifetime_s - margin_s
        return token


def _error_name(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "no JSON body"
    error = body.get("error") or body.get("code") if isinstance(body, dict) else None
    return str(error) if error else "no error code"
