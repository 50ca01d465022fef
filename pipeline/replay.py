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
from pipeline.records import CommandEnvelope, Status

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
                row = fold_row(history)
                assert row is not None
                streams += 1
                events += len(history)
                written += backend.views.replace(row)
    return ReplayReport(streams, events, written)


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
