"""For any sequence of commands: once the pipeline drains, the views are the fold of the store,
every stream's versions are 1..n, no two live users share an email, and no reference dangles."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import commands as c
from domain.commands import Command
from domain.rules import email_key
from tests.support.builders import as_admin
from tests.support.deployments import FACTORIES
from tests.support.views import assert_versions_gap_free, assert_views_match_store, live_rows

USERS = [f"auth0|p{i}" for i in range(4)]
ROLES = [f"00000000-0000-4000-8000-00000000000{i}" for i in range(3)]
GROUPS = [f"00000000-0000-4000-9000-00000000000{i}" for i in range(2)]
AUTHS = [f"00000000-0000-4000-a000-00000000000{i}" for i in range(3)]
EMAILS = ["ann@example.com", " ANN@example.com", "bob@example.com", "Bob@Example.com ", "cy@x.io"]
NAMES = ["admin", "Admin ", "ops", "dev"]

role_ref = st.none() | st.sampled_from(ROLES)
group_ref = st.none() | st.sampled_from(GROUPS)

user_commands = st.one_of(
    st.builds(
        c.CreateUser,
        id=st.sampled_from(USERS),
        email=st.sampled_from(EMAILS),
        first_name=st.just("A"),
        last_name=st.just("B"),
        role_id=role_ref,
        group_id=group_ref,
    ),
    st.builds(
        c.UpdateUser,
        id=st.sampled_from(USERS),
        email=st.sampled_from(EMAILS),
        role_id=role_ref,
        group_id=group_ref,
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
            role_id=draw(role_ref),
            group_id=draw(group_ref),
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
            assert user.data["role_id"] in live["role"] | {None}
            assert user.data["group_id"] in live["group"] | {None}
        for role in live_rows(backend, "role"):
            assert role.data is not None
            assert set(role.data["authorization_ids"]) <= live_auths
