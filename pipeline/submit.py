"""Submit: record a command as QUEUED and put it on the command queue."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from domain.commands import Command
from domain.errors import Code, DomainError
from pipeline.ports import Backend, OutMessage
from pipeline.records import CommandEnvelope, CommandRecord, Status


def submit(
    backend: Backend, command: Command, actor: str, admin: bool, command_id: str | None = None
) -> CommandRecord:
    """The command's record. A command id seen before returns that command's record and runs
    nothing again; the same id for a different command or caller is refused. Atomic: what it
    writes is one batch (inside another, a savepoint), undone as a whole when it raises."""
    return write(backend, prepare(backend, command, actor, admin, command_id))


@dataclass(frozen=True)
class Prepared:
    """A submission made ready to write: what needs no lock is done before taking it."""

    record: CommandRecord
    message: OutMessage


def prepare(
    backend: Backend, command: Command, actor: str, admin: bool, command_id: str | None = None
) -> Prepared:
    envelope = CommandEnvelope(
        command_id=command_id or str(uuid.uuid4()),
        command=command,
        actor=actor,
        admin=admin,
        submitted_at=backend.clock(),
    )
    message = OutMessage(envelope.to_json(), envelope.stream or "operations", envelope.command_id)
    return Prepared(envelope.record(), message)


def write(backend: Backend, prepared: Prepared) -> CommandRecord:
    """`submit`'s writes, for a submission already prepared, in a batch of their own."""
    with backend.batch():
        return write_unguarded(backend, [prepared])[0]


def write_unguarded(backend: Backend, prepared: Sequence[Prepared]) -> list[CommandRecord]:
    """`write` of several submissions with no batch of their own and their messages sent in
    one call: for a caller whose own batch is undone whole if this raises."""
    stored = [_record(backend, p.record) for p in prepared]
    # Again on a repeat: if the first submit died before enqueueing, this completes it;
    # otherwise the queue drops the duplicate and the command stage skips a done one.
    queued = zip(prepared, stored, strict=True)
    backend.command_queue.send([p.message for p, s in queued if s.status is Status.QUEUED])
    return stored


def _record(backend: Backend, fresh: CommandRecord) -> CommandRecord:
    stored = backend.commands.record(fresh)
    if (stored.name, stored.aggregate_id, stored.actor) != (
        fresh.name,
        fresh.aggregate_id,
        fresh.actor,
    ):
        raise DomainError(
            Code.VALIDATION, "commandId is already used by another command", "command_id"
        )
    return stored
