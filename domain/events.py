"""Events: what happened, named in the past tense. Each carries the schema version of its shape.

When a shape changes, SCHEMA_VERSION goes up and an upcaster in UPCASTERS turns the previous
shape into the next as events are read, so the store is never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from domain.patch import UNSET, Patch


@dataclass(frozen=True, kw_only=True)
class Event:
    KIND: ClassVar[str]
    SCHEMA_VERSION: ClassVar[int] = 1
    id: str

    @property
    def type(self) -> str:
        return type(self).__name__


# Users ------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class UserCreated(Event):
    KIND = "user"
    SCHEMA_VERSION = 3
    email: str
    first_name: str
    last_name: str
    birth_date: date | None = None
    role_ids: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class UserRegistered(Event):
    KIND = "user"
    email: str
    first_name: str
    last_name: str
    birth_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class UserUpdated(Event):
    KIND = "user"
    SCHEMA_VERSION = 2
    email: Patch[str] = UNSET
    first_name: Patch[str] = UNSET
    last_name: Patch[str] = UNSET
    birth_date: Patch[date | None] = UNSET
    role_ids: Patch[tuple[str, ...]] = UNSET
    group_ids: Patch[tuple[str, ...]] = UNSET


@dataclass(frozen=True, kw_only=True)
class UserDeleted(Event):
    KIND = "user"


@dataclass(frozen=True, kw_only=True)
class UserBlocked(Event):
    """`blocked_by` is the admin's subject; the block ends at `until` by itself (no event)."""

    KIND = "user"
    reason: str
    blocked_by: str
    at: datetime
    until: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class UserUnblocked(Event):
    KIND = "user"


@dataclass(frozen=True, kw_only=True)
class UserRestored(Event):
    """The deleted user is back; `role_ids` and `group_ids` are those that still existed."""

    KIND = "user"
    role_ids: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class UserErased(Event):
    """The person's key is deleted: their personal fields in earlier events read as erased."""

    KIND = "user"


# Personal fields, by event type: written sealed with the person's own key (pipeline/sealing.py)
PERSONAL: dict[str, tuple[str, ...]] = {
    "UserCreated": ("email", "first_name", "last_name", "birth_date"),
    "UserRegistered": ("email", "first_name", "last_name", "birth_date"),
    "UserUpdated": ("email", "first_name", "last_name", "birth_date"),
    "UserBlocked": ("reason",),
}


# Roles ------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RoleCreated(Event):
    KIND = "role"
    name: str
    description: str
    authorization_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RoleUpdated(Event):
    KIND = "role"
    name: Patch[str] = UNSET
    description: Patch[str] = UNSET
    authorization_ids: Patch[tuple[str, ...]] = UNSET


@dataclass(frozen=True, kw_only=True)
class RoleDeleted(Event):
    KIND = "role"


# Authorizations and groups ----------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AuthorizationCreated(Event):
    KIND = "authorization"
    name: str
    description: str


@dataclass(frozen=True, kw_only=True)
class AuthorizationUpdated(Event):
    KIND = "authorization"
    name: Patch[str] = UNSET
    description: Patch[str] = UNSET


@dataclass(frozen=True, kw_only=True)
class AuthorizationDeleted(Event):
    KIND = "authorization"


@dataclass(frozen=True, kw_only=True)
class GroupCreated(Event):
    KIND = "group"
    name: str
    description: str
    parent_id: str | None = None  # v1 had no parent and no roles: its defaults read it as is
    role_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class GroupUpdated(Event):
    KIND = "group"
    name: Patch[str] = UNSET
    description: Patch[str] = UNSET
    parent_id: Patch[str | None] = UNSET
    role_ids: Patch[tuple[str, ...]] = UNSET


@dataclass(frozen=True, kw_only=True)
class GroupDeleted(Event):
    KIND = "group"


EVENTS: dict[str, type[Event]] = {
    cls.__name__: cls
    for cls in (
        UserCreated,
        UserRegistered,
        UserUpdated,
        UserDeleted,
        UserBlocked,
        UserUnblocked,
        UserRestored,
        UserErased,
        RoleCreated,
        RoleUpdated,
        RoleDeleted,
        AuthorizationCreated,
        AuthorizationUpdated,
        AuthorizationDeleted,
        GroupCreated,
        GroupUpdated,
        GroupDeleted,
    )
}


# Upcasters --------------------------------------------------------------------------------------

Data = dict[str, Any]


def _user_created_v1_to_v2(data: Data) -> Data:
    """v1 kept the 2019 seed's names: `date` for the birth date, `role` and `group` for the ids."""
    data = dict(data)
    data["birth_date"] = data.pop("date", None) or None
    data["role_id"] = data.pop("role", None) or None
    data["group_id"] = data.pop("group", None) or None
    return data


def _one_to_many(data: Data, single: str, many: str) -> None:
    """Until issue 13 a user had at most one role and one group: `role_id` (an id or null)
    becomes `role_ids` (that id, or none). Absent stays absent: an update that did not set it."""
    if single in data:
        value = data.pop(single)
        data[many] = [value] if value else []


def _user_created_v2_to_v3(data: Data) -> Data:
    data = dict(data)
    _one_to_many(data, "role_id", "role_ids")
    _one_to_many(data, "group_id", "group_ids")
    return data


def _user_updated_v1_to_v2(data: Data) -> Data:
    data = dict(data)
    _one_to_many(data, "role_id", "role_ids")
    _one_to_many(data, "group_id", "group_ids")
    return data


# (event type, the schema version it reads) -> a function returning the next version's shape
UPCASTERS: dict[tuple[str, int], Callable[[Data], Data]] = {
    ("UserCreated", 1): _user_created_v1_to_v2,
    ("UserCreated", 2): _user_created_v2_to_v3,
    ("UserUpdated", 1): _user_updated_v1_to_v2,
}


def upcast(event_type: str, schema_version: int, data: Data) -> Data:
    """Bring stored data of any older schema version up to the event's current shape."""
    current = EVENTS[event_type].SCHEMA_VERSION
    while schema_version < current:
        data = UPCASTERS[(event_type, schema_version)](data)
        schema_version += 1
    return data
