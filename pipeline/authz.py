"""The check core: may this user do this, and why.

The interface is the one the model's branch (authzmodel) implements over many roles and nested
groups; this implementation answers over today's model (one role per user, groups grant
nothing), so the API around it can be built and tested now. `authorization` is a name, matched
as names are compared for uniqueness (domain/rules.py unique_key). An unknown, deleted or
blocked user, an unknown name: not allowed (each entry point keeps only `_active` users).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.codec import from_data
from domain.rules import PAGE_MAX, unique_key
from domain.user import Block, in_force
from pipeline.ports import ViewFilter, Views, utc_now
from pipeline.records import ViewRow

CHECKS_MAX = 50  # checks in one can_many


@dataclass(frozen=True)
class Grant:
    role_id: str
    # The chain from the user's group up to the granting group; () when the role is the user's.
    group_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    allowed: bool
    via: tuple[Grant, ...] = ()


@dataclass(frozen=True)
class Permission:
    authorization_id: str
    via: tuple[Grant, ...]


@dataclass(frozen=True)
class WhoCanPage:
    user_ids: tuple[str, ...]
    end_cursor: str | None
    has_next_page: bool


DENIED = Decision(False)


def can(views: Views, user_id: str, authorization: str) -> Decision:
    return can_many(views, [(user_id, authorization)])[0]


def can_many(views: Views, checks: Sequence[tuple[str, str]]) -> list[Decision]:
    """One decision per (user id, authorization name), in order: three reads whatever the count."""
    if len(checks) > CHECKS_MAX:
        raise ValueError(f"at most {CHECKS_MAX} checks at once")
    users = views.get_many("user", list(dict.fromkeys(u for u, _ in checks)))
    role_of = {u: _role_id(row) for u, row in users.items() if _active(row)}
    roles = views.get_many("role", [r for r in dict.fromkeys(role_of.values()) if r])
    wanted = {a for role in roles.values() for a in _authorization_ids(role)}
    names = _names(views, wanted)
    decisions = []
    for user_id, name in checks:
        role = roles.get(role_of.get(user_id) or "")
        granted = role is not None and any(
            names.get(a) == unique_key(name) for a in _authorization_ids(role)
        )
        decisions.append(Decision(True, (Grant(role.id),)) if granted and role else DENIED)
    return decisions


def effective_permissions(views: Views, user_id: str) -> list[Permission]:
    """The user's authorizations, each with the grants that give it, in name order."""
    user = views.get_many("user", [user_id]).get(user_id)
    role_id = _role_id(user) if user and _active(user) else None
    role = views.get_many("role", [role_id]).get(role_id) if role_id else None
    if role is None:
        return []
    rows = views.get_many("authorization", list(_authorization_ids(role)))
    ordered = sorted(rows.values(), key=lambda r: unique_key((r.data or {}).get("name", "")))
    return [Permission(r.id, (Grant(role.id),)) for r in ordered]


def who_can(views: Views, authorization: str, first: int, after: str | None) -> WhoCanPage:
    """The users for whom `can` is true, in id order, `first` at most, after the user id
    `after`: each granting role's members read a page at a time, in one read."""
    granting = _granting_roles(views, unique_key(authorization))
    if not granting:
        return WhoCanPage((), None, False)
    wheres = [ViewFilter(role_id=r) for r in granting]
    pages = views.pages("user", first + 1, after, wheres)
    rows = {row.id: row for page in pages for row in page}
    ids = sorted(rows)
    shown = tuple(i for i in ids[:first] if _active(rows[i]))  # a page may hold fewer
    end = ids[:first][-1] if ids else None
    return WhoCanPage(shown, end, len(ids) > first)


def _granting_roles(views: Views, key: str) -> list[str]:
    """The roles granting the authorization named `key`. Roles and authorizations are few and
    admin-made; the model's branch keeps this in the views instead of reading it here."""
    authorization_ids = {
        row.id for row in _every(views, "authorization") if unique_key(_name(row)) == key
    }
    if not authorization_ids:
        return []
    return [
        row.id
        for row in _every(views, "role")
        if authorization_ids.intersection(_authorization_ids(row))
    ]


def _every(views: Views, kind: str) -> Iterator[ViewRow]:
    after: str | None = None
    while True:
        rows = views.page(kind, PAGE_MAX, after)
        yield from rows
        if len(rows) < PAGE_MAX:
            return
        after = rows[-1].id


def _names(views: Views, ids: set[str]) -> dict[str, str]:
    rows = views.get_many("authorization", sorted(ids)) if ids else {}
    return {i: unique_key(_name(row)) for i, row in rows.items()}


def _active(user: ViewRow, now: datetime | None = None) -> bool:
    """Not deleted, and no block in force: a blocked user is allowed nothing."""
    data = user.data or {}
    if user.deleted:
        return False
    block = data.get("block")
    return not block or in_force(from_data(Block, block), now or utc_now()) is None


def _role_id(row: ViewRow) -> str | None:
    value = (row.data or {}).get("role_id")
    return value if isinstance(value, str) and value else None


def _authorization_ids(row: ViewRow) -> tuple[str, ...]:
    return tuple((row.data or {}).get("authorization_ids") or ())


def _name(row: ViewRow) -> str:
    return str((row.data or {}).get("name", ""))
