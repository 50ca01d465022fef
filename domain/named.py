"""Authorizations and groups: aggregates with a unique name and a description; a group also
has a parent and grants roles to its members and to the members of every group below it."""

from __future__ import annotations

from dataclasses import dataclass

from domain import commands as c
from domain import events as e
from domain.aggregate import Aggregate, Claim
from domain.rules import unique_key


@dataclass(frozen=True, kw_only=True)
class Authorization:
    id: str
    name: str
    description: str


@dataclass(frozen=True, kw_only=True)
class Group:
    id: str
    name: str
    description: str
    parent_id: str | None = None
    role_ids: tuple[str, ...] = ()


def _no_references(_: object) -> frozenset[str]:
    return frozenset()


def _group_references(group: Group) -> frozenset[str]:
    parent = [f"group#{group.parent_id}"] if group.parent_id else []
    return frozenset([*parent, *(f"role#{r}" for r in group.role_ids)])


AUTHORIZATION = Aggregate(
    kind="authorization",
    state=Authorization,
    creates={c.CreateAuthorization: e.AuthorizationCreated},
    updates={c.UpdateAuthorization: e.AuthorizationUpdated},
    deletes={c.DeleteAuthorization: e.AuthorizationDeleted},
    claims=lambda a: frozenset({Claim("authorization-name", unique_key(a.name))}),
    references=_no_references,
    referenced_by=("role", "roles"),
)

GROUP = Aggregate(
    kind="group",
    state=Group,
    creates={c.CreateGroup: e.GroupCreated},
    updates={c.UpdateGroup: e.GroupUpdated},
    deletes={c.DeleteGroup: e.GroupDeleted},
    claims=lambda g: frozenset({Claim("group-name", unique_key(g.name))}),
    references=_group_references,
    referenced_by=("member or child group", "members or child groups"),
)
