"""Backlog files: checksummed JSON that survives a round trip and refuses damage."""

from __future__ import annotations

import pytest

from storage.backlog import ItemCorruptError, decode_item, encode_item
from storage.backlog.items import due_from_name, item_file_name
from tests.storage.backlog.support import make_item


def test_an_item_survives_encoding_and_decoding() -> None:
    item = make_item(1, targets=3)
    assert decode_item(encode_item(item)) == item


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: data.replace(b'"attempts": 1', b'"attempts": 9'),
        lambda data: b"[1, 2]",
        lambda data: b"\xff\xfe not text",
    ],
    ids=["empty", "truncated", "edited", "not an object", "not utf-8"],
)
def test_a_damaged_file_is_refused_with_a_reason(damage: object) -> None:
    data = encode_item(make_item(1))
    with pytest.raises(ItemCorruptError):
        decode_item(damage(data))  # type: ignore[operator]


def test_file_names_sort_in_due_order_and_carry_the_due_time() -> None:
    early = make_item(2, now=1_000.0, delay_s=1.0)
    late = make_item(1, now=1_000.0, delay_s=30.0)
    names = sorted([item_file_name(late), item_file_name(early)])
    assert names == [item_file_name(early), item_file_name(late)]
    assert due_from_name(item_file_name(late)) == pytest.approx(1_030.0)
    assert due_from_name("notes.txt") is None
