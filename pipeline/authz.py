"""The check core: may this user do this, and why; what may a user do; who may do this.

Everything is read from the views, so a check reflects every APPLIED command. A user's grants
are their own roles (a Grant with no groups) and the roles of every group they are a direct
member of and of every group above it (a Grant with the chain of groups from the user's group
up to the one granting the role). An authorization is named as names compare for uniqueness
(trimmed, case-insensitive): an unknown name, an unknown or deleted user is never allowed.

Reads (`_read`): three batched reads whatever the number of users, where the storage gives
the group tree and the names' owners as hints with the users (DynamoDB): the users; their
groups and every group above them; the roles. Without hints (SQLite), or where the views have
not caught up with a hint, the groups are read a level at a time and the name by its index.
`who_can` walks the roles granting the authorization, for each the users holding it directly
and the groups granting it with every group below them, and their direct members; a page reads
a bounded number of view pages whatever the number of users, and may hold fewer than `first`.
"""

from __future__ import annotations

import base64
import json
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.codec import compact_json, from_data
from domain.rules import unique_key
from domain.tree import MAX_DEPTH, ancestors
from domain.user import Block, in_force
from pipeline.ports import ViewFilter, Views, utc_now
from pipeline.records import ViewRow

CHECKS_MAX = 50  # checks in one can_many


@dataclass(frozen=True)
class Grant:
    """A role that gives the user an authorization, and how the user has it: `group_ids` is
    the chain of groups from the user's own group up to the group granting the role, nearest
    first; () when the role is the user's own."""

    role_id: str
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
    """One decision per (user id, authorization name), in order; at most CHECKS_MAX (more:
    ValueError). The users, groups and roles of all the checks are read together."""
    if len(checks) > CHECKS_MAX:
        raise ValueError(f"at most {CHECKS_MAX} checks at once")
    if not checks:
        return []
    names = sorted({unique_key(name) for _, name in checks})
    read = _read(views, [user for user, _ in checks], names)
    out = []
    for user_id, name in checks:
        wanted = read.authorizations[unique_key(name)]
        if wanted is None or user_id not in read.grants:
            out.append(DENIED)
            continue
        via = tuple(
            g
            for g in read.grants[user_id]
            if g.role_id in read.roles and wanted in _granted(read.roles[g.role_id])
        )
        out.append(Decision(bool(via), via))
    return out


def effective_permissions(views: Views, user_id: str) -> list[Permission]:
    """Every authorization the user has, with the grants giving it, in authorization id order."""
    read = _read(views, [user_id], [])
    via: dict[str, list[Grant]] = {}
    for grant in read.grants.get(user_id, ()):
        role = read.roles.get(grant.role_id)
        for authorization_id in _granted(role) if role else ():
            via.setdefault(authorization_id, []).append(grant)
    live = views.get_many("authorization", sorted(via))
    return [Permission(a, tuple(via[a])) for a in sorted(via) if a in live]


def _granted(role: ViewRow) -> tuple[str, ...]:
    return tuple((role.data or {}).get("authorization_ids") or ())


def _authorization_id(views: Views, name_key: str) -> str | None:
    rows = views.page("authorization", 1, None, ViewFilter(name_key=name_key))
    return rows[0].id if rows else None


@dataclass(frozen=True)
class _Read:
    grants: dict[str, tuple[Grant, ...]]  # each live user's
    roles: dict[str, ViewRow]  # the live roles among the grants'
    authorizations: dict[str, str | None]  # name key -> the live authorization of that name


def _read(views: Views, user_ids: Iterable[str], name_keys: Sequence[str]) -> _Read:
    """Three batched reads where the storage gives hints (DynamoDB): the users, with the group
    tree and which authorization holds each name; every group of the users' chains, their own
    roles and the hinted authorizations; the groups' roles. A missing hint, or one the views
    do not bear out yet (a command accepted, not yet applied), costs more reads, never another
    answer: a group's parent and an authorization's name are the views'."""
    first = views.read_batch({"user": sorted(set(user_ids))}, name_keys, tree=True)
    users = {i: row for i, row in first.rows.get("user", {}).items() if _active(row)}
    direct = {g for row in users.values() for g in _ids(row, "group_ids")}
    parents = first.parents or {}
    groups_wanted = direct | {a for g in direct for a in ancestors(parents, g)}
    own_roles = {r for row in users.values() for r in _ids(row, "role_ids")}
    owners = first.name_owners or {}
    second = views.read_batch(
        {
            "group": sorted(groups_wanted),
            "role": sorted(own_roles),
            "authorization": sorted({owners[k] for k in name_keys if k in owners}),
        }
    )
    named = second.rows.get("authorization", {})
    authorizations = {
        key: _named(named, owners.get(key), key) or _authorization_id(views, key)
        for key in name_keys
    }
    groups = _with_ancestors(views, second.rows.get("group", {}), groups_wanted)
    grants = {user_id: _grants(row, groups) for user_id, row in users.items()}
    roles = dict(second.rows.get("role", {}))
    if not name_keys or any(authorizations.values()):  # else every check is denied already
        role_ids = {g.role_id for user_grants in grants.values() for g in user_grants}
        roles.update(views.get_many("role", sorted(role_ids - own_roles)))
    return _Read(grants, roles, authorizations)


def _named(rows: dict[str, ViewRow], hint: str | None, name_key: str) -> str | None:
    """The hinted authorization, if the views hold it live under that name."""
    row = rows.get(hint) if hint is not None else None
    name = str((row.data or {}).get("name", "")) if row is not None else None
    return hint if name is not None and unique_key(name) == name_key else None


