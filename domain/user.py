from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain import commands as c
from domain import events as e
from domain.aggregate import Aggregate, Claim
from domain.rules import unique_key


@dataclass(frozen=True, kw_only=True)
class User:
    id: str
    email: str
    first_name: str
    last_name: str
    birth_date: date | None = None
    role_ids: tuple[str, ...] = ()  # its own roles
    group_ids: tuple[str, ...] = ()  # the groups it is a direct member of


def _claims(user: User) -> frozenset[Claim]:
    return frozenset({Claim("email", unique_key(user.email))})


def _references(user: User) -> frozenset[str]:
    return frozenset(
        [*(f"role#{r}" for r in user.role_ids), *(f"group#{g}" for g in user.group_ids)]
    )


USER = Aggregate(
    kind="user",
    state=User,
    creates={c.CreateUser: e.UserCreated, c.RegisterMe: e.UserRegistered},
    updates={c.UpdateUser: e.UserUpdated, c.UpdateMe: e.UserUpdated},
    deletes={c.DeleteUser: e.UserDeleted},
    claims=_claims,
    references=_references,
)
