"""The object types of API.md, each built from a view row (or a row folded as of an instant)."""

# Annotations here are objects, not strings (no `from __future__ import annotations`):
# Strawberry reads each one, and a string costs it a compile (see schema/__init__.py).

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Optional, Self

import strawberry
from strawberry.scalars import JSON

from pipeline.records import CommandRecord, RecordedEvent, ViewRow
from resolvers import nested
from schema.context import Info
from schema.enums import CommandStatus, UserStatus
from schema.errors import camel
from schema.pagination import Connection
from schema.permissions import IsAdmin

if TYPE_CHECKING:
    from schema.authz import Permission


def _created(row: ViewRow) -> datetime:
    return row.created_at or row.updated_at


@strawberry.type
class Authorization:
    id: strawberry.ID
    name: str
    description: str
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: ViewRow) -> Self:
        data = row.data or {}
        return cls(
            id=strawberry.ID(row.id),
            name=data["name"],
            description=data["description"],
            version=row.version,
            created_at=_created(row),
            updated_at=row.updated_at,
        )


@strawberry.type
class Role:
    id: strawberry.ID
    name: str
    description: str
    version: int
    created_at: datetime
    updated_at: datetime
    authorization_ids: strawberry.Private[tuple[str, ...]]
    as_of: strawberry.Private[datetime | None]

    @strawberry.field
    async def authorizations(self, info: Info) -> list[Authorization]:
        rows = await nested.many(info.context, "authorization", self.authorization_ids, self.as_of)
        return [Authorization.of(r) for r in rows]

    @classmethod
    def of(cls, row: ViewRow, as_of: datetime | None = None) -> Self:
        data = row.data or {}
        return cls(
            id=strawberry.ID(row.id),
            name=data["name"],
            description=data["description"],
            version=row.version,
            created_at=_created(row),
            updated_at=row.updated_at,
            authorization_ids=tuple(data.get("authorization_ids") or ()),
            as_of=as_of,
        )


