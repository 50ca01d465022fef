"""Replay folds a stream on the states themselves; the executor folds one event at a time
through the stored row. Both must give the same row, or a rebuilt view would differ from the
live one."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain import events as e
from domain.codec import to_data
from pipeline.projection import fold_row, next_row
from pipeline.records import RecordedEvent, ViewRow

ID = "auth0|ada"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
EVENTS: list[e.Event] = [
    e.UserCreated(id=ID, email="ada@example.com", first_name="Ada", last_name="L"),
    e.UserRegistered(id=ID, email="ada@example.org", first_name="Ada", last_name="K"),
    e.UserUpdated(id=ID, last_name="Lovelace", birth_date=date(1815, 12, 10)),
    e.UserUpdated(id=ID, role_ids=("r1", "r2"), group_ids=("g1",)),
    e.UserBlocked(id=ID, reason="spam", blocked_by="auth0|admin", at=T0, until=T0),
    e.UserUnblocked(id=ID),
    e.UserDeleted(id=ID),
    e.UserRestored(id=ID, role_ids=("r1",)),
    e.UserErased(id=ID),
]


def records(picks: list[tuple[int, bool]]) -> list[RecordedEvent]:
    return [
        RecordedEvent(
            stream=f"user#{ID}",
            version=n + 1,
            type=EVENTS[i].type,
            data=to_data(EVENTS[i]),
            occurred_at=T0 + timedelta(minutes=n),
            command_id=f"c{n}",
            actor="auth0|admin",
            erased=("email",) if erased else (),
        )
        for n, (i, erased) in enumerate(picks)
    ]


def one_by_one(history: list[RecordedEvent]) -> ViewRow | None:
    row = None
    for record in history:
        row = next_row(row, record)
    return row


@given(st.lists(st.tuples(st.integers(0, len(EVENTS) - 1), st.booleans()), max_size=12))
def test_a_stream_folded_at_once_gives_the_row_folded_event_by_event(
    picks: list[tuple[int, bool]],
) -> None:
    history = records(picks)
    try:
        expected: ViewRow | type[ValueError] | None = one_by_one(history)
    except ValueError:
        expected = ValueError
    try:
        folded: ViewRow | type[ValueError] | None = fold_row(history)
    except ValueError:
        folded = ValueError
    assert folded == expected
