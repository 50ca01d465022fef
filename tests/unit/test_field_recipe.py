"""The recipe for a new field on an existing aggregate (README, "Extending"), step by step: a step
left out fails here, with a message naming it, rather than in an end-to-end test or the bench.

Each test walks every command, event, state, input type or view type, so a new field is checked
the moment it is declared anywhere.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
import types
import typing
from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain import commands as c
from domain import events as e
from domain.aggregate import Aggregate
from domain.codec import to_data
from domain.model import AGGREGATES
from domain.patch import Unset
from domain.validation import _RULES, NULLABLE
from pipeline.records import ViewRow
from resolvers import mutations
from schema import inputs
from schema import types as gql_types

# What every event type's stored data may hold, by (event type, schema version): the field
# names of that shape. An event stored at that version decodes today only if each of these is
# still a field, and every field added since has a default (domain/codec.py: from_data refuses
# unknown keys; a missing key takes the field's default). When a shape changes in a way that
# needs SCHEMA_VERSION raised (README, "A new field on an existing aggregate"), add the new
# version's shape here, beside the old one, with its upcaster in domain/events.py.
STORED_SHAPES: dict[tuple[str, int], frozenset[str]] = {
    ("UserCreated", 2): frozenset(
        {"id", "email", "first_name", "last_name", "birth_date", "role_id", "group_id"}
    ),
    ("UserCreated", 3): frozenset(
        {"id", "email", "first_name", "last_name", "birth_date", "role_ids", "group_ids"}
    ),
    ("UserRegistered", 1): frozenset({"id", "email", "first_name", "last_name", "birth_date"}),
    ("UserUpdated", 1): frozenset(
        {"id", "email", "first_name", "last_name", "birth_date", "role_id", "group_id"}
    ),
    ("UserUpdated", 2): frozenset(
        {"id", "email", "first_name", "last_name", "birth_date", "role_ids", "group_ids"}
    ),
    ("UserDeleted", 1): frozenset({"id"}),
    ("UserBlocked", 1): frozenset({"id", "reason", "blocked_by", "at", "until"}),
    ("UserUnblocked", 1): frozenset({"id"}),
    ("UserRestored", 1): frozenset({"id", "role_ids", "group_ids"}),
    ("UserErased", 1): frozenset({"id"}),
    ("RoleCreated", 1): frozenset({"id", "name", "description", "authorization_ids"}),
    ("RoleUpdated", 1): frozenset({"id", "name", "description", "authorization_ids"}),
    ("RoleDeleted", 1): frozenset({"id"}),
    ("AuthorizationCreated", 1): frozenset({"id", "name", "description"}),
    ("AuthorizationUpdated", 1): frozenset({"id", "name", "description"}),
    ("AuthorizationDeleted", 1): frozenset({"id"}),
    # v1 groups had no parent and no roles: the fields added since have defaults, and v1 data
    # decodes as it is, so their shape kept its version
    ("GroupCreated", 1): frozenset({"id", "name", "description"}),
    ("GroupUpdated", 1): frozenset({"id", "name", "description"}),
    ("GroupDeleted", 1): frozenset({"id"}),
}

# The GraphQL object type that shows each aggregate's view rows (schema/types.py).
VIEW_TYPES: dict[str, Any] = {
    "user": gql_types.User,
    "role": gql_types.Role,
    "authorization": gql_types.Authorization,
    "group": gql_types.Group,
}

# Mutation inputs whose command's `id` the API sets itself: the token's subject, or a new UUID.
ID_NOT_IN_INPUT = {"RegisterMe", "UpdateMe", "CreateRole", "CreateAuthorization", "CreateGroup"}


# Helpers ----------------------------------------------------------------------------------------


def _fields(cls: type[Any]) -> dict[str, dataclasses.Field[Any]]:
    return {f.name: f for f in dataclasses.fields(cls)}


def _has_default(f: dataclasses.Field[Any]) -> bool:
    return f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING


def _required(cls: type[Any]) -> set[str]:
    return {name for name, f in _fields(cls).items() if not _has_default(f)}


def _payload_fields(command: type[c.Command]) -> set[str]:
    """The fields a command hands on to its event (domain/aggregate.py: _payload)."""
    return set(_fields(command)) - {"expected_version"}


def _may_be_none(hint: Any) -> bool:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return any(_may_be_none(arg) for arg in typing.get_args(hint))
    return hint is type(None)


def _members(hint: Any) -> list[Any]:
    """A union's members other than None and UNSET, flattened."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(hint) for m in _members(arg)]
    return [] if hint in (type(None), Unset) else [hint]