@strawberry.type
class Group:
    id: strawberry.ID
    name: str
    description: str
    version: int
    created_at: datetime
    updated_at: datetime
    parent_id: strawberry.Private[str | None]
    role_ids: strawberry.Private[tuple[str, ...]]
    as_of: strawberry.Private[datetime | None]

    # the group above it; null for a top-level group
    @strawberry.field
    async def parent(self, info: Info) -> Optional["Group"]:
        row = await nested.one(info.context, "group", self.parent_id, self.as_of)
        return Group.of(row, self.as_of) if row else None

    @strawberry.field
    async def roles(self, info: Info) -> list[Role]:
        rows = await nested.many(info.context, "role", self.role_ids, self.as_of)
        return [Role.of(r, self.as_of) for r in rows]

    async def _members(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> "Connection[User]":
        from resolvers.queries import members_of

        return await members_of(info, self.id, first, after)

    members = strawberry.field(
        _members, permission_classes=[IsAdmin], description="admin only; direct members"
    )

    @strawberry.field
    def children(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> "Connection[Group]":
        from resolvers.queries import children_of

        return children_of(info, self.id, first, after)

    @classmethod
    def of(cls, row: ViewRow, as_of: datetime | None = None) -> Self:
        data = row.data or {}
        return cls(
            id=strawberry.ID(row.id),
            name=data["name"],
            description=data["description"],
            version=row.version,
            created_at=_created(row),
            updated_at=row.updated_at,
            parent_id=data.get("parent_id"),
            role_ids=tuple(data.get("role_ids") or ()),
            as_of=as_of,
        )


@strawberry.type
class UserBlock:
    reason: str
    blocked_by: str = strawberry.field(description="The subject of the admin who blocked.")
    at: datetime
    until: datetime | None = strawberry.field(description="The block ends by itself then.")


@strawberry.type
class User:
    id: strawberry.ID
    email: str
    first_name: str
    last_name: str
    birth_date: date | None
    version: int
    created_at: datetime
    updated_at: datetime
    role_ids: strawberry.Private[tuple[str, ...]]
    group_ids: strawberry.Private[tuple[str, ...]]
    as_of: strawberry.Private[datetime | None]
    block: strawberry.Private[Any]  # the state's block as stored; in force or ended
    deleted: strawberry.Private[bool]
    erased: strawberry.Private[bool]  # never shown: an erased user's row is a tombstone

    @strawberry.field
    def status(self, info: Info) -> UserStatus:
        """Computed at read time (asOf: at that instant)."""
        if self.deleted:
            return UserStatus.DELETED
        return UserStatus.BLOCKED if self._block_in_force(info) else UserStatus.ACTIVE

    def _block_in_force(self, info: Info) -> UserBlock | None:
        if not self.block:
            return None
        from domain.codec import from_data
        from domain.user import Block, in_force

        block = in_force(from_data(Block, self.block), self.as_of or info.context.backend.clock())
        if block is None:
            return None
        return UserBlock(
            reason=block.reason, blocked_by=block.blocked_by, at=block.at, until=block.until
        )

    def _shown_block(self, info: Info) -> UserBlock | None:
        return self._block_in_force(info)

    shown_block = strawberry.field(
        _shown_block,
        name="block",
        permission_classes=[IsAdmin],
        description="admin only: the block in force (asOf: as it stood), null when none.",
    )

    @strawberry.field
    async def roles(self, info: Info) -> list[Role]:
        rows = await nested.many(info.context, "role", self.role_ids, self.as_of)
        return [Role.of(r, self.as_of) for r in rows]

    @strawberry.field
    async def groups(self, info: Info) -> list[Group]:
        rows = await nested.many(info.context, "group", self.group_ids, self.as_of)
        return [Group.of(r, self.as_of) for r in rows]

    async def _permissions(
        self, info: Info
    ) -> list[Annotated["Permission", strawberry.lazy("schema.authz")]]:
        from resolvers.authz import permissions_of

        return await permissions_of(info, self.id)

    permissions = strawberry.field(
        _permissions, description="The user's effective permissions now (me { permissions })."
    )

    @classmethod
    def of(cls, row: ViewRow, as_of: datetime | None = None) -> Self:
        data = row.data or {}
        birth = data.get("birth_date")
        return cls(
            id=strawberry.ID(row.id),
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            birth_date=date.fromisoformat(birth) if birth else None,
            version=row.version,
            created_at=_created(row),
            updated_at=row.updated_at,
            role_ids=tuple(data.get("role_ids") or ()),
            group_ids=tuple(data.get("group_ids") or ()),
            as_of=as_of,
            block=data.get("block"),
            deleted=data.get("deleted", False),
            erased=data.get("erased", False),
        )


@strawberry.type
class Event:
    id: strawberry.ID
    aggregate_id: strawberry.ID
    aggregate_type: str
    type: str
    version: int
    occurred_at: datetime
    actor: str | None
    command_id: strawberry.ID | None
    data: JSON

    @classmethod
    def of(cls, record: RecordedEvent) -> Self:
        return cls(
            id=strawberry.ID(record.event_id),
            aggregate_id=strawberry.ID(record.aggregate_id),
            aggregate_type=record.kind,
            type=record.type,
            version=record.version,
            occurred_at=record.occurred_at,
            actor=record.actor,
            command_id=strawberry.ID(record.command_id),
            data=JSON(_camel_keys(_current_shape(record))),
        )


def _current_shape(record: RecordedEvent) -> dict[str, Any]:
    """The event's data brought up to its current schema version (old shapes upcast); the
    fields of an erased person read null, and `erased` names them."""
    from domain.events import upcast

    data = upcast(record.type, record.schema_version, record.data)
    return {**data, "erased": [camel(f) for f in record.erased]} if record.erased else data


def _camel_keys(data: dict[str, Any]) -> dict[str, Any]:
    return {camel(k): v for k, v in data.items()}


@strawberry.type
class CommandError:
    code: str
    message: str
    field: str | None


@strawberry.type
class Command:
    id: strawberry.ID
    name: str
    status: CommandStatus
    aggregate_id: strawberry.ID | None
    version: int | None
    error: CommandError | None
    submitted_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: CommandRecord) -> Self:
        error = record.error
        return cls(
            id=strawberry.ID(record.id),
            name=record.name,
            status=CommandStatus(record.status.value),
            aggregate_id=strawberry.ID(record.aggregate_id) if record.aggregate_id else None,
            version=record.version,
            error=CommandError(
                code=error.code,
                message=error.message,
                field=camel(error.field) if error.field else None,
            )
            if error
            else None,
            submitted_at=record.submitted_at,
            updated_at=record.updated_at,
        )


@strawberry.type
class CommandReceipt:
    command_id: strawberry.ID
    status: CommandStatus
    aggregate_id: strawberry.ID | None

    @classmethod
    def of(cls, record: CommandRecord) -> Self:
        return cls(
            command_id=strawberry.ID(record.id),
            status=CommandStatus(record.status.value),
            aggregate_id=strawberry.ID(record.aggregate_id) if record.aggregate_id else None,
        )
