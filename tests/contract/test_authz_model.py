"""Many roles and groups, nested groups and the check core (pipeline/authz.py), on every backend:
inheritance down the tree, integrity (NOT_FOUND, CONFLICT), CYCLE and TOO_DEEP, including two
admins re-parenting at the same moment, and the limits."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from domain import commands as c
from domain.commands import Command
from domain.errors import DomainError
from domain.rules import GROUP_ROLES_MAX, USER_GROUPS_MAX, USER_ROLES_MAX
from domain.tree import MAX_DEPTH
from domain.validation import validate
from pipeline.authz import Grant, can, can_many, effective_permissions, who_can
from pipeline.command_stage import handle_command
from pipeline.ports import Backend, EventStore, GroupTree, ViewFilter
from pipeline.records import CommandRecord, Status
from tests.support.builders import as_admin, create_role, create_user, new_id
from tests.support.concurrency import run_all
from tests.support.deployments import Deployment
from tests.support.views import assert_views_match_store


def run(deployment: Deployment, *commands: Command) -> list[CommandRecord]:
    """Submit the commands in order, run every stage, and return their final records."""
    receipts = [as_admin(deployment.backend, command) for command in commands]
    deployment.drain()
    records = [deployment.backend.commands.get(r.id) for r in receipts]
    assert all(r is not None for r in records)
    return [r for r in records if r is not None]


def ok(deployment: Deployment, *commands: Command) -> None:
    for record in run(deployment, *commands):
        assert record.status is Status.APPLIED, (record.name, record.error)


def refused(deployment: Deployment, command: Command) -> tuple[str, str | None]:
    (record,) = run(deployment, command)
    assert record.status is Status.REJECTED and record.error is not None
    return record.error.code, record.error.field


def group(
    group_id: str, name: str, parent: str | None = None, roles: Sequence[str] = ()
) -> Command:
    return c.CreateGroup(
        id=group_id, name=name, description="people", parent_id=parent, role_ids=tuple(roles)
    )


class World:
    """Authorizations `read` and `approve`; role `reader` grants read, `approver` both."""

    def __init__(self, deployment: Deployment) -> None:
        self.read, self.approve = new_id(), new_id()
        self.reader, self.approver = new_id(), new_id()
        ok(
            deployment,
            c.CreateAuthorization(id=self.read, name="Read reports", description="r"),
            c.CreateAuthorization(id=self.approve, name="Approve spend", description="a"),
            create_role(self.reader, "reader", [self.read]),
            create_role(self.approver, "approver", [self.read, self.approve]),
        )


def test_roles_of_a_group_reach_the_members_of_every_group_below(deployment: Deployment) -> None:
    w = World(deployment)
    top, mid, leaf = new_id(), new_id(), new_id()
    ok(
        deployment,
        group(top, "company", roles=[w.approver]),
        group(mid, "finance", parent=top),
        group(leaf, "payables", parent=mid, roles=[w.reader]),
        create_user("auth0|pam", "pam@example.com", group_ids=(leaf,)),
        create_user("auth0|max", "max@example.com", group_ids=(mid,)),
        create_user("auth0|own", "own@example.com", role_ids=(w.reader,)),
        create_user("auth0|none", "none@example.com"),
    )
    views = deployment.backend.views
    pam = can(views, "auth0|pam", "  approve SPEND ")
    assert pam.allowed and pam.via == (Grant(w.approver, (leaf, mid, top)),)
    read = can(views, "auth0|pam", "Read reports")
    assert set(read.via) == {Grant(w.reader, (leaf,)), Grant(w.approver, (leaf, mid, top))}
    assert can(views, "auth0|max", "Approve spend").via == (Grant(w.approver, (mid, top)),)
    assert can(views, "auth0|own", "read reports").via == (Grant(w.reader),)
    assert not can(views, "auth0|own", "approve spend").allowed
    assert not can(views, "auth0|none", "read reports").allowed
    assert not can(views, "auth0|nobody", "read reports").allowed
    assert not can(views, "auth0|pam", "no such authorization").allowed
    assert [d.allowed for d in can_many(views, [("auth0|max", "read reports")] * 3)] == [True] * 3

    permissions = {p.authorization_id: p.via for p in effective_permissions(views, "auth0|pam")}
    assert set(permissions) == {w.read, w.approve}

    # Moving the middle group away takes the company's roles from both members below it.
    ok(deployment, c.UpdateGroup(id=mid, parent_id=None))
    assert not can(views, "auth0|pam", "approve spend").allowed
    assert can(views, "auth0|pam", "read reports").via == (Grant(w.reader, (leaf,)),)
    # A deleted user is never allowed.
    ok(deployment, c.DeleteUser(id="auth0|own"))
    assert not can(views, "auth0|own", "read reports").allowed


def test_many_roles_and_groups_per_user_and_the_direct_filters(deployment: Deployment) -> None:
    w = World(deployment)
    g1, g2 = new_id(), new_id()
    ok(
        deployment,
        group(g1, "one"),
        group(g2, "two", parent=g1, roles=[w.reader]),
        create_user(
            "auth0|many", "many@example.com", role_ids=(w.reader, w.approver), group_ids=(g1, g2)
        ),
        create_user("auth0|few", "few@example.com", role_ids=(w.reader,), group_ids=(g2,)),
    )
    views = deployment.backend.views
    assert can(views, "auth0|many", "approve spend").via == (Grant(w.approver),)

    def ids(where: ViewFilter, kind: str = "user") -> list[str]:
        return [r.id for r in views.page(kind, 10, None, where)]

    assert ids(ViewFilter(role_id=w.reader)) == ["auth0|few", "auth0|many"]
    assert ids(ViewFilter(role_id=w.approver)) == ["auth0|many"]
    assert ids(ViewFilter(group_id=g1)) == ["auth0|many"]  # direct members only
    assert ids(ViewFilter(group_id=g2, role_id=w.approver)) == ["auth0|many"]
    assert ids(ViewFilter(parent_id=g1), "group") == [g2]
    assert ids(ViewFilter(role_id=w.reader), "group") == [g2]

    ok(deployment, c.UpdateUser(id="auth0|many", role_ids=(), group_ids=(g1,)))
    assert ids(ViewFilter(role_id=w.reader)) == ["auth0|few"]
    assert ids(ViewFilter(group_id=g2)) == ["auth0|few"]
    assert not can(views, "auth0|many", "read reports").allowed
    assert_views_match_store(deployment.backend)


def test_who_can_pages_through_direct_and_inherited_holders_once_each(
    deployment: Deployment,
) -> None:
    w = World(deployment)
    top, child = new_id(), new_id()
    ok(deployment, group(top, "top", roles=[w.reader]), group(child, "child", parent=top))
    users = [f"auth0|w{i:02d}" for i in range(9)]
    ok(
        deployment,
        *(
            create_user(
                u,
                f"w{i}@example.com",
                role_ids=(w.approver,) if i % 3 == 0 else (),
                group_ids=(top,) if i % 3 == 1 else (child,) if i % 3 == 2 else (top, child),
            )
            for i, u in enumerate(users)
        ),
        create_user("auth0|outsider", "out@example.com"),
    )
    views = deployment.backend.views
    seen: list[str] = []
    after = None
    for _ in range(20):
        page = who_can(views, "READ REPORTS", 2, after)
        assert len(page.user_ids) <= 2
        seen += page.user_ids
        if not page.has_next_page:
            break
        after = page.end_cursor
    assert sorted(seen) == users and len(seen) == len(set(seen))
    assert who_can(views, "unknown", 5, None).user_ids == ()
    approvers = who_can(views, "approve spend", 50, None)
    assert approvers.user_ids == tuple(users[0::3]) and not approvers.has_next_page


def test_references_must_exist_and_the_error_names_the_field(deployment: Deployment) -> None:
    w = World(deployment)
    g = new_id()
    ok(deployment, group(g, "exists"))
    missing = new_id()
    user = create_user("auth0|ref", "ref@example.com", role_ids=(w.reader, missing))
    assert refused(deployment, user) == ("NOT_FOUND", "role_ids")
    user = create_user("auth0|ref", "ref@example.com", group_ids=(g, missing))
    assert refused(deployment, user) == ("NOT_FOUND", "group_ids")
    assert refused(deployment, group(new_id(), "orphan", parent=missing)) == (
        "NOT_FOUND",
        "parent_id",
    )
    assert refused(deployment, group(new_id(), "r", roles=[missing])) == ("NOT_FOUND", "role_ids")
    assert refused(deployment, c.UpdateGroup(id=g, role_ids=(missing,))) == (
        "NOT_FOUND",
        "role_ids",
    )
    role = create_role(new_id(), "dangling", [missing])
    assert refused(deployment, role) == ("NOT_FOUND", "authorization_ids")


def test_deleting_what_is_still_referenced_is_a_conflict(deployment: Deployment) -> None:
    w = World(deployment)
    parent, child, granting = new_id(), new_id(), new_id()
    ok(
        deployment,
        group(parent, "parent"),
        group(child, "child", parent=parent),
        group(granting, "granting", roles=[w.approver]),
        create_user("auth0|held", "held@example.com", role_ids=(w.reader,), group_ids=(child,)),
    )
    assert refused(deployment, c.DeleteRole(id=w.reader)) == ("CONFLICT", None)  # a user's
    assert refused(deployment, c.DeleteRole(id=w.approver)) == ("CONFLICT", None)  # a group's
    assert refused(deployment, c.DeleteAuthorization(id=w.read)) == ("CONFLICT", None)
    assert refused(deployment, c.DeleteGroup(id=parent)) == ("CONFLICT", None)  # a child group
    assert refused(deployment, c.DeleteGroup(id=child)) == ("CONFLICT", None)  # a member
    ok(
        deployment,
        c.DeleteUser(id="auth0|held"),
        c.DeleteGroup(id=child),
        c.DeleteGroup(id=parent),
        c.DeleteGroup(id=granting),
        c.DeleteRole(id=w.approver),
        c.DeleteRole(id=w.reader),
        c.DeleteAuthorization(id=w.read),
    )


def chain(deployment: Deployment, levels: int) -> list[str]:
    ids = [new_id() for _ in range(levels)]
    ok(
        deployment,
        *(group(g, f"level-{n}-{g[:8]}", ids[n - 1] if n else None) for n, g in enumerate(ids)),
    )
    return ids


def test_a_parent_that_makes_a_cycle_is_refused(deployment: Deployment) -> None:
    a, b, c_ = chain(deployment, 3)
    assert refused(deployment, c.UpdateGroup(id=a, parent_id=a)) == ("CYCLE", "parent_id")
    assert refused(deployment, c.UpdateGroup(id=a, parent_id=b)) == ("CYCLE", "parent_id")
    assert refused(deployment, c.UpdateGroup(id=a, parent_id=c_)) == ("CYCLE", "parent_id")
    ok(deployment, c.UpdateGroup(id=c_, parent_id=None), c.UpdateGroup(id=a, parent_id=c_))


def test_a_tree_deeper_than_the_limit_is_refused(deployment: Deployment) -> None:
    ids = chain(deployment, MAX_DEPTH)
    assert refused(deployment, group(new_id(), "ninth", parent=ids[-1])) == (
        "TOO_DEEP",
        "parent_id",
    )
    # A subtree of two levels fits under the 6th level and not under the 7th.
    sub, leaf = new_id(), new_id()
    ok(deployment, group(sub, "sub"), group(leaf, "leaf", parent=sub))
    assert refused(deployment, c.UpdateGroup(id=sub, parent_id=ids[6])) == (
        "TOO_DEEP",
        "parent_id",
    )
    ok(deployment, c.UpdateGroup(id=sub, parent_id=ids[5]))
    # Adding a level below the subtree's leaf now would make 9.
    assert refused(deployment, group(new_id(), "deeper", parent=leaf)) == (
        "TOO_DEEP",
        "parent_id",
    )


class TreeReadsMeet:
    """An event store whose first `parties` reads of the group tree wait for each other, so
    that every decision reads the same tree before any of them appends."""

    def __init__(self, store: EventStore, parties: int) -> None:
        self.store = store
        self.barrier = threading.Barrier(parties, timeout=30)
        self.waiting = parties
        self.lock = threading.Lock()

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def group_tree(self) -> GroupTree:
        tree = self.store.group_tree()
        with self.lock:
            meet = self.waiting > 0
            self.waiting -= 1
        if meet:
            self.barrier.wait()
        return tree


@pytest.mark.parametrize("shape", ["cycle", "depth"])
def test_concurrent_re_parentings_cannot_both_pass(deployment: Deployment, shape: str) -> None:
    """Two admins at the same moment: A under B and B under A (a cycle if both pass); or a
    subtree moved down while a level is added below its leaf (too deep if both pass). Both
    decisions read the same tree; the append guarded by the tree's version lets one through,
    and the other is decided again on the new tree and refused."""
    backend = deployment.unbatched()
    chain(deployment, 2)  # the tree has a version already: its first write is no guard here
    if shape == "cycle":
        a, b = chain(deployment, 1)[0], chain(deployment, 1)[0]
        first: Command = c.UpdateGroup(id=a, parent_id=b)
        second: Command = c.UpdateGroup(id=b, parent_id=a)
        expected = "CYCLE"
    else:
        deep = chain(deployment, MAX_DEPTH - 2)  # levels 1..6
        sub, leaf = chain(deployment, 2)
        first = c.UpdateGroup(id=sub, parent_id=deep[-1])  # sub at 7, leaf at 8
        second = group(new_id(), "below-leaf", parent=leaf)  # a 9th level
        expected = "TOO_DEEP"
    receipts = [as_admin(backend, first), as_admin(backend, second)]
    messages = []
    while batch := backend.command_queue.receive(10):
        messages += batch
    assert len(messages) == 2
    racing: Backend = replace(backend, events=TreeReadsMeet(backend.events, 2))  # type: ignore[arg-type]

    def decide(body: str) -> Callable[[], None]:
        return lambda: handle_command(racing, body)

    run_all([decide(m.body) for m in messages])
    for m in messages:
        backend.command_queue.ack(m)
    deployment.drain()
    records = [backend.commands.get(r.id) for r in receipts]
    outcomes = sorted((r.status, r.error.code if r.error else None) for r in records if r)
    assert outcomes == [(Status.APPLIED, None), (Status.REJECTED, expected)]
    assert_views_match_store(backend)


def test_the_limits_are_input_errors_naming_the_field() -> None:
    def field_of(command: Command) -> str | None:
        with pytest.raises(DomainError) as caught:
            validate(command, __import__("datetime").date(2026, 1, 1))
        assert caught.value.code == "VALIDATION"
        return caught.value.field

    ids = [new_id() for _ in range(max(USER_ROLES_MAX, GROUP_ROLES_MAX, USER_GROUPS_MAX) + 1)]
    user = "auth0|limits"
    assert field_of(c.UpdateUser(id=user, role_ids=tuple(ids[: USER_ROLES_MAX + 1]))) == "role_ids"
    assert (
        field_of(c.UpdateUser(id=user, group_ids=tuple(ids[: USER_GROUPS_MAX + 1]))) == "group_ids"
    )
    over = tuple(ids[: GROUP_ROLES_MAX + 1])
    assert field_of(c.UpdateGroup(id=ids[0], role_ids=over)) == "role_ids"
    validate(
        c.UpdateUser(id=user, role_ids=tuple(ids[:USER_ROLES_MAX])),
        __import__("datetime").date(2026, 1, 1),
    )


def test_an_update_replacing_every_reference_at_the_limits_is_applied(
    deployment: Deployment,
) -> None:
    """The largest transactions the limits allow (every reference swapped for another, with a
    rename) fit in one atomic write on every backend: never a FAILED command."""
    roles = [new_id() for _ in range(2 * GROUP_ROLES_MAX)]
    groups = [new_id() for _ in range(2 * USER_GROUPS_MAX)]
    ok(
        deployment,
        *(create_role(r, f"limit-role-{n}") for n, r in enumerate(roles)),
        *(group(g, f"limit-group-{n}") for n, g in enumerate(groups)),
    )
    parent = new_id()
    g = new_id()
    ok(
        deployment,
        group(parent, "limit-parent"),
        group(g, "at-the-limit", roles=roles[:GROUP_ROLES_MAX]),
        create_user(
            "auth0|full",
            "full@example.com",
            role_ids=tuple(roles[:USER_ROLES_MAX]),
            group_ids=tuple(groups[:USER_GROUPS_MAX]),
        ),
    )
    ok(
        deployment,
        c.UpdateGroup(
            id=g, name="renamed", parent_id=parent, role_ids=tuple(roles[GROUP_ROLES_MAX:])
        ),
        c.UpdateUser(
            id="auth0|full",
            email="renamed@example.com",
            role_ids=tuple(roles[USER_ROLES_MAX : 2 * USER_ROLES_MAX]),
            group_ids=tuple(groups[USER_GROUPS_MAX:]),
        ),
    )
    ok(deployment, c.DeleteUser(id="auth0|full"), c.DeleteGroup(id=g))
    assert_views_match_store(deployment.backend)


def test_a_replay_puts_back_the_references_a_damaged_row_lost(deployment: Deployment) -> None:
    """A row damaged to hold other roles and groups (and so listed under them) is put back by a
    replay, filters included: listed under its own again, and under the others no more."""
    w = World(deployment)
    g, other = new_id(), new_id()
    ok(
        deployment,
        group(g, "kept"),
        group(other, "wrong"),
        create_user("auth0|mended", "mended@example.com", role_ids=(w.reader,), group_ids=(g,)),
    )
    backend = deployment.backend
    row = backend.views.get("user", "auth0|mended")
    assert row is not None and row.data is not None
    damaged = {**row.data, "role_ids": [w.approver], "group_ids": [other]}
    assert backend.views.replace(replace(row, data=damaged))

    def holders(where: ViewFilter) -> list[str]:
        return [r.id for r in backend.views.page("user", 10, None, where)]

    assert holders(ViewFilter(role_id=w.approver)) == ["auth0|mended"]
    (done,) = run(deployment, c.ReplayFrom(timestamp=datetime(2000, 1, 1, tzinfo=UTC)))
    assert done.status is Status.APPLIED
    assert holders(ViewFilter(role_id=w.approver)) == []
    assert holders(ViewFilter(group_id=other)) == []
    assert holders(ViewFilter(role_id=w.reader)) == ["auth0|mended"]
    assert holders(ViewFilter(group_id=g)) == ["auth0|mended"]
    assert can(backend.views, "auth0|mended", "read reports").via == (Grant(w.reader),)


def decide_only(deployment: Deployment, *commands: Command) -> None:
    """Submit the commands and run the command stage alone: ACCEPTED, not yet APPLIED."""
    backend = deployment.backend
    receipts = [as_admin(backend, command) for command in commands]
    while batch := backend.command_queue.receive(10):
        for message in batch:
            handle_command(backend, message.body)
            backend.command_queue.ack(message)
    for receipt in receipts:
        record = backend.commands.get(receipt.id)
        assert record is not None and record.status is Status.ACCEPTED, record


def test_a_check_answers_from_the_views_while_commands_are_accepted_not_applied(
    deployment: Deployment,
) -> None:
    """The store's group tree and name claims move on when a command is ACCEPTED (DynamoDB's
    checks read them as hints); until it is APPLIED, checks answer as before it."""
    w = World(deployment)
    top, mid, leaf, other = new_id(), new_id(), new_id(), new_id()
    ok(
        deployment,
        group(top, "company", roles=[w.approver]),
        group(mid, "finance", parent=top),
        group(leaf, "payables", parent=mid),
        group(other, "elsewhere"),
        create_user("auth0|pam", "pam@example.com", group_ids=(leaf,)),
    )
    views = deployment.backend.views
    renamed = c.UpdateAuthorization(id=w.approve, name="Approve budget")
    newcomer = new_id()  # takes the released name
    decide_only(deployment, renamed, c.UpdateGroup(id=mid, parent_id=other))
    decide_only(
        deployment, c.CreateAuthorization(id=newcomer, name="Approve spend", description="n")
    )

    before = can(views, "auth0|pam", "approve spend")
    assert before.allowed and before.via == (Grant(w.approver, (leaf, mid, top)),)
    assert not can(views, "auth0|pam", "approve budget").allowed

    deployment.drain()
    assert not can(views, "auth0|pam", "approve spend").allowed  # the newcomer, granted nowhere
    assert not can(views, "auth0|pam", "approve budget").allowed  # finance moved away
    ok(deployment, c.UpdateGroup(id=other, role_ids=(w.approver,)))
    after = can(views, "auth0|pam", "approve budget")
    assert after.via == (Grant(w.approver, (leaf, mid, other)),)
