"""The checks' types: Grant, Decision, Permission and CheckInput (docs/api.md, "Checks")."""

# Annotations here are objects, not strings (no `from __future__ import annotations`):
# Strawberry reads each one, and a string costs it a compile (see schema/__init__.py).

from typing import Self

import strawberry

from internals.inputs import install_flat
from pipeline import authz
from schema.check_limits import CHAIN_MAX, VIA_MAX
from schema.context import Info
from schema.types import Authorization, Group, Role


@strawberry.type(
    description="What gives an authorization: a role, held by the user (groups "
    "empty) or granted by the last of `groups`, the chain from the user's group up."
)
class Grant:
    role: Role
    groups: list[Group]


async def _grants(info: Info, grants: tuple[authz.Grant, ...]) -> list[Grant]:
    """The grants' roles and groups through the request's loaders: one read per kind for every
    decision of the request. A grant whose role or group has just gone is left out."""
    shown = grants[:VIA_MAX]
    if not shown:
        return []
    loaders = info.context.loaders
    roles = await loaders.of("role").load_many([g.role_id for g in shown])
    group_ids = list(dict.fromkeys(i for g in shown for i in g.group_ids[:CHAIN_MAX]))
    rows = await loaders.of("group").load_many(group_ids) if group_ids else []
    groups = {row.id: row for row in rows if row is not None}
    found: list[Grant] = []
    for grant, role in zip(shown, roles, strict=True):
        chain = [groups.get(i) for i in grant.group_ids[:CHAIN_MAX]]
        if role is not None and all(chain):
            found.append(Grant(role=Role.of(role), groups=[Group.of(g) for g in chain if g]))
    return found


@strawberry.type
class Decision:
    allowed: bool
    grants: strawberry.Private[tuple[authz.Grant, ...]]

    async def _via(self, info: Info) -> list[Grant]:
        return await _grants(info, self.grants)

    via = strawberry.field(
        _via, description=f"Why it is allowed: up to {VIA_MAX} grants; empty when not."
    )

    @classmethod
    def of(cls, decision: authz.Decision) -> Self:
        return cls(allowed=decision.allowed, grants=decision.via)


@strawberry.type
class Permission:
    authorization: Authorization
    grants: strawberry.Private[tuple[authz.Grant, ...]]

    async def _via(self, info: Info) -> list[Grant]:
        return await _grants(info, self.grants)

    via = strawberry.field(_via, description=f"What gives it: up to {VIA_MAX} grants.")


@strawberry.input
class CheckInput:
    user_id: strawberry.ID
    authorization: str


install_flat(CheckInput)
