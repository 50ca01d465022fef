"""Submit: record a command as QUEUED and put it on the command queue."""

from __future__ import annotations

import uuid
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
        return write_unguarded(backend, prepared)


def write_unguarded(backend: Backend, prepared: Prepared) -> CommandRecord:
    """`write` without its batch: for a caller whose own batch is undone whole on a failure."""
    fresh = prepared.record
    stored = backend.commands.record(fresh)
    if (stored.name, stored.aggregate_id, stored.actor) != (
        fresh.name,
        fresh.aggregate_id,
        fresh.actor,
    ):
        raise DomainError(
            Code.VALIDATION, "commandId is already used by another command", "command_id"
        )
    if stored.status is Status.QUEUED:
        # Again on a repeat: if the first submit died before enqueueing, this completes it;
        # otherwise the queue drops the duplicate and the command stage skips a done one.
        backend.command_queue.send([prepared.message])
    return stored
