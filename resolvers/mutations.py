"""Mutation resolvers: check the input with the domain's validators, build the command, submit
it, return the receipt. They never write views; the pipeline does, and the receipt's command id
lets the client follow it."""

# Annotations here are objects, not strings (no `from __future__ import annotations`):
# Strawberry reads each one, and a string costs it a compile (see schema/__init__.py).

import uuid
from datetime import datetime
from typing import Any

import strawberry

from domain import commands as c
from domain.errors import DomainError
from domain.validation import validate
from resolvers.checks import command_id as checked_command_id
from resolvers.checks import patch
from schema.context import Info
from schema.errors import BadUserInput
from schema.inputs import (
    CreateAuthorizationInput,
    CreateGroupInput,
    CreateRoleInput,
    CreateUserInput,
    RegisterMeInput,
    UpdateAuthorizationInput,
    UpdateGroupInput,
    UpdateMeInput,
    UpdateRoleInput,
    UpdateUserInput,
)
from schema.types import CommandReceipt


async def send(info: Info, command: c.Command, command_id: str | None) -> CommandReceipt:
    """Validate (BAD_USER_INPUT, nothing enqueued), then submit and return the receipt."""
    ctx = info.context
    caller = ctx.caller
    assert caller is not None  # the field's permission ran first
    own_id = checked_command_id(command_id)
    try:
        command = validate(command, ctx.today())
        record = await ctx.submit(command, caller.sub, caller.admin, own_id)
    except DomainError as error:
        raise BadUserInput.of(error) from None
    return CommandReceipt.of(record)


_IDS_OF_COMMANDS = uuid.UUID("3b0f7c52-6f1e-4a51-9d1e-2f8f3c1f6a77")


def _new_id(command_id: str | None) -> str:
    """A new aggregate's id. A client's own command id fixes it, so the same command sent
    twice names the same aggregate and runs once."""
    if command_id is None:
        return str(uuid.uuid4())
    return str(uuid.uuid5(_IDS_OF_COMMANDS, command_id))


