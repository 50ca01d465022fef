"""The executor: apply each event to its view row, in version order, exactly once in effect."""

from __future__ import annotations

from pipeline.delivery import Poison
from pipeline.ports import Backend
from pipeline.projection import fold_row, next_row
from pipeline.records import CommandError, RecordedEvent, Status, ViewRow
from pipeline.sealing import ERASED_EVENT, is_sealed, open_record, opened


class Gap(Exception):
    """An earlier event of the stream is not in the view yet; try again when it is."""


class LostRace(Exception):
    """The row changed between read and write (a replay ran); try again."""


def handle_event(backend: Backend, body: str) -> None:
    try:
        record = RecordedEvent.from_json(body)
    except Exception as exc:
        raise Poison(f"unreadable event message: {type(exc).__name__}: {exc}") from exc
    row: ViewRow | object | None = UNREAD
    if backend.read_for_event is not None and is_sealed(record):
        row, key = backend.read_for_event(record)
        record = open_record(record, key)
    else:
        record = opened(record, backend.keys)
    try:
        record.event  # noqa: B018 - decode now, so a malformed event is poison, not a retry
    except Exception as exc:
        raise Poison(f"unreadable event message: {type(exc).__name__}: {exc}") from exc
    apply(backend, record, row)


UNREAD = object()  # the row is not read yet


def apply(backend: Backend, record: RecordedEvent, given: ViewRow | object | None = UNREAD) -> None:
    """Apply the event if its row is one version behind; skip it if the row already has it."""
    if given is UNREAD:
        row = backend.views.get(record.kind, record.aggregate_id)
    else:
        assert given is None or isinstance(given, ViewRow)
        row = given
    current = row.version if row is not None else 0
    if record.version > current + 1:
        raise Gap(f"{record.stream} view is at {current}, event is {record.version}")
    expected = current if row is not None else None
    if record.version == current + 1 and not backend.views.put(
        _next(backend, row, record), expected, row
    ):
        raise LostRace(f"{record.stream} view moved past {current}")
    if record.last:
        backend.commands.advance(record.command_id, Status.APPLIED, backend.clock(), record.version)
    if record.type == ERASED_EVENT:
        backend.on_erase()  # the row's data is overwritten: out of the storage's files too


def _next(backend: Backend, row: ViewRow | None, record: RecordedEvent) -> ViewRow:
    """The row after the event. A tombstone without data (a user deleted before deleted users
    kept theirs) cannot take a restore, and a row written in an older state's shape (before
    the replay an upgrade asks for) cannot be read: the stream, folded up to the event, gives
    the row then."""
    if row is None or row.data is not None:
        try:
            return next_row(row, record)
        except ValueError:  # the row's data is not in today's state shape
            pass
    history = [r for r in backend.events.load(record.stream) if r.version <= record.version]
    folded = fold_row(history)
    return folded if folded is not None else next_row(row, record)


def give_up_event(backend: Backend, body: str, reason: str) -> None:
    try:
        record = RecordedEvent.from_json(body)
    except Exception:
        return
    error = CommandError.internal(f"its events could not be applied to the views: {reason}")
    backend.commands.advance(record.command_id, Status.FAILED, backend.clock(), error=error)
