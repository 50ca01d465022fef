"""Input types of API.md. User inputs (registerMe, updateMe) have no role or group fields."""

# Annotations here are objects, not strings (no `from __future__ import annotations`):
# Strawberry reads each one, and a string costs it a compile (see schema/__init__.py).

from collections.abc import Mapping
from datetime import date
from typing import Any

import strawberry
from strawberry import UNSET
from strawberry.types.arguments import InputContext
from strawberry.types.base import StrawberryContainer, get_object_definition


@strawberry.input
class UserFilter:
    email: str | None = None
    role_id: strawberry.ID | None = None
    group_id: strawberry.ID | None = None


@strawberry.input
class CreateUserInput:
    id: strawberry.ID
    email: str
    first_name: str
    last_name: str
    birth_date: date | None = None
    role_id: strawberry.ID | None = None
    group_id: strawberry.ID | None = None
    command_id: strawberry.ID | None = None


@strawberry.input
class UpdateUserInput:
    id: strawberry.ID
    email: str | None = UNSET
    first_name: str | None = UNSET
    last_name: str | None = UNSET
    birth_date: date | None = UNSET
    role_id: strawberry.ID | None = UNSET
    group_id: strawberry.ID | None = UNSET
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
    command_id: strawberry.ID | None = None


@strawberry.input
class UpdateGroupInput:
    id: strawberry.ID
    name: str | None = UNSET
    description: str | None = UNSET
    expected_version: int | None = None
    command_id: strawberry.ID | None = None


def _build_flat(cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
    """These inputs hold only scalars and lists of scalars, which graphql-core has already
    parsed, so the value maps straight onto the class. Strawberry's generic conversion
    re-resolves every field's type on each request: about a fifth of a createUser's CPU."""
    names = _NAMES.get(cls)
    if names is None:
        definition = get_object_definition(cls, strict=True)
        convert = context.config.name_converter.from_field
        names = _NAMES[cls] = tuple((convert(f), f.python_name) for f in definition.fields)
    # Lists are copied: graphql-core hands every request that omits one the same default.
    return cls(
        **{
            python: list(value[graphql]) if isinstance(value[graphql], list) else value[graphql]
            for graphql, python in names
            if graphql in value
        }
    )


_NAMES: dict[type, tuple[tuple[str, str], ...]] = {}


def _flat(cls: type) -> bool:
    """True when no field of `cls` is itself an input object (those need converting)."""
    for field in get_object_definition(cls, strict=True).fields:
        kind: Any = field.type
        while isinstance(kind, StrawberryContainer):
            kind = kind.of_type
        if get_object_definition(kind) is not None:
            return False
    return True


for _input in (
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
):
    assert _flat(_input), f"{_input.__name__} nests an input: _build_flat cannot build it"
    get_object_definition(_input, strict=True).from_input = _build_flat
