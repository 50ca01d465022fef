from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from domain import commands as c
from domain import events as e
from domain.aggregate import Aggregate, Claim, not_found
from domain.decision_context import Context
from domain.errors import Code, DomainError, invalid
from domain.rules import email_key, legacy_email_key


class UserStatus(StrEnum):
    ACTIVE = "ACTIVE"
    BLOCKED = "BLOCKED"
    DELETED = "DELETED"


@dataclass(frozen=True, kw_only=True)
class Block:
    reason: str
    blocked_by: str
    at: datetime
    until: datetime | None = None  # the block ends at this instant by itself


@dataclass(frozen=True, kw_only=True)
class User:
    id: str
    email: str
    first_name: str
    last_name: str
    birth_date: date | None = None
    role_ids: tuple[str, ...] = ()  # its own roles
    group_ids: tuple[str, ...] = ()  # the groups it is a direct member of
    block: Block | None = None
    deleted: bool = False  # kept, claims and references released, until restored
    erased: bool = False  # deleted for good: no data, the id stays taken


def in_force(block: Block | None, now: datetime) -> Block | None:
    """The block if it is in force at `now`: computed at read time, so `until` needs no event."""
    if block is None or (block.until is not None and block.until <= now):
        return None
    return block


def status(user: User, now: datetime) -> UserStatus:
    if user.deleted:
        return UserStatus.DELETED
    return UserStatus.BLOCKED if in_force(user.block, now) else UserStatus.ACTIVE


def _claims(user: User) -> frozenset[Claim]:
    """The email under today's key, and under the key before NFKC when that differs: a claim
    stored under it by older code still blocks its twin, and is released with its owner."""
    if user.deleted:
        return frozenset()
    return frozenset(
        {Claim("email", email_key(user.email)), Claim("email", legacy_email_key(user.email))}
    )


def _references(user: User) -> frozenset[str]:
    if user.deleted:
        return frozenset()
    return frozenset(
        [*(f"role#{r}" for r in user.role_ids), *(f"group#{g}" for g in user.group_ids)]
    )


def _existing(user: User | None, command: c.AggregateCommand) -> User:
    if user is None or user.deleted:
        raise not_found("user", command)
    return user


def _block(user: User | None, command: c.BlockUser, ctx: Context) -> list[e.Event]:
    _existing(user, command)
    now = ctx.instant()
    if command.until is not None and command.until <= now:
        raise invalid("until", "until must be in the future")
    return [
        e.UserBlocked(
            id=command.id, reason=command.reason, blocked_by=ctx.actor, at=now, until=command.until
        )
    ]


def _unblock(user: User | None, command: c.UnblockUser, ctx: Context) -> list[e.Event]:
    # Unblocking a user whose block has ended (or who was never blocked) changes nothing.
    return [e.UserUnblocked(id=command.id)] if _existing(user, command).block else []


def _erase(user: User | None, command: c.AggregateCommand, ctx: Context) -> list[e.Event]:
    # Active, blocked and deleted users alike; an erased one is not there any more.
    if user is None or user.erased:
        raise not_found("user", command)
    return [e.UserErased(id=command.id)]


def _erased(user: User, _: e.UserErased) -> User:
    """Nothing of the person is left; the state stays so that the id stays taken."""
    return User(id=user.id, email="", first_name="", last_name="", deleted=True, erased=True)


def _restore(user: User | None, command: c.RestoreUser, ctx: Context) -> list[e.Event]:
    if user is None or user.erased:
        raise not_found("user", command)
    if not user.deleted:
        raise DomainError(Code.CONFLICT, f"user {command.id} is not deleted")
    roles = tuple(r for r in user.role_ids if f"role#{r}" not in ctx.gone)
    groups = tuple(g for g in user.group_ids if f"group#{g}" not in ctx.gone)
    return [e.UserRestored(id=command.id, role_ids=roles, group_ids=groups)]


USER = Aggregate(
    kind="user",
    state=User,
    creates={c.CreateUser: e.UserCreated, c.RegisterMe: e.UserRegistered},
    updates={c.UpdateUser: e.UserUpdated, c.UpdateMe: e.UserUpdated},
    deletes={c.DeleteUser: e.UserDeleted},
    claims=_claims,
    references=_references,
    actions={
        c.BlockUser: _block,
        c.UnblockUser: _unblock,
        c.RestoreUser: _restore,
        c.EraseUser: _erase,
        c.EraseMe: _erase,
    },
    transitions={
        e.UserDeleted: lambda u, _: dataclasses.replace(u, deleted=True),
        e.UserBlocked: lambda u, ev: dataclasses.replace(
            u, block=Block(reason=ev.reason, blocked_by=ev.blocked_by, at=ev.at, until=ev.until)
        ),
        e.UserUnblocked: lambda u, _: dataclasses.replace(u, block=None),
        e.UserErased: _erased,
        e.UserRestored: lambda u, ev: dataclasses.replace(
            u, deleted=False, role_ids=ev.role_ids, group_ids=ev.group_ids
        ),
    },
)