def _ids(values: list[strawberry.ID] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


def _patch_ids(values: list[strawberry.ID] | None) -> Any:
    """UNSET stays UNSET; null stays null (refused by validation: a list is never null)."""
    return patch(values if values is strawberry.UNSET else _ids(values))


# Users ------------------------------------------------------------------------------------------


async def create_user(info: Info, input: CreateUserInput) -> CommandReceipt:
    command = c.CreateUser(
        id=input.id,
        email=input.email,
        first_name=input.first_name,
        last_name=input.last_name,
        birth_date=input.birth_date,
        role_ids=_ids(input.role_ids) or (),
        group_ids=_ids(input.group_ids) or (),
    )
    return await send(info, command, input.command_id)


async def update_user(info: Info, input: UpdateUserInput) -> CommandReceipt:
    command = c.UpdateUser(
        id=input.id,
        email=patch(input.email),
        first_name=patch(input.first_name),
        last_name=patch(input.last_name),
        birth_date=patch(input.birth_date),
        role_ids=_patch_ids(input.role_ids),
        group_ids=_patch_ids(input.group_ids),
        expected_version=input.expected_version,
    )
    return await send(info, command, input.command_id)


async def delete_user(
    info: Info,
    id: strawberry.ID,
    expected_version: int | None = None,
    command_id: strawberry.ID | None = None,
) -> CommandReceipt:
    return await send(info, c.DeleteUser(id=id, expected_version=expected_version), command_id)


async def block_user(
    info: Info,
    id: strawberry.ID,
    reason: str,
    until: datetime | None = None,
    command_id: strawberry.ID | None = None,
) -> CommandReceipt:
    return await send(info, c.BlockUser(id=id, reason=reason, until=until), command_id)


async def unblock_user(
    info: Info, id: strawberry.ID, command_id: strawberry.ID | None = None
) -> CommandReceipt:
    return await send(info, c.UnblockUser(id=id), command_id)


async def restore_user(
    info: Info, id: strawberry.ID, command_id: strawberry.ID | None = None
) -> CommandReceipt:
    return await send(info, c.RestoreUser(id=id), command_id)


async def erase_user(
    info: Info, id: strawberry.ID, command_id: strawberry.ID | None = None
) -> CommandReceipt:
    return await send(info, c.EraseUser(id=id), command_id)


async def erase_me(info: Info, command_id: strawberry.ID | None = None) -> CommandReceipt:
    caller = info.context.caller
    assert caller is not None
    return await send(info, c.EraseMe(id=caller.sub), command_id)


async def register_me(info: Info, input: RegisterMeInput) -> CommandReceipt:
    """The sign-up form on first login: the record's id is the token's subject."""
    caller = info.context.caller
    assert caller is not None
    command = c.RegisterMe(
        id=caller.sub,
        email=input.email,
        first_name=input.first_name,
        last_name=input.last_name,
        birth_date=input.birth_date,
    )
    return await send(info, command, input.command_id)


async def update_me(info: Info, input: UpdateMeInput) -> CommandReceipt:
    caller = info.context.caller
    assert caller is not None
    command = c.UpdateMe(
        id=caller.sub,
        email=patch(input.email),
        first_name=patch(input.first_name),
        last_name=patch(input.last_name),
        birth_date=patch(input.birth_date),
        expected_version=input.expected_version,
    )
    return await send(info, command, input.command_id)


# Roles ------------------------------------------------------------------------------------------


async def create_role(info: Info, input: CreateRoleInput) -> CommandReceipt:
    command = c.CreateRole(
        id=_new_id(input.command_id),
        name=input.name,
        description=input.description,
        authorization_ids=_ids(input.authorization_ids) or (),
    )
    return await send(info, command, input.command_id)


async def update_role(info: Info, input: UpdateRoleInput) -> CommandReceipt:
    command = c.UpdateRole(
        id=input.id,
        name=patch(input.name),
        description=patch(input.description),
        authorization_ids=_patch_ids(input.authorization_ids),
        expected_version=input.expected_version,
    )
    return await send(info, command, input.command_id)


async def delete_role(
    info: Info,
    id: strawberry.ID,
    expected_version: int | None = None,
    command_id: strawberry.ID | None = None,
) -> CommandReceipt:
    return await send(info, c.DeleteRole(id=id, expected_version=expected_version), command_id)


# Authorizations ---------------------------------------------------------------------------------


async def create_authorization(info: Info, input: CreateAuthorizationInput) -> CommandReceipt:
    command = c.CreateAuthorization(
        id=_new_id(input.command_id), name=input.name, description=input.description
    )
    return await send(info, command, input.command_id)


async def update_authorization(info: Info, input: UpdateAuthorizationInput) -> CommandReceipt:
    command = c.UpdateAuthorization(
        id=input.id,
        name=patch(input.name),
        description=patch(input.description),
        expected_version=input.expected_version,
    )
    return await send(info, command, input.command_id)


async def delete_authorization(
    info: Info,
    id: strawberry.ID,
    expected_version: int | None = None,
    command_id: strawberry.ID | None = None,
) -> CommandReceipt:
    return await send(
        info, c.DeleteAuthorization(id=id, expected_version=expected_version), command_id
    )


# Groups -----------------------------------------------------------------------------------------


async def create_group(info: Info, input: CreateGroupInput) -> CommandReceipt:
    command = c.CreateGroup(
        id=_new_id(input.command_id),
        name=input.name,
        description=input.description,
        parent_id=input.parent_id,
        role_ids=_ids(input.role_ids) or (),
    )
    return await send(info, command, input.command_id)


async def update_group(info: Info, input: UpdateGroupInput) -> CommandReceipt:
    command = c.UpdateGroup(
        id=input.id,
        name=patch(input.name),
        description=patch(input.description),
        parent_id=patch(input.parent_id),
        role_ids=_patch_ids(input.role_ids),
        expected_version=input.expected_version,
    )
    return await send(info, command, input.command_id)


async def delete_group(
    info: Info,
    id: strawberry.ID,
    expected_version: int | None = None,
    command_id: strawberry.ID | None = None,
) -> CommandReceipt:
    return await send(info, c.DeleteGroup(id=id, expected_version=expected_version), command_id)


# Operations -------------------------------------------------------------------------------------


async def replay_from(info: Info, timestamp: datetime) -> CommandReceipt:
    """Rebuild the views from the events since `timestamp`; APPLIED once they are rebuilt."""
    return await send(info, c.ReplayFrom(timestamp=timestamp), None)