def _grants(user: ViewRow, groups: dict[str, ViewRow]) -> tuple[Grant, ...]:
    """A user's grants: own roles first, then by group chain, nearest group first."""
    grants = [Grant(role) for role in _ids(user, "role_ids")]
    for group_id in _ids(user, "group_ids"):
        for chain in _chains(groups, group_id):
            grants += [Grant(role, chain) for role in _ids(groups[chain[-1]], "role_ids")]
    return tuple(dict.fromkeys(grants))


def _with_ancestors(views: Views, found: dict[str, ViewRow], asked: set[str]) -> dict[str, ViewRow]:
    """The groups read, and every group above them the tree hint left out (none where it was
    up to date; all of them, a level a read, where there was none)."""
    found, asked = dict(found), set(asked)
    for _ in range(MAX_DEPTH):
        wanted = {p for row in found.values() if (p := (row.data or {}).get("parent_id"))}
        wanted -= asked
        if not wanted:
            break
        asked |= wanted
        found.update(views.get_many("group", sorted(wanted)))
    return found


def _chains(groups: dict[str, ViewRow], group_id: str) -> list[tuple[str, ...]]:
    """(g), (g, parent), (g, parent, grandparent)... while the groups are live views."""
    chains: list[tuple[str, ...]] = []
    chain: tuple[str, ...] = ()
    current: str | None = group_id
    while current is not None and current in groups and current not in chain:
        chain = (*chain, current)
        chains.append(chain)
        if len(chain) >= MAX_DEPTH:
            break
        current = (groups[current].data or {}).get("parent_id")
    return chains


def _active(user: ViewRow, now: datetime | None = None) -> bool:
    """Not deleted, and no block in force: a blocked user is allowed nothing."""
    data = user.data or {}
    if user.deleted:
        return False
    block = data.get("block")
    return not block or in_force(from_data(Block, block), now or utc_now()) is None


def _ids(row: ViewRow, field: str) -> tuple[str, ...]:
    return tuple((row.data or {}).get(field) or ())


# Who can ---------------------------------------------------------------------------------------

# The walk's sources, in a fixed order: each role granting the authorization (its direct
# holders), in id order, then each group holding such a role or below one (its direct members),
# in id order. A user reached by several sources is listed by the first only: a source skips the
# users an earlier source lists, which their row tells (its role_ids and group_ids). A cursor
# is the source the walk is in and the last user read from it.
ROLE_SOURCE, GROUP_SOURCE, END = "0", "1", "2"  # sort in walk order
READS_PER_PAGE = 20  # user pages read for one page of who_can, whatever the number of users

Source = tuple[str, str]


def who_can(views: Views, authorization: str, first: int, after: str | None) -> WhoCanPage:
    """Users for whom `can` is true, a page at a time; a page may hold fewer than `first`
    (READS_PER_PAGE bounds its reads). Raises ValueError for a cursor this did not make."""
    index, last_user = 0, None
    position = _decode(after)
    authorization_id = _authorization_id(views, unique_key(authorization))
    if authorization_id is None or first <= 0:
        return WhoCanPage((), None, False)
    sources = _sources(views, authorization_id)
    if position is not None:
        index = bisect_left(sources, position[0])
        last_user = position[1] if index < len(sources) and sources[index] == position[0] else None
    users: list[str] = []
    reads = 0
    while index < len(sources) and reads < READS_PER_PAGE and len(users) < first:
        need = first - len(users)
        rows = views.page("user", need, last_user, _filter(sources[index]))
        reads += 1
        for row in rows:
            last_user = row.id
            if not _listed_earlier(sources[:index], row) and _active(row):
                users.append(row.id)
        if len(rows) < need:  # the source is done
            index, last_user = index + 1, None
    more = index < len(sources)
    at = sources[index] if more else (END, "")
    end = _encode(at, last_user) if users or more else None
    return WhoCanPage(tuple(users), end, more)


def _sources(views: Views, authorization_id: str) -> list[Source]:
    granting = [r.id for r in _all(views, "role", ViewFilter(authorization_id=authorization_id))]
    groups: set[str] = set()
    for role_id in granting:
        groups.update(g.id for g in _all(views, "group", ViewFilter(role_id=role_id)))
    below = set(groups)
    frontier = sorted(groups)
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        pages = [_all(views, "group", ViewFilter(parent_id=g)) for g in frontier]
        frontier = sorted({row.id for page in pages for row in page} - below)
        below.update(frontier)
    return [(ROLE_SOURCE, r) for r in sorted(granting)] + [(GROUP_SOURCE, g) for g in sorted(below)]


def _all(views: Views, kind: str, where: ViewFilter) -> list[ViewRow]:
    rows: list[ViewRow] = []
    after: str | None = None
    while True:
        page = views.page(kind, PAGE, after, where)
        rows += page
        if len(page) < PAGE:
            return rows
        after = page[-1].id


PAGE = 100


def _filter(source: Source) -> ViewFilter:
    kind, target = source
    return ViewFilter(role_id=target) if kind == ROLE_SOURCE else ViewFilter(group_id=target)


def _listed_earlier(earlier: Sequence[Source], row: ViewRow) -> bool:
    roles, groups = set(_ids(row, "role_ids")), set(_ids(row, "group_ids"))
    return any(target in (roles if kind == ROLE_SOURCE else groups) for kind, target in earlier)


def _encode(source: Source, user_id: str | None) -> str:
    raw = compact_json([*source, user_id])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode(cursor: str | None) -> tuple[Source, str | None] | None:
    if cursor is None:
        return None
    try:
        kind, target, user_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except Exception as exc:
        raise ValueError("not a whoCan cursor") from exc
    if kind not in (ROLE_SOURCE, GROUP_SOURCE, END) or not isinstance(target, str):
        raise ValueError("not a whoCan cursor")
    return (kind, target), user_id if isinstance(user_id, str) else None
