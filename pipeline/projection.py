"""How one event changes one view row. The executor and replay both fold through this, so a view
built live and a view rebuilt from the store cannot differ."""

from __future__ import annotations

from collections.abc import Iterable

from domain.codec import from_data, to_data
from domain.model import aggregate_of
from pipeline.records import RecordedEvent, ViewRow


def next_row(row: ViewRow | None, record: RecordedEvent) -> ViewRow:
    aggregate = aggregate_of(record.kind)
    state = None if row is None or row.data is None else from_data(aggregate.state, row.data)
    gone = row is not None and state is None  # a tombstone: only a create brings a row back
    if record.erased or (gone and type(record.event) not in aggregate.creates.values()):
        # Its person was erased since (an event applied late, or replayed): the row stays a
        # tombstone, through the events between the erased ones and UserErased too.
        after = None
    else:
        after = aggregate.evolve(state, record.event)
    if getattr(after, "erased", False):
        after = None  # an erased user's row is a tombstone: no read returns them
    created_at = row.created_at if row is not None and state is not None else record.occurred_at
    return ViewRow(
        kind=record.kind,
        id=record.aggregate_id,
        version=record.version,
        data=None if after is None else to_data(after),
        created_at=None if after is None else created_at,
        updated_at=record.occurred_at,
    )


def fold_row(history: Iterable[RecordedEvent]) -> ViewRow | None:
    row = None
    for record in history:
        row = next_row(row, record)
    return row
