"""The catalogue and the condition names are one list: every raiser spells a name one way."""

from __future__ import annotations

from alarms.catalogue import default_conditions
from domain.signals import Condition


def test_the_catalogue_defines_every_condition_name_exactly_once() -> None:
    names = [condition.name for condition in default_conditions()]
    assert sorted(names) == sorted(Condition) and len(set(names)) == len(names)


def test_every_detect_and_cancel_event_id_is_its_own() -> None:
    ids = [
        event_id
        for condition in default_conditions()
        for event_id in (condition.detect_event_id, condition.cancel_event_id)
    ]
    assert len(set(ids)) == len(ids)
