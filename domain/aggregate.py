"""The shape every aggregate shares: create, update (only what changed), delete.

An aggregate is described by an `Aggregate` spec: its state type, which command makes which
event, the uniqueness claims its state holds and the other aggregates it references. One generic
decide and one generic evolve serve all four aggregates.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from domain.codec import field_names
from domain.commands import AggregateCommand, Command
from domain.decision_context import Context
from domain.errors import Code, DomainError
from domain.events import Event
from domain.patch import UNSET

S = TypeVar("S")


@dataclass(frozen=True)
class Claim:
    """A value only one aggregate may hold at a time, such as a normalised email."""

    kind: str
    value: str


@dataclass(frozen=True)
class Aggregate(Generic[S]):
    kind: str
    state: type[S]
    creates: Mapping[type[Command], type[Event]]
    updates: Mapping[type[Command], type[Event]]
    deletes: Mapping[type[Command], type[Event]]
    claims: Callable[[S], frozenset[Claim]]
    references: Callable[[S], frozenset[str]]
    # what holds references to it, singular and plural, for messages ("role", "roles")
    referenced_by: tuple[str, str] | None = None
    # Beyond create, update, delete: commands decided by their own function, events folded by
    # their own function (an aggregate whose delete keeps the state, to restore it, folds its
    # delete event here and marks the state `deleted`).
    actions: Mapping[type[Command], Action[S]] = field(default_factory=dict)
    transitions: Mapping[type[Event], Callable[[S, Any], S]] = field(default_factory=dict)
    events: frozenset[type[Event]] = field(init=False)

    def __post_init__(self) -> None:
        kinds = (*self.creates.values(), *self.updates.values(), *self.deletes.values())
        object.__setattr__(self, "events", frozenset((*kinds, *self.transitions)))

    def decide(self, state: S | None, command: AggregateCommand, ctx: Context) -> list[Event]:
        kind = type(command)
        if kind in self.actions:
            return self.actions[kind](state, command, ctx)
        if kind in self.creates:
            if live(state) or getattr(state, "erased", False):  # an erased id stays taken
                raise already_exists(self.kind, command)
            return [self.creates[kind](**_payload(command))]
        if state is None or not live(state):
            raise not_found(self.kind, command)
        if kind in self.updates:
            changed = _changes(state, command)
            return [self.updates[kind](id=command.id, **changed)] if changed else []
        if kind in self.deletes:
            return [self.deletes[kind](id=command.id)]
        raise TypeError(f"{self.kind} cannot handle {command.command_name}")

    def evolve(self, state: S | None, event: Event) -> S | None:
        kind = type(event)
        if kind in self.transitions and state is not None:
            return self.transitions[kind](state, event)
        if kind in self.creates.values():
            return self.state(**_payload(event))
        if kind in self.deletes.values():
            return None
        if state is None:
            raise ValueError(f"{event.type} for {self.kind} {event.id} that does not exist")
        return dataclasses.replace(state, **_changes_of(event))  # type: ignore[type-var]


Action = Callable[[S | None, Any, Context], list[Event]]


def not_found(kind: str, command: AggregateCommand) -> DomainError:
    """The command's target is missing: the fault is in the input holding its id."""
    return DomainError(Code.NOT_FOUND, f"{kind} {command.id} does not exist", command.ID_FIELD)


def already_exists(kind: str, command: AggregateCommand) -> DomainError:
    return DomainError(Code.DUPLICATE, f"{kind} {command.id} already exists", command.ID_FIELD)


def live(state: Any) -> bool:
    """There, and not deleted (a deleted state kept for a restore is not there)."""
    return state is not None and not getattr(state, "deleted", False)


def _payload(obj: Any) -> dict[str, Any]:
    names = field_names(type(obj))
    return {name: getattr(obj, name) for name in names if name != "expected_version"}


def _changes(state: Any, command: AggregateCommand) -> dict[str, Any]:
    """The fields the command sets to a value other than the current one."""
    out = {}
    for name, value in _payload(command).items():
        if name != "id" and value is not UNSET and value != getattr(state, name):
            out[name] = value
    return out


def _changes_of(event: Event) -> dict[str, Any]:
    return {k: v for k, v in _payload(event).items() if k != "id" and v is not UNSET}
