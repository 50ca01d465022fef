"""Reads folded from the event store: an aggregate's history and its state at an instant."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain.model import AGGREGATES, stream_name
from pipeline.ports import EventStore
from pipeline.projection import fold_row
from pipeline.records import RecordedEvent, ViewRow


def history(store: EventStore, aggregate_id: str, kinds: Iterable[str] = ()) -> list[RecordedEvent]:
    """The events of the aggregate with this id, in version order (empty when there is none).
    Ids are unique within a kind; the kinds are tried in turn unless given."""
    for kind in kinds or AGGREGATES:
        records = store.load(stream_name(kind, aggregate_id))
        if records:
            return records
    return []


def as_of(store: EventStore, kind: str, aggregate_id: str, at: datetime) -> ViewRow | None:
    """The aggregate as it was at `at`: None before it existed or after it was deleted, and
    always None once it is erased (erased users are never returned by any read)."""
    history = store.load(stream_name(kind, aggregate_id))
    if any(r.type == "UserErased" for r in history):
        return None
    records = [r for r in history if r.occurred_at <= at]
    row = fold_row(records)
    return None if row is None or row.deleted else row
