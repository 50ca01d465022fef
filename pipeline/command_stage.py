"""The command stage: load the stream, decide, append atomically, record the outcome."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from domain.commands import AggregateCommand, ReplayFrom, RestoreUser
from domain.errors import DomainError
from domain.model import (
    Effects,
    TreeWrite,
    duplicate,
    effects,
    fold,
    handle,
    missing_target,
    still_referenced,
)
from domain.tree import check_parent, moved
from pipeline.delivery import Poison
from pipeline.ports import (
    Backend,
    ClaimTaken,
    TargetMissing,
    TargetReferenced,
    TreeMoved,
    VersionConflict,
)
from pipeline.records import (
    CommandEnvelope,
    CommandError,
    RecordedEvent,
    Status,
    command_id_of,
)

log = logging.getLogger("usermgmt.pipeline")

MAX_DECISIONS = 8  # reload-and-decide rounds after version conflicts before trying again later


class ContendedStream(Exception):
    """Other writers kept winning; the message is tried again later."""


@dataclass(frozen=True)
class Decision:
    status: Status
    version: int | None = None
    error: CommandError | None = None


def handle_command(backend: Backend, body: str) -> None:
    try:
        envelope = CommandEnvelope.from_json(body)
    except Exception as exc:
        raise Poison(f"unreadable command message: {type(exc).__name__}: {exc}") from exc
    record = backend.commands.get(envelope.command_id)
    if record is None:
        backend.commands.record(envelope.record())
    elif record.status is not Status.QUEUED:
        return  # a redelivery of a command already decided
    if isinstance(envelope.command, ReplayFrom):
        _start_replay(backend, envelope)
        return
    decision = decide(backend, envelope)
    backend.commands.advance(
        envelope.command_id, decision.status, backend.clock(), decision.version, decision.error
    )


def give_up_command(backend: Backend, body: str, reason: str) -> None:
    """The command's last word after its last delivery failed. FAILED, unless an earlier
    delivery stored its events (a store without transactions keeps them when a later step of
    the same delivery fails): those stand and go on to the views, so it is ACCEPTED."""
    command_id = command_id_of(body)
    if command_id is None:
        return
    now = backend.clock()
    stored = _stored_version(backend, body)
    if stored is not None:
        backend.commands.advance(command_id, Status.ACCEPTED, now, stored)
        return
    backend.commands.advance(command_id, Status.FAILED, now, error=CommandError.internal(reason))


def _stored_version(backend: Backend, body: str) -> int | None:
    """The version of the command's last stored event; None when it stored none, or when the
    store cannot tell (it is often why the command is given up)."""
    try:
        envelope = CommandEnvelope.from_json(body)
        if envelope.stream is None:
            return None
        history = backend.events.load(envelope.stream)
    except Exception:
        log.warning("giving up command %s without reading its stream", command_id_of(body))
        return None
    mine = [r.version for r in history if r.command_id == envelope.command_id]
    return mine[-1] if mine else None


def decide(backend: Backend, envelope: CommandEnvelope) -> Decision:
    command = envelope.command
    assert isinstance(command, AggregateCommand) and command.KIND is not None
    stream = envelope.stream
    assert stream is not None
    gone: frozenset[str] = frozenset()  # references a restore found missing: it leaves them
    for _ in range(MAX_DECISIONS):
        history = backend.events.load(stream)
        mine = [r for r in history if r.command_id == envelope.command_id]
        if mine:  # stored on an earlier delivery that died before recording the outcome
            return Decision(Status.ACCEPTED, mine[-1].version)
        version = history[-1].version if history else 0
        state = fold(command.KIND, (r.event for r in history))
        now = backend.clock()
        try:
            events = handle(state, version, command, envelope.context(now.date(), now, gone))
        except DomainError as error:
            return Decision(Status.REJECTED, error=CommandError.of(error))
        if not events:
            return Decision(Status.APPLIED, version)
        after = fold(command.KIND, events, state)
        records = RecordedEvent.batch(envelope, version, events, now)
        outcome = effects(command.KIND, command.id, state, after)
        try:
            outcome = _with_tree(backend, command.id, state, after, outcome)
        except DomainError as error:
            return _rejected(error)
        try:
            backend.events.append(stream, version, records, outcome)
        except TreeMoved:
            continue  # another parent changed meanwhile: decide again on the new tree
        except VersionConflict:
            if command.expected_version is not None:
                message = f"{stream} changed while the command ran; expected {version}"
                conflict = CommandError("CONFLICT", message, "expected_version")
                return Decision(Status.REJECTED, error=conflict)
            continue
        except ClaimTaken as taken:
            return _rejected(duplicate(taken.claim))
        except TargetMissing as missing:
            if isinstance(command, RestoreUser) and missing.stream not in gone:
                gone |= {missing.stream}  # decide again without it
                continue
            return _rejected(missing_target(command.KIND, missing.stream))
        except TargetReferenced as referenced:
            return _rejected(still_referenced(referenced.stream, referenced.count))
        return Decision(Status.ACCEPTED, records[-1].version)
    raise ContendedStream(f"{stream}: lost {MAX_DECISIONS} version races in a row")


def _with_tree(
    backend: Backend, group_id: str, before: object, after: object, outcome: Effects
) -> Effects:
    """A group whose parent changes (created under one, moved, deleted from under one) is
    checked against the whole tree, and its append guarded by the tree's version."""
    parent_before = getattr(before, "parent_id", None)
    parent_after = getattr(after, "parent_id", None)
    if parent_before == parent_after:
        return outcome
    tree = backend.events.group_tree()
    check_parent(tree.parents, group_id, parent_after)
    write = TreeWrite(tree.version, moved(tree.parents, group_id, parent_after))
    return replace(outcome, tree=write)


def _rejected(error: DomainError) -> Decision:
    return Decision(Status.REJECTED, error=CommandError.of(error))


def _start_replay(backend: Backend, envelope: CommandEnvelope) -> None:
    if not envelope.admin:
        error = CommandError("FORBIDDEN", "ReplayFrom needs the admin right")
        backend.commands.advance(envelope.command_id, Status.REJECTED, backend.clock(), error=error)
        return
    if backend.launch_replay is None:
        raise RuntimeError("this backend cannot run replays")
    backend.commands.advance(envelope.command_id, Status.ACCEPTED, backend.clock())
    backend.launch_replay(envelope)