def _sample(hint: Any, name: str) -> Any:
    """A value of the hinted type, distinct per field name, to see where each one ends up."""
    (kind,) = _members(hint)
    origin = typing.get_origin(kind)
    if origin in (tuple, list):
        return origin([_sample(typing.get_args(kind)[0], f"{name}-item")])
    if kind is date:
        return date(1990, 5, 1)
    if kind is datetime:
        return datetime(2026, 1, 2, tzinfo=UTC)
    if kind is int:
        return 7
    return f"{name}-value"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _mappings() -> list[tuple[Aggregate[Any], type[c.Command], type[e.Event], str]]:
    return [
        (aggregate, command, event, how)
        for aggregate in AGGREGATES.values()
        for how, mapping in (
            ("creates", aggregate.creates),
            ("updates", aggregate.updates),
            ("deletes", aggregate.deletes),
        )
        for command, event in mapping.items()
    ]


def _input_types() -> list[tuple[type[Any], type[c.Command]]]:
    found = []
    for name, value in vars(inputs).items():
        if name.endswith("Input") and name.removesuffix("Input") in c.COMMANDS:
            found.append((value, c.COMMANDS[name.removesuffix("Input")]))
    return found


# Step: validation (domain/validation.py) --------------------------------------------------------


@pytest.mark.parametrize("command", c.COMMANDS.values(), ids=lambda cls: cls.__name__)
def test_every_optional_command_field_is_in_nullable(command: type[c.Command]) -> None:
    hints = typing.get_type_hints(command)
    for name in _fields(command):
        if _may_be_none(hints[name]):
            assert name in NULLABLE, (
                f"{command.__name__}.{name} is optional, but {name!r} is not in NULLABLE in "
                f"domain/validation.py: every {command.__name__} that leaves it out (None) is "
                f"refused with '{name} must not be null'. Add it to NULLABLE in "
                "domain/validation.py."
            )


@pytest.mark.parametrize("command", c.COMMANDS.values(), ids=lambda cls: cls.__name__)
def test_every_command_field_has_a_rule(command: type[c.Command]) -> None:
    for name in set(_fields(command)) - {"id"}:  # ids have their own rule, by aggregate kind
        assert name in _RULES, (
            f"{command.__name__}.{name} has no input rule: add one to _RULES in "
            f"domain/validation.py (the check itself in domain/rules.py: trimmed, bounded, "
            f"normalised), or every {command.__name__} that sets it fails with KeyError."
        )


# Step: command -> event -> state (domain/commands.py, domain/events.py, domain/<aggregate>.py) --


