"""The domain's front door: which aggregate a command or event belongs to, folding a stream,
handling a command against it, and the claims and references an outcome takes or releases."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from domain.aggregate import Aggregate, Claim
from domain.commands import AggregateCommand
from domain.decision_context import Context
from domain.errors import Code, DomainError
from domain.events import Event
from domain.named import AUTHORIZATION, GROUP
from domain.role import ROLE
from domain.user import USER
from domain.validation import validate

AGGREGATES: dict[str, Aggregate[Any]] = {a.kind: a for a in (USER, ROLE, AUTHORIZATION, GROUP)}


def stream_name(kind: str, aggregate_id: str) -> str:
    return f"{kind}#{aggregate_id}"


def parse_stream(stream: str) -> tuple[str, str]:
    kind, _, aggregate_id = stream.partition("#")
    return kind, aggregate_id


def aggregate_of(kind: str) -> Aggregate[Any]:
    return AGGREGATES[kind]


def fold(kind: str, events: Iterable[Event], state: Any = None) -> Any:
    """The state after `events`, starting from `state` (None: before the first event)."""
    aggregate = AGGREGATES[kind]
    for event in events:
        state = aggregate.evolve(state, event)
    return state


def handle(state: Any, version: int, command: AggregateCommand, ctx: Context) -> list[Event]:
    """Decide on a command in the order the API promises: permission, input, then the rules."""
    authorize(command, ctx)
    command = validate(command, ctx.today)
    if command.expected_version is not None and command.expected_version != version:
        raise DomainError(
            Code.CONFLICT,
            f"expected version {command.expected_version}, but {command.KIND} {command.id} "
            f"is at version {version}",
            "expected_version",
        )
    assert command.KIND is not None
    return AGGREGATES[command.KIND].decide(state, command, ctx)


def authorize(command: AggregateCommand, ctx: Context) -> None:
    if command.ADMIN_ONLY and not ctx.admin:
        raise DomainError(Code.FORBIDDEN, f"{command.command_name} needs the admin right")
    if not command.ADMIN_ONLY and command.id != ctx.actor:
        raise DomainError(
            Code.FORBIDDEN, f"{command.command_name} acts only on the caller's own record"
        )


@dataclass(frozen=True)
class TreeWrite:
    """The group tree's new parent map, written only if the tree is still at `expected`."""

    expected: int
    parents: Mapping[str, str]

    def __hash__(self) -> int:
        return hash((self.expected, tuple(sorted(self.parents.items()))))


@dataclass(frozen=True)
class Effects:
    """What an append must do besides storing events, all in the same atomic write."""

    take: frozenset[Claim] = frozenset()
    release: frozenset[Claim] = frozenset()
    vacant: frozenset[Claim] = frozenset()  # no other stream may hold these (a claim's old form)
    reference: frozenset[str] = frozenset()  # target streams that must exist; count + 1
    unreference: frozenset[str] = frozenset()  # target streams; count - 1
    create_target: str | None = None  # this stream becomes referenceable, count 0
    delete_target: str | None = None  # this stream stops being referenceable; count must be 0
    tree: TreeWrite | None = None  # a group's parent changes: the whole tree, guarded

    @property
    def empty(self) -> bool:
        return self == Effects()


def effects(kind: str, aggregate_id: str, before: Any, after: Any) -> Effects:
    aggregate = AGGREGATES[kind]
    claims_before = aggregate.claims(before) if before is not None else frozenset()
    claims_after = aggregate.claims(after) if after is not None else frozenset()
    refs_before = aggregate.references(before) if before is not None else frozenset()
    refs_after = aggregate.references(after) if after is not None else frozenset()
    me = stream_name(kind, aggregate_id)
    referenceable = aggregate.referenced_by is not None
    return Effects(
        take=claims_after - claims_before,
        release=claims_before - claims_after,
        reference=refs_after - refs_before,
        unreference=refs_before - refs_after,
        create_target=me if referenceable and before is None and after is not None else None,
        delete_target=me if referenceable and before is not None and after is None else None,
    )


def duplicate(claim: Claim) -> DomainError:
    if claim.kind == "email":
        # Never the value: it is another person's email, and command records are kept.
        return DomainError(Code.DUPLICATE, "email is already taken", "email")
    what = claim.kind.replace("-", " ")
    # Every other claim is a role's, group's or authorization's name.
    return DomainError(Code.DUPLICATE, f"{what} {claim.value!r} is already taken", "name")


# (kind of the command's aggregate, kind of the missing target) -> the input field naming it
REFERENCE_FIELDS = {
    ("user", "role"): "role_ids",
    ("user", "group"): "group_ids",
    ("group", "role"): "role_ids",
    ("group", "group"): "parent_id",
    ("role", "authorization"): "authorization_ids",
}


def missing_target(kind: str, stream: str) -> DomainError:
    target, aggregate_id = parse_stream(stream)
    field = REFERENCE_FIELDS.get((kind, target), f"{target}_id")
    return DomainError(Code.NOT_FOUND, f"{target} {aggregate_id} does not exist", field)


def still_referenced(stream: str, count: int) -> DomainError:
    kind, aggregate_id = parse_stream(stream)
    one, many = AGGREGATES[kind].referenced_by or ("aggregate", "aggregates")
    return DomainError(
        Code.CONFLICT,
        f"{kind} {aggregate_id} is still referenced by {count} {one if count == 1 else many}",
    )
