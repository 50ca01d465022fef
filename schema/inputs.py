"""Input types of API.md. User inputs (registerMe, updateMe) have no role or group fields.

Each is built straight from graphql-core's parsed value (internals/inputs.py), so none may
nest another input object."""

# Annotations here are objects, not strings (no `from __future__ import annotations`):
# Strawberry reads each one, and a string costs it a compile (see schema/__init__.py).

from datetime import date

import strawberry
from strawberry import UNSET

from internals.inputs import install_flat
from schema.enums import UserStatus


@strawberry.input
class UserFilter:
    email: str | None = None
    role_id: strawberry.ID | None = None
    group_id: strawberry.ID | None = None
    # None: active and blocked users; DELETED lists the deleted (restorable) users only.
    status: UserStatus | None = None


@strawberry.input
class CreateUserInput:
    id: strawberry.ID
    email: str
    first_name: str
    last_name: str
    birth_date: date | None = None
    role_ids: list[strawberry.ID] | None = None
    group_ids: list[strawberry.ID] | None = None
    command_id: strawberry.ID | None = None


@strawberry.input
class UpdateUserInput:
    id: strawberry.ID
    email: str | None = UNSET
    first_name: str | None = UNSET
    last_name: str | None = UNSET
    birth_date: date | None = UNSET
    role_ids: list[strawberry.ID] | None = UNSET
    group_ids: list[strawberry.ID] | None = UNSET
    expected_version: int | None = None
    command_id: strawberry.ID | None = None


@strawberry.input
class RegisterMeInput:
    email: str
    first_name: str
    last_name: str
    birth_date: date | None = None
    command_id: strawberry.ID | None = None


@strawberry.input
class UpdateMeInput:
    email: str | None = UNSET
    first_name: str | None = UNSET
    last_name: str | None = UNSET
    birth_date: date | None = UNSET
    expected_version: int | None = None
    command_id: strawberry.ID | None = None


@strawberry.input
class CreateRoleInput:
    name: str
    description: str
    authorization_ids: list[strawberry.ID] | None = None
    command_id: strawberry.ID | None = None


@strawberry.input
class UpdateRoleInput:
    id: strawberry.ID
    name: str | None = UNSET
    description: str | None = UNSET
    authorization_ids: list[strawberry.ID] | None = UNSET
    expected_version: int | None = None
    command_id: strawberry.ID | None = None


@strawberry.input
class CreateAuthorizationInput:
    name: str
    description: str
    command_id: strawberry.ID | None = None


@strawberry.input
class UpdateAuthorizationInput:
    id: strawberry.ID
    name: str | None = UNSET
    description: str | None = UNSET
    expected_version: int | None = None
    command_id: strawberry.ID | None = None


@strawberry.input
class CreateGroupInput:
    name: str
    description: str
    parent_id: strawberry.ID | None = None
    role_ids: list[strawberry.ID] | None = None
    command_id: strawberry.ID | None = None


@strawberry.input
class UpdateGroupInput:
    id: strawberry.ID
    name: str | None = UNSET
    description: str | None = UNSET
    parent_id: strawberry.ID | None = UNSET  # null: make it a top-level group
    role_ids: list[strawberry.ID] | None = UNSET
    expected_version: int | None = None
    command_id: strawberry.ID | None = None


install_flat(
    UserFilter,
    CreateUserInput,
    UpdateUserInput,
    RegisterMeInput,
    UpdateMeInput,
    CreateRoleInput,
    UpdateRoleInput,
    CreateAuthorizationInput,
    UpdateAuthorizationInput,
    CreateGroupInput,
    UpdateGroupInput,
)
