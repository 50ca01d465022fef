from __future__ import annotations

from dataclasses import dataclass

from domain import commands as c
from domain import events as e
from domain.aggregate import Aggregate, Claim
from domain.rules import unique_key


@dataclass(frozen=True, kw_only=True)
class Role:
    id: str
    name: str
    description: str
    authorization_ids: tuple[str, ...] = ()


def _claims(role: Role) -> frozenset[Claim]:
    return frozenset({Claim("role-name", unique_key(role.name))})


def _references(role: Role) -> frozenset[str]:
    return frozenset(f"authorization#{a}" for a in role.authorization_ids)


ROLE = Aggregate(
    kind="role",
    state=Role,
    creates={c.CreateRole: e.RoleCreated},
    updates={c.UpdateRole: e.RoleUpdated},
    deletes={c.DeleteRole: e.RoleDeleted},
    claims=_claims,
    references=_references,
    referenced_by=("user or group", "users or groups"),
)
