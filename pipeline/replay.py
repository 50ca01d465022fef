"""Replay: rebuild the views of every stream touched since a moment, straight from the store.

Never through the live execution queue. Each row is written guarded by version, so a replay
racing live traffic never puts back an older row over a newer one.

Where a run is bounded in time (Lambda: 900 s), a replay runs in chunks: a chunk rebuilds pages
of streams, in stream order, from the stream it was given, and when its time runs low it stops
at a page boundary and hands the rest on to the next chunk, named by the last stream it rebuilt.
The command records which chunk is running, so a stale or duplicated chunk invocation does no
more than its own pages and never hands on twice; the last chunk marks the command APPLIED."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from domain.commands import ReplayFrom
from pipeline.delivery import Poison
from pipeline.ports import Backend, ReplayProgress
from pipeline.projection import fold_row
from pipeline.records import RESUME_AFTER, CommandEnvelope, RecordedEvent, Status

log = logging.getLogger("usermgmt.pipeline")

BATCH_STREAMS = 200  # a page: the streams rebuilt in one batch, and a chunk's smallest step
RESERVE_S = 60.0  # a chunk stops when less than this (plus twice its slowest page) is left
# Tries of one chunk that may die without a word (time out) before the replay is FAILED: of
# Lambda's three (maximumRetryAttempts: 2 in serverless.yml), the third reports the failure.
CHUNK_TRIES = 2


@dataclass(frozen=True)
class ReplayReport:
    streams: int
    events: int
    rows_written: int
    resume_after: str | None = None  # stopped early: the last stream rebuilt; None: all done


def replay_from(
    backend: Backend,
    timestamp: datetime,
    *,
    after: str = "",
    time_left_s: Callable[[], float] | None = None,
) -> ReplayReport:
    """Rebuild every stream touched at or after `timestamp` (those after `after` in stream
    order). With `time_left_s`, stop after the first page that leaves too little time for
    another, and report where: at least one page is always done, so chunks always progress."""
    streams = events = written = 0
    histories = backend.events.histories_since(timestamp, after)
    last = after
    slowest = 0.0
    while True:
        started = time.monotonic()
        with backend.batch():
            for _ in range(BATCH_STREAMS):
                history = next(histories, None)
                if history is None:
                    return ReplayReport(streams, events, written)
                streams += 1
                events += len(history)
                written += _rebuild(backend, history)
                last = history[0].stream
        slowest = max(slowest, time.monotonic() - started)
        if time_left_s is not None and time_left_s() < RESERVE_S + 2 * slowest:
            return ReplayReport(streams, events, written, resume_after=last)


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
    envelope, command = _replay_of(body)
    record = backend.commands.get(envelope.command_id)
    if record is not None and record.status.terminal:
        return
    replay_from(backend, command.timestamp)
    backend.commands.advance(envelope.command_id, Status.APPLIED, backend.clock())


class ChunkDied(Exception):
    """A chunk's earlier tries ended without a word (timed out, ran out of memory)."""


def handle_replay_chunk(
    backend: Backend,
    progress: ReplayProgress,
    body: str,
    time_left_s: Callable[[], float],
) -> None:
    """Run the chunk of a ReplayFrom command that `body` names, for as long as time allows:
    hand the rest on to a new invocation, or mark the command APPLIED after the last page."""
    envelope, command = _replay_of(body)
    after = json.loads(body).get(RESUME_AFTER) or ""
    tries = progress.start_replay_chunk(envelope.command_id, after)
    if tries is None:
        log.info("replay chunk after %r is stale: handed on or finished already", after)
        return
    if tries > CHUNK_TRIES:
        where = f"after {after}" if after else "from the start"
        raise ChunkDied(f"the chunk {where} ended without a word {tries - 1} times (timed out?)")
    report = replay_from(backend, command.timestamp, after=after, time_left_s=time_left_s)
    if report.resume_after is None:
        backend.commands.advance(envelope.command_id, Status.APPLIED, backend.clock())
    elif progress.hand_on_replay(envelope.command_id, after, report.resume_after):
        log.info("replay of %d streams handed on after %r", report.streams, report.resume_after)
        assert backend.launch_replay is not None
        backend.launch_replay(envelope, report.resume_after)


def _replay_of(body: str) -> tuple[CommandEnvelope, ReplayFrom]:
    try:
        envelope = CommandEnvelope.from_json(body)
    except Exception as exc:
        raise Poison(f"unreadable replay message: {type(exc).__name__}: {exc}") from exc
    command = envelope.command
    if not isinstance(command, ReplayFrom):
        raise Poison(f"{command.command_name} is not a replay")
    return envelope, command
