"""Replay: rebuild the views of every stream touched since a moment, straight from the store.

Never through the live execution queue. Each row is written guarded by version, so a replay
racing live traffic never puts back an older row over a newer one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.commands import ReplayFrom
from pipeline.delivery import Poison
from pipeline.ports import Backend
from pipeline.projection import fold_row
from pipeline.records import CommandEnvelope, RecordedEvent, Status

BATCH_STREAMS = 200


@dataclass(frozen=True)
class ReplayReport:
    streams: int
    events: int
    rows_written: int


def replay_from(backend: Backend, timestamp: datetime) -> ReplayReport:
    streams = events = written = 0
    histories = backend.events.histories_since(timestamp)
    done = False
    while not done:
        with backend.batch():
            for _ in range(BATCH_STREAMS):
                history = next(histories, None)
                if history is None:
                    done = True
                    break
                streams += 1
                events += len(history)
                written += _rebuild(backend, history)
    return ReplayReport(streams, events, written)


def _rebuild(backend: Backend, history: list[RecordedEvent]) -> bool:
    row = fold_row(history)
    assert row is not None
    if backend.views.replace(row):
        return True
    # The stored row claims a newer version. Live traffic may have put it there, or it may be
    # damage: a version the store has never reached. Only the store can tell.
    stored = backend.views.get(row.kind, row.id)
    if stored is None or stored.version <= row.version:
        return False
    head = backend.events.load(history[0].stream)
    if head and head[-1].version >= stored.version:
        return False
    fresh = fold_row(head)
    return fresh is not None and backend.views.put(fresh, stored.version)


def handle_replay(backend: Backend, body: str) -> None:
    """Run a ReplayFrom command taken from the replay queue, then mark it APPLIED."""
    try:
        envelope = CommandEnvelope.from_json(body)
    except Exception as exc:
        raise Poison(f"unreadable replay message: {type(exc).__name__}: {exc}") from exc
    command = envelope.command
    if not isinstance(command, ReplayFrom):
        raise Poison(f"{command.command_name} is not a replay")
    record = backend.commands.get(envelope.command_id)
    if record is not None and record.status.terminal:
        return
    replay_from(backend, command.timestamp)
    backend.commands.advance(envelope.command_id, Status.APPLIED, backend.clock())
