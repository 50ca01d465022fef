"""Commands: what a caller asks for. Each names the aggregate it acts on by `KIND` and `id`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

from domain.patch import UNSET, Patch


@dataclass(frozen=True, kw_only=True)
class Command:
    KIND: ClassVar[str | None] = None
    ADMIN_ONLY: ClassVar[bool] = True

    @property
    def command_name(self) -> str:
        return type(self).__name__


@dataclass(frozen=True, kw_only=True)
class AggregateCommand(Command):
    # The input field that carries `id`, for errors about the target itself; None when the id
    # is the caller's token subject (the *Me commands), which no input field holds.
    ID_FIELD: ClassVar[str | None] = "id"
    id: str
    expected_version: int | None = None


# Users ------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateUser(AggregateCommand):
    KIND = "user"
    email: str
    first_name: str
    last_name: str
    birth_date: date | None = None
    role_ids: tuple[str, ...] = ()
    group_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class UpdateUser(AggregateCommand):
    KIND = "user"
    email: Patch[str] = UNSET
    first_name: Patch[str] = UNSET
    last_name: Patch[str] = UNSET
    birth_date: Patch[date | None] = UNSET
    role_ids: Patch[tuple[str, ...]] = UNSET
    group_ids: Patch[tuple[str, ...]] = UNSET


@dataclass(frozen=True, kw_only=True)
class DeleteUser(AggregateCommand):
    KIND = "user"


@dataclass(frozen=True, kw_only=True)
class BlockUser(AggregateCommand):
    """Refuse the user's requests from now until `until` (None: until unblocked)."""

    KIND = "user"
    reason: str
    until: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class UnblockUser(AggregateCommand):
    KIND = "user"


@dataclass(frozen=True, kw_only=True)
class RestoreUser(AggregateCommand):
    """Bring a deleted user back as they were, with the roles and groups that still exist."""

    KIND = "user"


@dataclass(frozen=True, kw_only=True)
class EraseUser(AggregateCommand):
    """Make the person's data unreadable for good: their key is deleted, the record is gone."""

    KIND = "user"


@dataclass(frozen=True, kw_only=True)
class EraseMe(AggregateCommand):
    """EraseUser by the person themselves (allowed while blocked)."""

    KIND = "user"
    ADMIN_ONLY = False
    ID_FIELD = None


@dataclass(frozen=True, kw_only=True)
class RegisterMe(AggregateCommand):
    """A user's sign-up on first login; `id` is the token's subject."""

    KIND = "user"
    ADMIN_ONLY = False
    ID_FIELD = None
    email: str
    first_name: str
    last_name: str
    birth_date: date | None = None


@dataclass(frozen=True, kw_only=True)
class UpdateMe(AggregateCommand):
    """A user's edit of their own profile: no role, no group."""

    KIND = "user"
    ADMIN_ONLY = False
    ID_FIELD = None
    email: Patch[str] = UNSET
    first_name: Patch[str] = UNSET
    last_name: Patch[str] = UNSET
    birth_date: Patch[date | None] = UNSET


# Roles ------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateRole(AggregateCommand):
    KIND = "role"
    name: str
    description: str
    authorization_ids: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class UpdateRole(AggregateCommand):
    KIND = "role"
    name: Patch[str] = UNSET
    description: Patch[str] = UNSET
    authorization_ids: Patch[tuple[str, ...]] = UNSET


@dataclass(frozen=True, kw_only=True)
class DeleteRole(AggregateCommand):
    KIND = "role"


# Authorizations and groups --------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateAuthorization(AggregateCommand):
    KIND = "authorization"
    name: str
    description: str


@dataclass(frozen=True, kw_only=True)
class UpdateAuthorization(AggregateCommand):
    KIND = "authorization"
    name: Patch[str] = UNSET
    description: Patch[str] = UNSET


@dataclass(frozen=True, kw_only=True)
class DeleteAuthorization(AggregateCommand):
    KIND = "authorization"


@dataclass(frozen=True, kw_only=True)
class CreateGroup(AggregateCommand):
    KIND = "group"
    name: str
    description: str
    parent_id: str | None = None  # None: a top-level group
    role_ids: tuple[str, ...] = ()  # granted to its members and those of every group below


@dataclass(frozen=True, kw_only=True)
class UpdateGroup(AggregateCommand):
    KIND = "group"
    name: Patch[str] = UNSET
    description: Patch[str] = UNSET
    parent_id: Patch[str | None] = UNSET  # None: make it top level
    role_ids: Patch[tuple[str, ...]] = UNSET


@dataclass(frozen=True, kw_only=True)
class DeleteGroup(AggregateCommand):
    KIND = "group"


# Operations -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReplayFrom(Command):
    """Rebuild the views of every stream with an event at or after `timestamp`."""

    timestamp: datetime


COMMANDS: dict[str, type[Command]] = {
    cls.__name__: cls
    for cls in (
        CreateUser,
        UpdateUser,
        DeleteUser,
        BlockUser,
        UnblockUser,
        RestoreUser,
        EraseUser,
        EraseMe,
        RegisterMe,
        UpdateMe,
        CreateRole,
        UpdateRole,
        DeleteRole,
        CreateAuthorization,
        UpdateAuthorization,
        DeleteAuthorization,
        CreateGroup,
        UpdateGroup,
        DeleteGroup,
        ReplayFrom,
    )
}
