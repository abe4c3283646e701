"""The engagement platform client: the cycle's `Publisher` over HTTP.

One publish = every target's decision in bulk POSTs of `chunkSize` entities, sent concurrently,
each answer validated per the contract. The whole publish has one deadline (a share of the
refresh period) and every exchange of it (token and bulk, retries included) ends by that
deadline whatever the server does, so no worker is still busy with this cycle when the next
one starts; a chunk not answered by then is abandoned for this cycle. Failures become alarm
signals (`PacingRequestsFailed`, `PacingResponseTargetError`,
`PacingResponseValidationError`), cleared when a later cycle succeeds. The targets with a
valid answer are returned; when some targets got none (a failed or voided request, a platform
error item, an invalid item) `PublishIncomplete` carries the valid answers and every other
target's error, so the cycle stores what happened; when no target got anything,
`PublishFailedError`. The cycle carries the last good pending count of the others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ALL_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from config import HybridIntegration
from connectors.gpe.bodies import (
    ChunkAnswer,
    answer_limit_bytes,
    build_entity,
    chunked,
    encode_body,
    validate_answer,
)
from connectors.gpe.token import TokenCache
from connectors.http_exchange import Exchanger, Reply
from connectors.http_retry import HttpCallError, RetryPolicy, http_failure, send_with_retries
from domain.decisions import PacingDecision
from domain.latch import SignalLatch
from domain.ports import (
    NODE_HEADER,
    TERM_HEADER,
    AnswersByTarget,
    Decisions,
    PublishIncomplete,
    StatisticsByTarget,
)
from domain.signals import AlarmSink, Condition
from domain.statistics import PublishResult, TargetStatistics

log = logging.getLogger(__name__)


# How long after the publish deadline the answers of the last exchanges are waited for.
SETTLE_S = 0.25


class PublishFailedError(Exception):
    """No chunk of this cycle's publish got a usable answer (the message says why)."""


@dataclass(frozen=True, slots=True)
class PublisherSettings:
    """How the client talks to the platform (from `[pacingEndpoint]` and `[publisher]`)."""

    target_endpoint: str = "v2/journey/actiontargets/bulk"
    chunk_size: int = 500
    concurrency: int = 4
    gzip: bool = False
    budget_s: float = 4.0  # the whole publish, all chunks and retries, must end within this
    policy: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass(frozen=True, slots=True)
class _ChunkOutcome:
    answer: ChunkAnswer | None
    failure: str | None = None