@pytest.mark.parametrize(
    ("aggregate", "command", "event", "how"),
    _mappings(),
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_every_command_field_reaches_its_event_and_the_state(
    aggregate: Aggregate[Any], command: type[c.Command], event: type[e.Event], how: str
) -> None:
    if how == "deletes":
        return
    state = set(_fields(aggregate.state))
    for name in _payload_fields(command) - set(_fields(event)):
        pytest.fail(
            f"{command.__name__}.{name} is not a field of {event.__name__}: add it to "
            f"{event.__name__} in domain/events.py (with a default, so events stored before "
            f"it still decode), or the command stage fails on every {command.__name__}."
        )
    for name in _required(event) - _payload_fields(command):
        pytest.fail(
            f"{event.__name__}.{name} is required but {command.__name__} has no {name}: "
            f"add it to {command.__name__} in domain/commands.py."
        )
    for name in set(_fields(event)) - state:
        pytest.fail(
            f"{event.__name__}.{name} is not a field of {aggregate.state.__name__}: add it "
            f"to the state in domain/{aggregate.kind}.py (with a default), or folding the "
            f"event fails and the view never shows it."
        )
    if how == "creates":
        for name in _required(aggregate.state) - set(_fields(event)):
            pytest.fail(
                f"{aggregate.state.__name__}.{name} is required but {event.__name__} does "
                f"not carry it: give it a default in domain/{aggregate.kind}.py."
            )


@pytest.mark.parametrize("aggregate", AGGREGATES.values(), ids=lambda a: a.kind)
def test_a_new_state_field_has_a_default(aggregate: Aggregate[Any]) -> None:
    """View rows stored before the field was added lack it, and are read back into the state
    by the executor (pipeline/projection.py): without a default they no longer decode."""
    created_with = [_required(event) for event in aggregate.creates.values()]
    always_set = set.intersection(*created_with)
    for name in _required(aggregate.state) - always_set:
        pytest.fail(
            f"{aggregate.state.__name__}.{name} has no default: view rows stored before it "
            f"do not have it. Give it a default in domain/{aggregate.kind}.py."
        )


# Step: the stored shape of events (SCHEMA_VERSION and upcasters, domain/events.py) -------------


@pytest.mark.parametrize("event", e.EVENTS.values(), ids=lambda cls: cls.__name__)
def test_events_stored_before_a_change_still_decode(event: type[e.Event]) -> None:
    key = (event.__name__, event.SCHEMA_VERSION)
    assert key in STORED_SHAPES, (
        f"{event.__name__} is at SCHEMA_VERSION {event.SCHEMA_VERSION}, a shape this test "
        f"does not know: record its fields in STORED_SHAPES in {__name__.replace('.', '/')}.py"
    )
    for version in range(1, event.SCHEMA_VERSION):
        assert (event.__name__, version) in e.UPCASTERS, (
            f"{event.__name__} has no upcaster from version {version}: add "
            f"({event.__name__!r}, {version}) to UPCASTERS in domain/events.py."
        )
    fields = _fields(event)
    gone = STORED_SHAPES[key] - set(fields)
    assert not gone, (
        f"{event.__name__} no longer has {sorted(gone)}, which events stored at version "
        f"{event.SCHEMA_VERSION} hold: they would no longer decode. A field is renamed or "
        f"removed only with SCHEMA_VERSION raised and an upcaster in domain/events.py."
    )
    for name in set(fields) - STORED_SHAPES[key]:
        assert _has_default(fields[name]), (
            f"{event.__name__}.{name} has no default, and events stored before it do not "
            f"have it: give it a default (an optional field needs no new SCHEMA_VERSION), or "
            f"raise SCHEMA_VERSION and add an upcaster that fills it in, in domain/events.py."
        )


# Step: the API's input types and mutation resolvers (schema/inputs.py, resolvers/mutations.py) --


@pytest.mark.parametrize(("input_type", "command"), _input_types(), ids=lambda v: v.__name__)
def test_every_input_field_maps_to_a_command_field(
    input_type: type[Any], command: type[c.Command]
) -> None:
    sent = set(_fields(input_type)) - {"command_id"}
    expected = set(_fields(command)) - {"expected_version"}
    if command.__name__ in ID_NOT_IN_INPUT:
        expected -= {"id"}
    if command.__name__.startswith("Update"):
        expected |= {"expected_version"}
    for name in expected - sent:
        pytest.fail(
            f"{command.__name__}.{name} cannot be set through the API: add it to "
            f"{input_type.__name__} in schema/inputs.py, then run `usermgmt export-schema`."
        )
    for name in sent - expected:
        pytest.fail(
            f"{input_type.__name__}.{name} has no field of {command.__name__} to go to: add "
            f"it to {command.__name__} in domain/commands.py."
        )


@pytest.mark.parametrize(("input_type", "command"), _input_types(), ids=lambda v: v.__name__)
def test_every_input_field_is_passed_on_by_its_resolver(
    input_type: type[Any], command: type[c.Command], monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[c.Command] = []

    async def capture(info: Any, command: c.Command, command_id: str | None) -> None:
        sent.append(command)

    monkeypatch.setattr(mutations, "send", capture)
    hints = typing.get_type_hints(input_type)
    values = {name: _sample(hints[name], name) for name in _fields(input_type)}
    info = types.SimpleNamespace(
        context=types.SimpleNamespace(caller=types.SimpleNamespace(sub="auth0|me", admin=True))
    )
    resolver = getattr(mutations, _snake(command.__name__))
    asyncio.run(resolver(info, input_type(**values)))

    (built,) = sent
    assert isinstance(built, command)
    for name, value in values.items():
        if name == "command_id":
            continue
        got = getattr(built, name)
        assert got == (tuple(value) if isinstance(value, list) else value), (
            f"{input_type.__name__}.{name} is not passed on: {_snake(command.__name__)} in "
            f"resolvers/mutations.py must set {name}=input.{name} on {command.__name__} "
            f"(got {got!r})."
        )


# Step: the view type (schema/types.py) -----------------------------------------------------------


@pytest.mark.parametrize("kind", VIEW_TYPES, ids=str)
def test_every_state_field_reaches_the_view_type(kind: str) -> None:
    aggregate = AGGREGATES[kind]
    hints = typing.get_type_hints(aggregate.state)
    state = aggregate.state(**{name: _sample(hints[name], name) for name in hints})
    now = datetime(2026, 1, 2, tzinfo=UTC)
    row = ViewRow(
        kind=kind, id=state.id, version=1, data=to_data(state), created_at=now, updated_at=now
    )
    view_type = VIEW_TYPES[kind]
    shown = view_type.of(row)
    for name in hints:
        assert getattr(shown, name, None) == getattr(state, name), (
            f"{aggregate.state.__name__}.{name} does not reach the API: add it to "
            f"{view_type.__name__} in schema/types.py (a field, or strawberry.Private if "
            f"only resolvers use it) and set it in {view_type.__name__}.of, then run "
            f"`usermgmt export-schema`."
        )


def test_every_aggregate_has_a_view_type() -> None:
    assert set(VIEW_TYPES) == set(AGGREGATES), (
        f"add the object type of {sorted(set(AGGREGATES) - set(VIEW_TYPES))} to VIEW_TYPES here"
    )
