"""The checks' resolvers: the check core (pipeline/authz.py) over the views, its answers shown
with the request's loaders. Who may ask is schema/permissions.py's business."""

# Annotations here are objects, not strings (no `from __future__ import annotations`):
# Strawberry reads each one, and a string costs it a compile (see schema/__init__.py).

import strawberry

from domain import rules
from pipeline import authz
from resolvers.checks import checked, page_size
from schema.authz import CheckInput, Decision, Permission
from schema.check_limits import CHECKS_MAX
from schema.context import Info
from schema.enums import UserStatus
from schema.errors import BadUserInput
from schema.pagination import Connection, Edge, PageInfo, decode_cursor, encode_cursor
from schema.types import Authorization, User


def authorization_name(value: str, field: str = "authorization") -> str:
    """A name to check: valid Unicode, not empty, no longer than a name can be."""
    return checked(rules.text, value, field)


def subject(value: str, field: str = "user_id") -> str:
    """A user id to check: as every user id (the rules refuse what is not valid Unicode)."""
    return checked(rules.user_id, value, field)


def user_status(info: Info, user_id: strawberry.ID) -> UserStatus | None:
    """For the Auth0 Action, which denies a blocked user's login: null for an unknown user."""
    backend = info.context.backend
    row = backend.views.get("user", subject(user_id))
    if row is None or row.data is None:
        return None
    from domain.codec import from_data
    from domain.user import User as State
    from domain.user import status

    return UserStatus(status(from_data(State, row.data), backend.clock()).value)


def can(info: Info, user_id: strawberry.ID, authorization: str) -> Decision:
    views = info.context.backend.views
    return Decision.of(authz.can(views, subject(user_id), authorization_name(authorization)))


def can_many(info: Info, checks: list[CheckInput]) -> list[Decision]:
    if len(checks) > CHECKS_MAX:
        raise BadUserInput(f"checks must hold at most {CHECKS_MAX} checks", field="checks")
    pairs = [(subject(c.user_id), authorization_name(c.authorization)) for c in checks]
    if not pairs:
        return []
    return [Decision.of(d) for d in authz.can_many(info.context.backend.views, pairs)]


async def effective_permissions(info: Info, user_id: strawberry.ID) -> list[Permission]:
    return await permissions_of(info, subject(user_id))


async def permissions_of(info: Info, user_id: str) -> list[Permission]:
    found = authz.effective_permissions(info.context.backend.views, user_id)
    rows = await info.context.loaders.of("authorization").load_many(
        [p.authorization_id for p in found]
    )
    return [
        Permission(authorization=Authorization.of(row), grants=p.via)
        for p, row in zip(found, rows, strict=True)
        if row is not None
    ]


async def who_can(
    info: Info, authorization: str, first: int | None = 20, after: str | None = None
) -> Connection[User]:
    """The users for whom `can` is true; a page may hold fewer than `first` (a user deleted
    since the page was read is left out)."""
    size, start = page_size(first), decode_cursor(after)
    found = authz.who_can(
        info.context.backend.views, authorization_name(authorization), size, start
    )
    rows = await info.context.loaders.of("user").load_many(list(found.user_ids))
    edges = [
        Edge(node=User.of(row), cursor=encode_cursor(row.id)) for row in rows if row is not None
    ]
    end = encode_cursor(found.end_cursor) if found.end_cursor is not None else None
    return Connection(
        edges=edges, page_info=PageInfo(has_next_page=found.has_next_page, end_cursor=end)
    )
