"""For any sequence of commands: once the pipeline drains, the views are the fold of the store,
every stream's versions are 1..n, no two live users share an email, no reference dangles, the
group tree has no cycle and is at most MAX_DEPTH deep, and `can` answers what a straightforward
recomputation from the events says."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import commands as c
from domain.commands import Command
from domain.model import fold, parse_stream
from domain.rules import email_key, unique_key
from domain.tree import MAX_DEPTH
from pipeline.authz import can, effective_permissions
from pipeline.ports import Backend
from tests.support.builders import as_admin
from tests.support.deployments import FACTORIES
from tests.support.views import (
    all_histories,
    assert_versions_gap_free,
    assert_views_match_store,
    live_rows,
)

USERS = [f"auth0|p{i}" for i in range(4)]
ROLES = [f"00000000-0000-4000-8000-00000000000{i}" for i in range(3)]
GROUPS = [f"00000000-0000-4000-9000-00000000000{i}" for i in range(4)]
AUTHS = [f"00000000-0000-4000-a000-00000000000{i}" for i in range(3)]
EMAILS = ["ann@example.com", " ANN@example.com", "bob@example.com", "Bob@Example.com ", "cy@x.io"]
NAMES = ["admin", "Admin ", "ops", "dev"]

role_refs = st.lists(st.sampled_from(ROLES), max_size=2).map(tuple)
group_refs = st.lists(st.sampled_from(GROUPS), max_size=2).map(tuple)
parent_ref = st.none() | st.sampled_from(GROUPS)

user_commands = st.one_of(
    st.builds(
        c.CreateUser,
        id=st.sampled_from(USERS),
        email=st.sampled_from(EMAILS),
        first_name=st.just("A"),
        last_name=st.just("B"),
        role_ids=role_refs,
        group_ids=group_refs,
    ),
    st.builds(
        c.UpdateUser,
        id=st.sampled_from(USERS),
        email=st.sampled_from(EMAILS),
        role_ids=role_refs,
        group_ids=group_refs,
    ),
    st.builds(c.DeleteUser, id=st.sampled_from(USERS)),
)
auth_ids = st.lists(st.sampled_from(AUTHS), max_size=2).map(tuple)
creates = st.one_of(
    st.builds(
        c.CreateAuthorization,
        id=st.sampled_from(AUTHS),
        name=st.sampled_from(NAMES),
        description=st.just("d"),
    ),
    st.builds(
        c.CreateRole,
        id=st.sampled_from(ROLES),
        name=st.sampled_from(NAMES),
        description=st.just("d"),
        authorization_ids=auth_ids,
    ),
    st.builds(
        c.CreateGroup,
        id=st.sampled_from(GROUPS),
        name=st.sampled_from(NAMES),
        description=st.just("d"),
        parent_id=parent_ref,
        role_ids=role_refs,
    ),
)
other_commands = st.one_of(
    creates,
    st.builds(
        c.UpdateRole,
        id=st.sampled_from(ROLES),
        name=st.sampled_from(NAMES),
        authorization_ids=auth_ids,
    ),
    st.builds(c.DeleteRole, id=st.sampled_from(ROLES)),
    st.builds(c.DeleteAuthorization, id=st.sampled_from(AUTHS)),
    st.builds(c.UpdateGroup, id=st.sampled_from(GROUPS), name=st.sampled_from(NAMES)),
    st.builds(c.UpdateGroup, id=st.sampled_from(GROUPS), parent_id=parent_ref),
    st.builds(c.UpdateGroup, id=st.sampled_from(GROUPS), role_ids=role_refs),
    st.builds(c.UpdateAuthorization, id=st.sampled_from(AUTHS), name=st.sampled_from(NAMES)),
    st.builds(c.DeleteGroup, id=st.sampled_from(GROUPS)),
)


@st.composite
def user_sign_ups(draw: st.DrawFn) -> list[Command]:
    """Several distinct users created at once, their emails drawn from a small pool so that
    clashes (in case and spacing only) are common."""
    ids = draw(st.lists(st.sampled_from(USERS), min_size=2, max_size=4, unique=True))
    return [
        c.CreateUser(
            id=user_id,
            email=draw(st.sampled_from(EMAILS)),
            first_name="A",
            last_name="B",
            role_ids=draw(role_refs),
            group_ids=draw(group_refs),
        )
        for user_id in ids
    ]


# Set-up first, so that references often resolve; then users; then anything, mixed.
commands_strategy = st.tuples(
    st.lists(creates, min_size=2, max_size=8),
    user_sign_ups(),
    st.lists(st.one_of(user_commands, user_commands, other_commands), max_size=30),
).map(lambda parts: [*parts[0], *parts[1], *parts[2]])


@pytest.mark.parametrize("name", sorted(FACTORIES))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commands=commands_strategy)
def test_views_are_the_fold_and_invariants_hold(name: str, commands: list[Command]) -> None:
    with tempfile.TemporaryDirectory() as tmp, FACTORIES[name](Path(tmp)) as deployment:
        backend = deployment.backend
        for command in commands:
            as_admin(backend, command)
        deployment.drain()

        assert_views_match_store(backend)
        assert_versions_gap_free(backend)
        users = live_rows(backend, "user")
        emails = [email_key(u.data["email"]) for u in users if u.data]
        assert len(emails) == len(set(emails))
        live = {kind: {r.id for r in live_rows(backend, kind)} for kind in ("role", "group")}
        live_auths = {r.id for r in live_rows(backend, "authorization")}
        for user in users:
            assert user.data is not None
            assert set(user.data["role_ids"]) <= live["role"]
            assert set(user.data["group_ids"]) <= live["group"]
        groups = {g.id: g.data for g in live_rows(backend, "group") if g.data}
        for data in groups.values():
            assert data["parent_id"] in live["group"] | {None}
            assert set(data["role_ids"]) <= live["role"]
            assert len(ancestors(groups, data["id"])) < MAX_DEPTH  # no cycle, not too deep
        assert_can_is_the_recomputation(backend)
        for role in live_rows(backend, "role"):
            assert role.data is not None
            assert set(role.data["authorization_ids"]) <= live_auths


def ancestors(groups: dict[str, Any], group_id: str) -> list[str]:
    chain: list[str] = []
    parent = groups[group_id]["parent_id"]
    while parent is not None and len(chain) <= MAX_DEPTH:
        chain.append(parent)
        parent = groups[parent]["parent_id"]
    return chain


def assert_can_is_the_recomputation(backend: Backend, names: list[str] = NAMES) -> None:
    """Every (user, name) pair checked against the states folded straight from the events: a
    user may when one of their roles, or a role of one of their groups or of a group above one,
    grants a live authorization of that name."""
    states: dict[tuple[str, str], Any] = {}
    for history in all_histories(backend):
        kind, aggregate_id = parse_stream(history[0].stream)
        state = fold(kind, (r.event for r in history))
        if state is not None:
            states[(kind, aggregate_id)] = state

    def of(kind: str) -> dict[str, Any]:
        return {i: s for (k, i), s in states.items() if k == kind}

    users, roles, groups, auths = of("user"), of("role"), of("group"), of("authorization")
    for user_id in USERS:
        expected: set[str] = set()
        user = users.get(user_id)
        if user is not None and not user.deleted:  # a deleted user keeps its refs, holds nothing
            held = set(user.role_ids)
            for group_id in user.group_ids:
                current: str | None = group_id
                while current is not None:
                    held |= set(groups[current].role_ids)
                    current = groups[current].parent_id
            expected = {auths[a].id for r in held for a in roles[r].authorization_ids if a in auths}
        for name in names:
            wanted = {a.id for a in auths.values() if unique_key(a.name) == unique_key(name)}
            assert can(backend.views, user_id, name).allowed == bool(wanted & expected)
        permitted = {p.authorization_id for p in effective_permissions(backend.views, user_id)}
        assert permitted == expected


# Checks: a small world where names never clash, so that grants resolve, then random
# assignments, nestings and deletions.
CHECKED_NAMES = ["read", "write", "admin"]
world_setup: list[Command] = [
    *(
        c.CreateAuthorization(id=a, name=n, description="d")
        for a, n in zip(AUTHS, CHECKED_NAMES, strict=True)
    ),
    *(c.CreateGroup(id=g, name=f"g{i}", description="d") for i, g in enumerate(GROUPS)),
]
world_roles = st.tuples(*(auth_ids for _ in ROLES)).map(
    lambda grants: [
        c.CreateRole(id=r, name=f"r{i}", description="d", authorization_ids=a)
        for i, (r, a) in enumerate(zip(ROLES, grants, strict=True))
    ]
)
world_users = st.tuples(*(st.tuples(role_refs, group_refs) for _ in USERS)).map(
    lambda refs: [
        c.CreateUser(
            id=u,
            email=f"{u[6:]}@example.com",
            first_name="A",
            last_name="B",
            role_ids=r,
            group_ids=g,
        )
        for u, (r, g) in zip(USERS, refs, strict=True)
    ]
)
world_changes = st.one_of(
    st.builds(c.UpdateGroup, id=st.sampled_from(GROUPS), parent_id=parent_ref),
    st.builds(c.UpdateGroup, id=st.sampled_from(GROUPS), parent_id=parent_ref),
    st.builds(c.UpdateGroup, id=st.sampled_from(GROUPS), role_ids=role_refs),
    st.builds(c.UpdateUser, id=st.sampled_from(USERS), role_ids=role_refs),
    st.builds(c.UpdateUser, id=st.sampled_from(USERS), group_ids=group_refs),
    st.builds(c.UpdateRole, id=st.sampled_from(ROLES), authorization_ids=auth_ids),
    st.builds(c.DeleteUser, id=st.sampled_from(USERS)),
    st.builds(c.DeleteGroup, id=st.sampled_from(GROUPS)),
    st.builds(c.DeleteRole, id=st.sampled_from(ROLES)),
    st.builds(c.DeleteAuthorization, id=st.sampled_from(AUTHS)),
)
world_strategy = st.tuples(world_roles, world_users, st.lists(world_changes, max_size=25)).map(
    lambda parts: [*world_setup, *parts[0], *parts[1], *parts[2]]
)


@pytest.mark.parametrize("name", sorted(FACTORIES))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commands=world_strategy)
def test_can_is_a_recomputation_from_the_events(name: str, commands: list[Command]) -> None:
    with tempfile.TemporaryDirectory() as tmp, FACTORIES[name](Path(tmp)) as deployment:
        backend = deployment.backend
        for command in commands:
            as_admin(backend, command)
        deployment.drain()
        assert_can_is_the_recomputation(backend, CHECKED_NAMES)
