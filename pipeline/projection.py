"""How one event changes one view row. The executor and replay both fold through this, so a view
built live and a view rebuilt from the store cannot differ."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from domain.codec import from_data, to_data
from domain.model import aggregate_of
from pipeline.records import RecordedEvent, ViewRow


def next_row(row: ViewRow | None, record: RecordedEvent) -> ViewRow:
    aggregate = aggregate_of(record.kind)
    state = None if row is None or row.data is None else from_data(aggregate.state, row.data)
    created_at = None if row is None else row.created_at
    after, created_at = _step(state, row is not None, created_at, record)
    return _row(record, after, created_at)


def fold_row(history: Iterable[RecordedEvent]) -> ViewRow | None:
    """The row after every event of `history`, folded on the states themselves: the same rows
    as next_row event by event, without taking the state to plain data and back between."""
    state: Any = None
    seen = False
    created_at: datetime | None = None
    last = None
    for record in history:
        state, created_at = _step(state, seen, created_at, record)
        seen, last = True, record
    return None if last is None else _row(last, state, created_at)


def _step(
    state: Any, seen: bool, created_at: datetime | None, record: RecordedEvent
) -> tuple[Any, datetime | None]:
    """The state after `record`, and the row's creation time (None while it is a tombstone)."""
    aggregate = aggregate_of(record.kind)
    gone = seen and state is None  # a tombstone: only a create brings a row back
    if record.erased or (gone and type(record.event) not in aggregate.creates.values()):
        # Its person was erased since (an event applied late, or replayed): the row stays a
        # tombstone, through the events between the erased ones and UserErased too.
        after = None
    else:
        after = aggregate.evolve(state, record.event)
    if getattr(after, "erased", False):
        after = None  # an erased user's row is a tombstone: no read returns them
    if after is None:
        return None, None
    return after, created_at if seen and state is not None else record.occurred_at


def _row(record: RecordedEvent, state: Any, created_at: datetime | None) -> ViewRow:
    return ViewRow(
        kind=record.kind,
        id=record.aggregate_id,
        version=record.version,
        data=None if state is None else to_data(state),
        created_at=created_at,
        updated_at=record.occurred_at,
    )
