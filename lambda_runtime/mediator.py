"""Lambda: the mediator, fed by the events table's stream.

Only INSERTs of event items matter (the mapping's filter drops the rest before we are called;
this checks again, since a filter is configuration). Events go onto the execution queue ten to
a request, in stream order. When a request fails, the response names the first record not yet
forwarded, and Lambda retries from there: records forwarded twice are dropped by the queue's
deduplication (event ids) or skipped by the executor (versions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.dynamodb.event_items import is_event, record_of
from lambda_runtime.log import command_keys, logger
from pipeline.mediator import forward
from pipeline.ports import Queue
from pipeline.records import RecordedEvent

SEND_BATCH = 10


@dataclass(frozen=True)
class Mediator:
    """A Lambda handler: the events table's stream onto `queue`, the execution queue."""

    queue: Queue

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return mediate(self.queue, event)


def mediate(queue: Queue, event: dict[str, Any]) -> dict[str, Any]:
    pending: list[tuple[str, RecordedEvent]] = []
    unreadable = None
    for raw in event.get("Records", []):
        image = raw.get("dynamodb", {}).get("NewImage") or {}
        if raw.get("eventName") != "INSERT" or not is_event(image):
            continue
        sequence = raw["dynamodb"]["SequenceNumber"]
        try:
            pending.append((sequence, record_of(image)))
        except Exception:
            logger.exception("unreadable event in the stream", extra={"sequence": sequence})
            unreadable = sequence
            break
    failed_at = _forward(queue, pending) or unreadable
    return {"batchItemFailures": [{"itemIdentifier": failed_at}] if failed_at else []}


def _forward(queue: Queue, pending: list[tuple[str, RecordedEvent]]) -> str | None:
    """Forward in order; the sequence number of the first record not forwarded, if any."""
    for start in range(0, len(pending), SEND_BATCH):
        chunk = pending[start : start + SEND_BATCH]
        try:
            forward(queue, [record for _, record in chunk])
        except Exception:
            with command_keys(chunk[0][1].command_id):
                logger.exception("could not forward events; the stream will retry them")
            return chunk[0][0]
        for _, record in chunk:
            with command_keys(record.command_id):
                logger.info("forwarded", extra={"stream": record.stream, "version": record.version})
    return None
