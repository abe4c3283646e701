"""Retries: only 429/502/503/504 and transport errors, honouring Retry-After, never late."""

from __future__ import annotations

import httpx
import pytest

from connectors.http_retry import HttpCallError, RetryPolicy, parse_retry_after, send_with_retries


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def scripted(*answers: int | Exception, retry_after: str | None = None) -> tuple[list[int], object]:
    calls: list[int] = []
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        answer = queue.pop(0)
        if isinstance(answer, Exception):
            raise answer
        headers = {"Retry-After": retry_after} if retry_after and answer == 429 else {}
        return httpx.Response(answer, headers=headers, json={"code": "x"})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    return calls, lambda timeout_s: client.get("http://platform.test/", timeout=timeout_s)


@pytest.mark.parametrize("status", [429, 502, 503, 504])
def test_retryable_statuses_are_retried_until_success(status: int) -> None:
    calls, send = scripted(status, 200)
    time = FakeTime()
    response = send_with_retries(
        send, policy=RetryPolicy(retries=2), deadline=10, clock=time.clock, sleep=time.sleep
    )
    assert response.status_code == 200 and len(calls) == 2


@pytest.mark.parametrize("status", [400, 401, 404, 500])
def test_other_statuses_are_answered_at_once(status: int) -> None:
    calls, send = scripted(status)
    time = FakeTime()
    response = send_with_retries(
        send, policy=RetryPolicy(retries=3), deadline=10, clock=time.clock, sleep=time.sleep
    )
    assert response.status_code == status and len(calls) == 1


def test_transport_errors_are_retried() -> None:
    calls, send = scripted(httpx.ConnectError("refused"), 200)
    time = FakeTime()
    send_with_retries(send, policy=RetryPolicy(), deadline=10, clock=time.clock, sleep=time.sleep)
    assert len(calls) == 2


def test_retry_after_is_honoured() -> None:
    _, send = scripted(429, 200, retry_after="1.5")
    time = FakeTime()
    send_with_retries(send, policy=RetryPolicy(), deadline=10, clock=time.clock, sleep=time.sleep)
    assert time.slept == [1.5]


def test_no_retry_waits_past_the_deadline() -> None:
    calls, send = scripted(429, 200, retry_after="5")
    time = FakeTime()
    with pytest.raises(HttpCallError, match="would pass the cycle's deadline") as raised:
        send_with_retries(
            send, policy=RetryPolicy(), deadline=3, clock=time.clock, sleep=time.sleep
        )
    assert raised.value.status == 429 and len(calls) == 1 and time.slept == []


def test_retries_run_out_with_the_last_error_named() -> None:
    _, send = scripted(503, 503, 503)
    time = FakeTime()
    with pytest.raises(HttpCallError, match=r"HTTP 503 \(x\)"):
        send_with_retries(
            send, policy=RetryPolicy(retries=2), deadline=99, clock=time.clock, sleep=time.sleep
        )


def test_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("3", now=0) == 3.0
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", now=4.0) == 6.0
    assert parse_retry_after("soon", now=0) is None
    assert parse_retry_after(None, now=0) is None
