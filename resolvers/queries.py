"""Query resolvers: the view tables through the Views port; history and asOf from the store."""

# Annotations here are objects, not strings (no `from __future__ import annotations`):
# Strawberry reads each one, and a string costs it a compile (see schema/__init__.py).

from datetime import datetime

import strawberry

from domain import rules
from pipeline import reads
from pipeline.ports import ViewFilter
from pipeline.records import CommandRecord, ViewRow
from resolvers.checks import checked, page_size
from schema.context import AppContext, Caller, Info
from schema.inputs import UserFilter
from schema.pagination import Connection, decode_cursor, page
from schema.types import Authorization, Command, Event, Group, Role, User

HISTORY_PAGE = 50


def _row(ctx: AppContext, kind: str, aggregate_id: str, as_of: datetime | None) -> ViewRow | None:
    if as_of is not None:
        return reads.as_of(ctx.backend.events, kind, aggregate_id, as_of)
    row = ctx.backend.views.get(kind, aggregate_id)
    return None if row is None or row.deleted else row


def _uuid(value: str, field: str = "id") -> str:
    return checked(rules.uuid_id, value, field)


# What the key inside each list's cursor must be: ids as the write rules allow them, so that no
# read is ever asked for a key no record can have (DynamoDB refuses keys over 2,048 bytes).
def _user_key(value: str) -> object:
    return rules.user_id(value, "after")


def _uuid_key(value: str) -> object:
    return rules.uuid_id(value, "after")


def _version_key(value: str) -> object:
    if not value.isdigit() or len(value) > 18:
        raise ValueError(value)
    return int(value)


# The caller's own record ------------------------------------------------------------------------


def me(info: Info) -> User | None:
    caller = info.context.caller
    assert caller is not None  # IsAuthenticated ran first
    row = _row(info.context, "user", caller.sub, None)
    return User.of(row) if row else None


def command(info: Info, id: strawberry.ID) -> Command | None:
    """Admins see any command; a user sees only their own, and null for anyone else's."""
    ctx = info.context
    record = ctx.backend.commands.get(checked(rules.user_id, id))
    return Command.of(record) if record is not None and visible(ctx.caller, record) else None


def visible(caller: Caller | None, record: CommandRecord | None) -> bool:
    if record is None or caller is None:
        return False
    return caller.admin or record.actor == caller.sub


# One aggregate by id (admin) --------------------------------------------------------------------


def user(info: Info, id: strawberry.ID, as_of: datetime | None = None) -> User | None:
    row = _row(info.context, "user", checked(rules.user_id, id), as_of)
    return User.of(row, as_of) if row else None


def role(info: Info, id: strawberry.ID, as_of: datetime | None = None) -> Role | None:
    row = _row(info.context, "role", _uuid(id), as_of)
    return Role.of(row, as_of) if row else None


def authorization(
    info: Info, id: strawberry.ID, as_of: datetime | None = None
) -> Authorization | None:
    row = _row(info.context, "authorization", _uuid(id), as_of)
    return Authorization.of(row) if row else None


def group(info: Info, id: strawberry.ID, as_of: datetime | None = None) -> Group | None:
    row = _row(info.context, "group", _uuid(id), as_of)
    return Group.of(row) if row else None


# Lists (admin) ----------------------------------------------------------------------------------


def users(
    info: Info, first: int | None = 20, after: str | None = None, filter: UserFilter | None = None
) -> Connection[User]:
    size, start = page_size(first), decode_cursor(after, _user_key)
    where = _user_filter(info, filter)
    if where is not None and where.email_key == "":
        # No email is empty, and DynamoDB refuses an empty key: nothing to look up.
        return page([], size, User.of, _id)
    rows = info.context.backend.views.page("user", size + 1, start, where)
    return page(rows, size, User.of, _id)


def _status(info: Info, where: UserFilter | None) -> ViewFilter | None:
    """The filter's status (None: active and blocked), with now for a block's end."""
    if where is None or where.status is None:
        return None
    value = str(getattr(where.status, "value", where.status))
    return ViewFilter(status=value, now=info.context.backend.clock())


def roles(info: Info, first: int | None = 20, after: str | None = None) -> Connection[Role]:
    return page(*_rows(info, "role", first, after), Role.of, _id)


def authorizations(
    info: Info, first: int | None = 20, after: str | None = None
) -> Connection[Authorization]:
    return page(*_rows(info, "authorization", first, after), Authorization.of, _id)


def groups(info: Info, first: int | None = 20, after: str | None = None) -> Connection[Group]:
    return page(*_rows(info, "group", first, after), Group.of, _id)


async def members_of(
    info: Info, group_id: str, first: int | None, after: str | None
) -> Connection[User]:
    size, start = page_size(first), decode_cursor(after, _user_key)
    rows = await info.context.loaders.members(size + 1, start).load(group_id)
    return page(rows, size, User.of, _id)


def children_of(
    info: Info, group_id: str, first: int | None, after: str | None
) -> Connection[Group]:
    size, start = page_size(first), decode_cursor(after)
    where = ViewFilter(parent_id=group_id)
    rows = info.context.backend.views.page("group", size + 1, start, where)
    return page(rows, size, Group.of, _id)


def _rows(info: Info, kind: str, first: int | None, after: str | None) -> tuple[list[ViewRow], int]:
    size, start = page_size(first), decode_cursor(after, _uuid_key)
    return info.context.backend.views.page(kind, size + 1, start), size


def _id(row: ViewRow) -> str:
    return row.id


def _user_filter(info: Info, where: UserFilter | None) -> ViewFilter | None:
    if where is None:
        return None
    email = where.email
    status = _status(info, where)
    return ViewFilter(
        email_key=checked(rules.email_filter, email) if email is not None else None,
        role_id=_uuid(where.role_id, "role_id") if where.role_id is not None else None,
        group_id=_uuid(where.group_id, "group_id") if where.group_id is not None else None,
        status=status.status if status else None,
        now=status.now if status else None,
    )


# History (admin) --------------------------------------------------------------------------------


def history(
    info: Info,
    aggregate_id: strawberry.ID,
    first: int | None = HISTORY_PAGE,
    after: str | None = None,
) -> Connection[Event]:
    size = page_size(first, HISTORY_PAGE)
    start = decode_cursor(after, _version_key)
    after_version = int(start) if start is not None else 0
    target = checked(rules.user_id, aggregate_id, "aggregate_id")
    records = reads.history(info.context.backend.events, target)
    rest = [r for r in records if r.version > after_version][: size + 1]
    return page(rest, size, Event.of, lambda r: str(r.version))
