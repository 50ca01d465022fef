"""The mediator: every new event from the store's change feed onto the execution queue."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.ports import Backend, OutMessage, Queue
from pipeline.records import RecordedEvent


def forward(queue: Queue, records: Sequence[RecordedEvent]) -> None:
    """One message per event, grouped by stream so each stream's events stay in order, and
    deduplicated by event id so forwarding twice delivers once."""
    if records:
        queue.send([OutMessage(r.to_json(), r.stream, r.event_id) for r in records])


def mediate_once(backend: Backend, limit: int = 500) -> int:
    """Forward the events after the checkpoint and move it, in one batch. Returns how many."""
    feed = backend.change_feed
    assert feed is not None, "this backend's change feed is a stream trigger, not a poll"
    with backend.batch():
        records = feed.read(limit)
        if records:
            forward(backend.execution_queue, records)
            last = records[-1].position
            assert last is not None
            feed.commit(last)
    return len(records)
