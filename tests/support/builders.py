"""Small builders for tests: ids, commands, submissions as an admin."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from domain import commands as c
from domain.commands import Command
from pipeline.ports import Backend
from pipeline.records import CommandRecord, Status
from pipeline.submit import submit

ADMIN = "auth0|admin"


def new_id() -> str:
    return str(uuid.uuid4())


def as_admin(backend: Backend, command: Command, command_id: str | None = None) -> CommandRecord:
    return submit(backend, command, actor=ADMIN, admin=True, command_id=command_id)


def create_user(
    user_id: str, email: str, *, role_ids: Iterable[str] = (), group_ids: Iterable[str] = ()
) -> c.CreateUser:
    return c.CreateUser(
        id=user_id,
        email=email,
        first_name="Ada",
        last_name="Lovelace",
        role_ids=tuple(role_ids),
        group_ids=tuple(group_ids),
    )


def create_role(role_id: str, name: str, authorization_ids: Iterable[str] = ()) -> c.CreateRole:
    return c.CreateRole(
        id=role_id,
        name=name,
        description=f"{name} role",
        authorization_ids=tuple(authorization_ids),
    )


def queued_record(
    command_id: str | None = None, name: str = "CreateGroup", aggregate_id: str = "g"
) -> CommandRecord:
    """A command as submit records it, without a message on any queue."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return CommandRecord(
        id=command_id or new_id(),
        name=name,
        status=Status.QUEUED,
        actor=ADMIN,
        submitted_at=at,
        updated_at=at,
        aggregate_id=aggregate_id,
    )


def statuses(backend: Backend, records: Iterable[CommandRecord]) -> list[Status]:
    out = []
    for record in records:
        stored = backend.commands.get(record.id)
        assert stored is not None
        out.append(stored.status)
    return out
