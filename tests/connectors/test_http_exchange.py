"""The bounded exchange: each limit applied before the work it bounds (issue 13).

Against real loopback servers: a whole-request limit that a trickled head or body cannot
stretch, a decoded-size limit that stops a gzip bomb after the limit (not after decoding it
all), a JSON depth limit checked before parsing, and a `close()` that aborts what is in
flight. Waits are for states (a thread has ended), never assertions on elapsed time.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.http_exchange import (
    ExchangeError,
    Exchanger,
    ExchangeTimeoutError,
    _brackets_outside_strings,
    json_too_deep,
    loads_limited,
)
from tests.scripted_server import Reply, ScriptedServer, gzip_bomb, json_reply, trickling


@pytest.fixture
def exchanger() -> Iterator[Exchanger]:
    bounded = Exchanger(name="test-http")
    yield bounded
    bounded.close()


def test_a_whole_answer_is_read(exchanger: Exchanger) -> None:
    with ScriptedServer(lambda *_: json_reply({"a": 1})) as server:
        reply = exchanger.exchange("GET", server.url, limit_s=5, max_body_bytes=100)
    assert (reply.status_code, reply.json()) == (200, {"a": 1})


@pytest.mark.parametrize("head_too", [False, True], ids=["body", "head"])
def test_a_trickle_cannot_stretch_the_limit(exchanger: Exchanger, head_too: bool) -> None:
    with ScriptedServer(lambda *_: trickling(b" " * 10_000, head_too=head_too)) as server:
        with pytest.raises(ExchangeTimeoutError, match="no complete answer within 0.5 s"):
            exchanger.exchange("GET", server.url, limit_s=0.5, max_body_bytes=100_000)
        assert server.trickles_finished == 0


def test_a_body_announced_larger_than_the_limit_is_refused_unread(exchanger: Exchanger) -> None:
    sent: list[int] = []

    def pieces() -> Iterator[bytes]:
        for _ in range(1000):
            sent.append(1)
            yield b"x" * 2**20

    huge = Reply(200, stream=pieces, length=1000 * 2**20)
    with ScriptedServer(lambda *_: huge) as server, pytest.raises(ExchangeError, match="1,024"):
        exchanger.exchange("GET", server.url, limit_s=10, max_body_bytes=1024)
    assert len(sent) < 1000  # the server was not read to its end


def test_a_gzip_bomb_stops_at_the_decoded_limit(exchanger: Exchanger) -> None:
    bomb = gzip_bomb(1024)  # about 1 MB on the wire, 1 GB decoded
    refused = pytest.raises(ExchangeError, match="larger than 8,388,608 bytes once decoded")
    with ScriptedServer(lambda *_: bomb) as server, refused:
        exchanger.exchange("GET", server.url, limit_s=30, max_body_bytes=8 * 2**20)


def test_an_unknown_content_encoding_is_refused(exchanger: Exchanger) -> None:
    reply = Reply(200, b"????", headers={"Content-Encoding": "br"})
    refused = pytest.raises(ExchangeError, match="unsupported Content-Encoding 'br'")
    with ScriptedServer(lambda *_: reply) as server, refused:
        exchanger.exchange("GET", server.url, limit_s=5, max_body_bytes=100)


def test_close_aborts_an_exchange_in_flight_and_later_ones() -> None:
    exchanger = Exchanger(name="test-http")
    outcome: list[BaseException] = []

    def wait_for_answer(url: str) -> None:
        try:
            exchanger.exchange("GET", url, limit_s=600, max_body_bytes=100_000)
        except BaseException as error:  # noqa: BLE001 - the test inspects it
            outcome.append(error)

    with ScriptedServer(lambda *_: trickling(b" " * 10_000)) as server:
        waiting = threading.Thread(target=wait_for_answer, args=(server.url,))
        waiting.start()
        while not server.requests:
            threading.Event().wait(0.05)  # waits for a state: the request arrived
        exchanger.close()
        waiting.join(timeout=60)
        assert not waiting.is_alive()
        assert isinstance(outcome[0], ExchangeError) and "aborted" in str(outcome[0])
        with pytest.raises(ExchangeError, match="closed"):
            exchanger.exchange("GET", server.url, limit_s=1, max_body_bytes=10)


@pytest.mark.parametrize("depth", [31, 32, 33, 100_000])
def test_json_deeper_than_32_levels_is_refused_before_parsing(depth: int) -> None:
    body = ("[" * depth + "]" * depth).encode()
    assert json_too_deep(body) == (depth > 32)
    if depth > 32:
        with pytest.raises(ValueError, match="nested deeper than 32 levels"):
            loads_limited(body)
    else:
        assert loads_limited(body) is not None


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    body = json.dumps({"name": "[" * 1000 + '\\"{' * 100, "x": [1]}).encode()
    assert not json_too_deep(body)
    assert loads_limited(body)["x"] == [1]


_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


def _brackets_by_regex(body: bytes) -> bytes:
    """The reference: every string cut out by the string-skipping regex, brackets kept."""
    return re.sub(rb'"[^"\\]*(?:\\.[^"\\]*)*"', b"", body).translate(None, _NOT_BRACKETS)


_JSONISH = st.lists(st.sampled_from([b'"', b"[", b"]", b"{", b"}", b"\\", b" ", b"a", b"x"]))


@settings(max_examples=400, deadline=None)
@given(
    pieces=_JSONISH,
    document=st.recursive(
        st.none() | st.integers() | st.text(alphabet='[]{}"\\ab\n'),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4)
        ),
    ),
)
def test_the_bracket_skeleton_fast_path_matches_the_regex(
    pieces: list[bytes], document: object
) -> None:
    """The no-escape fast path must keep exactly the brackets the regex keeps, valid or not."""
    for body in (b"".join(pieces), json.dumps(document).encode()):
        assert _brackets_outside_strings(body) == _brackets_by_regex(body)
        expected_deep = _depth_reference(_brackets_by_regex(body)) > 32
        assert json_too_deep(body) == expected_deep


def _depth_reference(skeleton: bytes) -> int:
    passes, parens = 0, skeleton.translate(bytes.maketrans(b"[{]}", b"(())"))
    while b"()" in parens:
        parens, passes = parens.replace(b"()", b""), passes + 1
    return passes
