from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain import commands as c
from domain import events as e
from domain.aggregate import Aggregate, Claim
from domain.rules import email_key, legacy_email_key


@dataclass(frozen=True, kw_only=True)
class User:
    id: str
    email: str
    first_name: str
    last_name: str
    birth_date: date | None = None
    role_id: str | None = None
    group_id: str | None = None


def _claims(user: User) -> frozenset[Claim]:
    """The email under today's key, and under the key before NFKC when that differs: a claim
    stored under it by older code still blocks its twin, and is released with its owner."""
    return frozenset(
        {Claim("email", email_key(user.email)), Claim("email", legacy_email_key(user.email))}
    )


def _references(user: User) -> frozenset[str]:
    refs = set()
    if user.role_id:
        refs.add(f"role#{user.role_id}")
    if user.group_id:
        refs.add(f"group#{user.group_id}")
    return frozenset(refs)


USER = Aggregate(
    kind="user",
    state=User,
    creates={c.CreateUser: e.UserCreated, c.RegisterMe: e.UserRegistered},
    updates={c.UpdateUser: e.UserUpdated, c.UpdateMe: e.UserUpdated},
    deletes={c.DeleteUser: e.UserDeleted},
    claims=_claims,
    references=_references,
)
