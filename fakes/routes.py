"""Request handling of the fake servers: one `Routes` per request, faults applied in order."""

from __future__ import annotations

import json
import logging
from http.server import BaseHTTPRequestHandler
from typing import Any

from domain.ports import NODE_HEADER, TERM_HEADER
from domain.statistics import PublishResult
from fakes.documents import bulk_answer, entity_answer, error_item, platform_error
from fakes.faults import UnknownFaultError
from fakes.remote import RemoteState
from fakes.wire import (
    API_PREFIX,
    STATS_PATH,
    TOKEN_PATH,
    answer,
    bad_fault,
    read_body,
    request_size,
)

log = logging.getLogger("fakes.server")


class Routes:
    def __init__(self, remote: RemoteState, handler: BaseHTTPRequestHandler) -> None:
        self.remote = remote
        self.h = handler
        self.path = handler.path.split("?", 1)[0]

    # -- dispatch -------------------------------------------------------------------------

    def get(self) -> None:
        if self.path == STATS_PATH:
            self.stats()
        elif self.path == "/_fake/state":
            answer(self.h, 200, self.remote.state())
        else:
            self.not_found()

    def post(self) -> None:
        if self.path == "/_fake/faults":
            self.set_fault()
        elif self.remote.serve_platform and self.path == TOKEN_PATH:
            self.token()
        elif self.remote.serve_platform and self.path.startswith(API_PREFIX):
            self.bulk()
        else:
            self.not_found()

    def delete(self) -> None:
        if self.path == "/_fake/faults":
            self.remote.clear_faults()
            answer(self.h, 200, {"faults": {}})
        else:
            self.not_found()

    def not_found(self) -> None:
        read_body(self.h)
        answer(self.h, 404, platform_error(404, "not.found", f"no route {self.path}", "-"))

    def set_fault(self) -> None:
        _, body = read_body(self.h)
        try:
            spec = json.loads(body)
            times = spec.get("times")
            value = spec.get("value")
            self.remote.set_fault(str(spec["name"]), None if value is None else str(value), times)
        except UnknownFaultError as error:
            bad_fault(self.h, error)
            return
        except (ValueError, KeyError, TypeError, AttributeError):
            bad_fault(self.h, UnknownFaultError('expected {"name": …, "value": …, "times": …}'))
            return
        answer(self.h, 200, {"faults": self.remote.faults.snapshot()})

    # -- the engagement platform ----------------------------------------------------------

    def token(self) -> None:
        read_body(self.h)
        with self.remote.lock:
            self.remote.counters.token_requests += 1
        take = self.remote.faults.take
        if take("token_refuse") or not self.remote.check_basic_auth(
            self.h.headers.get("Authorization")
        ):
            answer(
                self.h,
                401,
                {"error": "invalid_client", "description": "client authentication failed"},
            )
            return
        expires_in = self.remote.credentials.expires_in_s if self.remote.credentials else 3600
        token = self.remote.issue_token()
        answer(
            self.h,
            200,
            {"access_token": token, "token_type": "bearer", "expires_in": expires_in},
        )

    def bulk(self) -> None:
        wire_in, body = read_body(self.h)
        with self.remote.lock:  # counted before answering, so a client sees its own request
            self.remote.counters.bulk_requests += 1
            self.remote.counters.bulk_bytes_in += request_size(self.h, wire_in)
        sent = self.bulk_answer(body)
        with self.remote.lock:
            self.remote.counters.bulk_bytes_out += sent

    def bulk_answer(self, body: bytes) -> int:
        take, remote = self.remote.faults.take, self.remote
        for name, default_s in (("timeout", 30.0), ("slow", 2.0)):
            fault = take(name)
            if fault:
                remote.sleep(float(fault.value or default_s))
        if fault := take("rate_limit"):
            retry_after = fault.value or "1"
            error = platform_error(429, "too.many.requests.retry.after", "rate limited", "-")
            return answer(self.h, 429, error, headers={"Retry-After": retry_after})
        if fault := take("status"):
            status = int(fault.value or 503)
            code = "service.unavailable" if status == 503 else "internal.server.error"
            return answer(self.h, status, platform_error(status, code, "fault", "-"))
        token = self.h.headers.get("Authorization", "").removeprefix("Bearer ")
        unauthorized = take("unauthorized")
        if unauthorized:
            with remote.lock:
                remote.issued_tokens.clear()
        if unauthorized or token not in remote.issued_tokens:
            error = platform_error(401, "authentication.required", "token expired", "-")
            return answer(self.h, 401, error)
        try:
            entities = json.loads(body)["entities"]
            if not isinstance(entities, list):
                raise TypeError("entities is not a list")
        except (ValueError, KeyError, TypeError) as error:
            bad = platform_error(400, "bad.request", f"bad body: {error}", "-")
            return answer(self.h, 400, bad)
        with remote.lock:
            remote.counters.entities += len(entities)
        remote.record_publish(
            self.h.headers.get(NODE_HEADER), self.h.headers.get(TERM_HEADER), len(entities)
        )
        if take("malformed_json"):
            return answer(self.h, 200, None, raw=b'{"results": [ {"entity": ')
        return answer(self.h, 200, bulk_answer(self.items(entities)))

    def items(self, entities: list[Any]) -> list[dict[str, Any]]:
        allowed = {
            str(e.get("externalId")): int(e.get("allowedInvitationCount") or 0)
            for e in entities
            if isinstance(e, dict)
        }
        intervals = [
            float(e.get("allowedInvitationIntervalSeconds") or 0)
            for e in entities
            if isinstance(e, dict)
        ]
        results = self.remote.publish(allowed, max(intervals, default=1.0))
        take = self.remote.faults.take
        failing = take("target_errors")
        failing_ids = set((failing.value or "").split(",")) if failing and failing.value else None
        negative = take("negative_counts") is not None
        items: list[dict[str, Any]] = []
        for entity in entities:
            target_id = str(entity.get("externalId")) if isinstance(entity, dict) else ""
            if failing and (failing_ids is None or target_id in failing_ids):
                items.append(error_item("invalid.value", f"{target_id} refused by the fault"))
                continue
            result = results.get(target_id) or PublishResult(target_id, 0)
            item = entity_answer(entity, result)
            if negative:
                item["entity"]["pendingInvitationCount"] = -1
            items.append(item)
        if take("wrong_count") and items:
            items.pop()
        return items

    # -- the statistics server ------------------------------------------------------------

    def stats(self) -> None:
        take, remote = self.remote.faults.take, self.remote
        with remote.lock:
            remote.counters.stats_requests += 1
        if fault := take("stats_slow"):
            remote.sleep(float(fault.value or 2.0))
        if take("stats_drop"):
            self.h.close_connection = True
            return
        if fault := take("stats_status"):
            status = int(fault.value or 503)
            answer(self.h, status, platform_error(status, "service.unavailable", "fault", "-"))
            return
        if take("stats_malformed"):
            answer(self.h, 200, None, raw=b'{"virtual_queues": {')
            return
        answer(self.h, 200, self.stats_document())

    def stats_document(self) -> dict[str, Any]:
        take, remote = self.remote.faults.take, self.remote
        document = remote.statistics_document()
        queues: dict[str, dict[str, Any]] = document["virtual_queues"]
        if take("stats_reset"):
            remote.reset_base = {
                number: (q["accepted"], q["abandoned"], q["reactive_arrivals"])
                for number, q in queues.items()
            }
        for number, queue in queues.items():
            base = remote.reset_base.get(number, (0, 0, 0))
            for key, offset in zip(
                ("accepted", "abandoned", "reactive_arrivals"), base, strict=True
            ):
                queue[key] = max(0, queue[key] - offset)
        if fault := take("stats_missing"):
            queues.pop(fault.value or next(iter(queues), ""), None)
        if take("stats_negative"):
            for queue in queues.values():
                queue["current"] = -1
        if fault := take("stats_stale"):
            document["generated_at"] -= float(fault.value or 3600)
        return document


def handler_for(remote: RemoteState) -> type[BaseHTTPRequestHandler]:
    """The request handler class of one fake world: every request gets its own `Routes`."""

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
