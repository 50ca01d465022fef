from __future__ import annotations

import json
from datetime import UTC, date, datetime

from domain import events as e
from domain.model import fold
from pipeline.records import RecordedEvent


def test_a_v1_user_created_event_is_upcast_when_read() -> None:
    """v1 events used the 2019 seed's names; they still fold after the shape changed."""
    stored = RecordedEvent(
        stream="user#auth0|old",
        version=1,
        type="UserCreated",
        schema_version=1,
        data={
            "id": "auth0|old",
            "email": "o@x.io",
            "first_name": "O",
            "last_name": "L",
            "date": "1990-05-01",
            "role": "",
            "group": "9b2d1c4e-1f2a-4b3c-8d4e-5f6a7b8c9d0e",
        },
        occurred_at=datetime(2019, 8, 9, tzinfo=UTC),
        command_id="legacy",
        actor="seed",
    )
    event = stored.event
    assert event == e.UserCreated(
        id="auth0|old",
        email="o@x.io",
        first_name="O",
        last_name="L",
        birth_date=date(1990, 5, 1),
        role_ids=(),
        group_ids=("9b2d1c4e-1f2a-4b3c-8d4e-5f6a7b8c9d0e",),
    )
    assert fold("user", [event]).birth_date == date(1990, 5, 1)


def test_recorded_events_round_trip_through_json() -> None:
    original = RecordedEvent(
        stream="role#r",
        version=3,
        type="RoleUpdated",
        schema_version=1,
        data={"id": "r", "authorization_ids": ["a", "b"]},
        occurred_at=datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
        command_id="c",
        actor="x",
        index=1,
        last=False,
    )
    again = RecordedEvent.from_json(original.to_json())
    assert again == original
    assert json.loads(original.to_json())["occurred_at"] == "2026-01-02T03:04:05.678Z"
    assert again.event == e.RoleUpdated(id="r", authorization_ids=("a", "b"))


def test_event_ids_are_derived_from_the_command_and_position() -> None:
    def rec(command_id: str, index: int) -> RecordedEvent:
        return RecordedEvent(
            stream="s",
            version=1,
            type="GroupDeleted",
            data={"id": "g"},
            occurred_at=datetime(2026, 1, 1, tzinfo=UTC),
            command_id=command_id,
            actor="a",
            index=index,
        )

    assert rec("c1", 0).event_id == rec("c1", 0).event_id
    assert len({rec("c1", 0).event_id, rec("c1", 1).event_id, rec("c2", 0).event_id}) == 3