class EngagementPublisher:
    """Publishes decisions to the engagement platform; implements `engine.cycle.Publisher`."""

    def __init__(
        self,
        integration: HybridIntegration,
        settings: PublisherSettings,
        media_by_target: Mapping[str, str],
        sink: AlarmSink,
        exchanger: Exchanger,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings
        self._media = dict(media_by_target)
        self._exchanger = exchanger
        self._clock = clock
        self._sleep = sleep
        self._url = (
            integration.base_service_url.rstrip("/") + "/" + (settings.target_endpoint.lstrip("/"))
        )
        self._tokens = TokenCache(
            integration, exchanger, policy=settings.policy, clock=clock, sleep=sleep
        )
        self._latch = SignalLatch(sink)
        self._pool = ThreadPoolExecutor(
            max_workers=settings.concurrency, thread_name_prefix="gpe-publish"
        )
        self._identity: dict[str, str] = {}
        self._publish_by: float | None = None

    def identify(self, node_id: str, term: int, publish_by: float) -> None:
        """Name the node and lease term of the next publish, and when it must be over.

        Sent as `X-Pacing-Node` and `X-Pacing-Term` (an extension the platform may ignore, see
        docs/http.md). `publish_by` (on this publisher's clock, monotonic) is the moment up
        to which the master lease was confirmed: no request of this publish starts later,
        even if the process froze between the confirmation and the publish.
        """
        self._identity = {NODE_HEADER: node_id, TERM_HEADER: str(term)}
        self._publish_by = publish_by

    @property
    def token_fetches(self) -> int:
        return self._tokens.fetches

    def close(self) -> None:
        """Abort every request in flight first (freeing the workers), then stop the workers."""
        self._exchanger.close()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def publish(
        self, decisions: Decisions, statistics: StatisticsByTarget, now: float
    ) -> AnswersByTarget:
        """Send every decision; return the valid answers. Raises only when nothing answered."""
        if not decisions:
            return {}
        deadline = self._clock() + self._settings.budget_s
        if self._publish_by is not None:
            deadline = min(deadline, self._publish_by)
        chunks = chunked(list(decisions), self._settings.chunk_size)
        futures = [
            self._pool.submit(self._send_chunk, chunk, statistics, deadline) for chunk in chunks
        ]
        # Every exchange ends by the deadline on its own; the settle time lets a worker whose
        # exchange just ended report why, rather than "abandoned".
        waited_s = max(0.0, deadline - self._clock()) + SETTLE_S
        done, _ = wait(futures, timeout=waited_s, return_when=ALL_COMPLETED)
        outcomes = [self._outcome(future, future in done) for future in futures]
        return self._conclude([[d.target_id for d in chunk] for chunk in chunks], outcomes, now)

    @staticmethod
    def _outcome(future: Future[_ChunkOutcome], finished: bool) -> _ChunkOutcome:
        if not finished:
            future.cancel()
            return _ChunkOutcome(None, "abandoned: no answer before the cycle's deadline")
        try:
            return future.result()
        except Exception as error:  # noqa: BLE001 - a bug in one chunk must not lose the others
            log.exception("publishing a chunk failed unexpectedly")
            return _ChunkOutcome(None, f"unexpected {type(error).__name__}: {error}")

    def _send_chunk(
        self,
        chunk: Sequence[PacingDecision],
        statistics: Mapping[str, TargetStatistics],
        deadline: float,
    ) -> _ChunkOutcome:
        entities = [
            build_entity(d, statistics.get(d.target_id), self._media.get(d.target_id, ""))
            for d in chunk
        ]
        body = encode_body(entities, compress=self._settings.gzip)
        try:
            response = self._post(body, deadline, answer_limit_bytes(len(chunk)))
        except HttpCallError as error:
            return _ChunkOutcome(None, str(error))
        if not 200 <= response.status_code < 300:
            return _ChunkOutcome(None, http_failure("bulk pacing request", self._url, response))
        return _ChunkOutcome(validate_answer(response.content, [d.target_id for d in chunk]))

    def _post(self, body: bytes, deadline: float, max_answer_bytes: int) -> Reply:
        headers = {"Content-Type": "application/json", **self._identity}
        if self._settings.gzip:
            headers["Content-Encoding"] = "gzip"
        else:
            headers["Accept-Encoding"] = "identity"
        response: Reply | None = None
        for _ in range(2):  # a 401 gets one fresh token, then counts as a failure
            token = self._tokens.token(deadline)

            def send(limit_s: float, token: str = token) -> Reply:
                return self._exchanger.exchange(
                    "POST",
                    self._url,
                    limit_s=limit_s,
                    max_body_bytes=max_answer_bytes,
                    content=body,
                    headers={**headers, "Authorization": f"Bearer {token}"},
                )

            response = send_with_retries(
                send,
                policy=self._settings.policy,
                deadline=deadline,
                clock=self._clock,
                sleep=self._sleep,
                what=f"bulk pacing request to {self._url}",
            )
            if response.status_code != 401:
                return response
            self._tokens.invalidate(token)
        assert response is not None
        return response

    def _conclude(
        self, chunks: Sequence[Sequence[str]], outcomes: Sequence[_ChunkOutcome], now: float
    ) -> Mapping[str, PublishResult]:
        results: dict[str, PublishResult] = {}
        failures: list[str] = []  # requests without an answer (PacingRequestsFailed)
        unusable: list[str] = []  # ... and answers voided as a whole
        problems: list[str] = []
        target_errors: dict[str, str] = {}
        for target_ids, outcome in zip(chunks, outcomes, strict=True):
            answer = outcome.answer
            if answer is None or answer.voided:
                failure = outcome.failure or "no answer"
                if answer is not None:
                    failure = f"bulk pacing request to {self._url}: invalid answer: "
                    failure += answer.problems[0]
                    problems.extend(answer.problems)
                else:
                    failures.append(failure)
                unusable.append(failure)
                target_errors.update(dict.fromkeys(target_ids, failure))
                continue
            results.update(answer.results)
            problems.extend(answer.problems)
            for target_id, error in answer.target_errors.items():
                target_errors[target_id] = f"platform error: {error}"
            for target_id, problem in answer.invalid.items():
                target_errors[target_id] = f"invalid answer item: {problem}"
            self._observe_target_errors(answer, now)
        self._report(len(chunks), failures, problems, now)
        if unusable and len(unusable) == len(chunks):
            raise PublishFailedError(
                f"{len(unusable)} of {len(chunks)} requests failed: {unusable[0]}"
            )
        if target_errors:
            summary = unusable[0] if unusable else next(iter(target_errors.values()))
            raise PublishIncomplete(
                f"{len(target_errors)} of {sum(map(len, chunks))} targets without a usable "
                f"answer ({len(unusable)} of {len(chunks)} requests failed); first: {summary}",
                results,
                target_errors,
            )
        return results

    def _observe_target_errors(self, answer: ChunkAnswer, now: float) -> None:
        for target_id, error in answer.target_errors.items():
            self._latch.observe(
                Condition.PACING_RESPONSE_TARGET_ERROR,
                True,
                now,
                scope=target_id,
                reason=f"{target_id}: {error}",
            )
        for target_id in answer.results:
            self._latch.observe(
                Condition.PACING_RESPONSE_TARGET_ERROR,
                False,
                now,
                scope=target_id,
                reason=f"{target_id}: answered",
            )

    def _report(self, chunks: int, failures: list[str], problems: list[str], now: float) -> None:
        if failures:
            log.warning("publish: %d of %d requests failed: %s", len(failures), chunks, failures[0])
        self._latch.observe(
            Condition.PACING_REQUESTS_FAILED,
            bool(failures),
            now,
            value=float(len(failures)),
            reason=(
                f"{len(failures)} of {chunks} pacing requests failed: {failures[0]}"
                if failures
                else "pacing requests succeed again"
            ),
        )
        if problems:
            log.warning("publish: invalid answer: %s", "; ".join(problems[:3]))
        if problems or len(failures) < chunks:  # only an answer can clear a validation alarm
            self._latch.observe(
                Condition.PACING_RESPONSE_VALIDATION_ERROR,
                bool(problems),
                now,
                value=float(len(problems)),
                reason="; ".join(problems[:5]) if problems else "answers validate again",
            )
