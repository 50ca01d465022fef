"""Every REJECTED code names the input field at fault in `error.field` (snake_case here; the API
camelCases it), on every backend, so a front end can show the message beside that input. A
command whose fault is in no input field (its target's state, or an id taken from the token)
has none: docs/api.md, "Errors and codes"."""

from __future__ import annotations

from datetime import timedelta

from domain import commands as c
from domain.commands import Command
from pipeline.records import Status
from pipeline.submit import submit
from tests.support.builders import as_admin, create_role, create_user, new_id
from tests.support.deployments import Deployment

Outcome = tuple[str, str | None]


def _outcome(deployment: Deployment, command: Command, actor: str | None = None) -> Outcome:
    backend = deployment.backend
    if actor is None:
        receipt = as_admin(backend, command)
    else:
        receipt = submit(backend, command, actor=actor, admin=False)
    deployment.drain()
    record = backend.commands.get(receipt.id)
    assert record is not None and record.status is Status.REJECTED, record
    assert record.error is not None
    return record.error.code, record.error.field


def _applied(deployment: Deployment, *commands: Command) -> None:
    receipts = [as_admin(deployment.backend, command) for command in commands]
    deployment.drain()
    for receipt in receipts:
        record = deployment.backend.commands.get(receipt.id)
        assert record is not None and record.status is Status.APPLIED, record


def _group(group_id: str, name: str, parent: str | None = None) -> c.CreateGroup:
    return c.CreateGroup(id=group_id, name=name, description="g", parent_id=parent)


def test_duplicate_names_the_email_the_id_or_the_name(deployment: Deployment) -> None:
    role, auth, group = new_id(), new_id(), new_id()
    _applied(
        deployment,
        create_user("auth0|first", "first@example.com"),
        create_role(role, "Support"),
        c.CreateAuthorization(id=auth, name="users:read", description="r"),
        _group(group, "Care"),
    )
    assert _outcome(deployment, create_user("auth0|other", "FIRST@example.com")) == (
        "DUPLICATE",
        "email",
    )
    assert _outcome(deployment, create_user("auth0|first", "new@example.com")) == (
        "DUPLICATE",
        "id",
    )
    assert _outcome(deployment, create_role(new_id(), " support ")) == ("DUPLICATE", "name")
    assert _outcome(deployment, create_role(role, "Other")) == ("DUPLICATE", "id")
    renamed = c.CreateAuthorization(id=new_id(), name="USERS:READ", description="r")
    assert _outcome(deployment, renamed) == ("DUPLICATE", "name")
    assert _outcome(deployment, _group(new_id(), "care")) == ("DUPLICATE", "name")
    other = new_id()
    _applied(deployment, create_role(other, "Other"))
    assert _outcome(deployment, c.UpdateRole(id=other, name="Support")) == ("DUPLICATE", "name")


def test_a_second_sign_up_is_a_duplicate_without_a_field(deployment: Deployment) -> None:
    """registerMe's id is the token's subject, not an input: no field to show it beside."""
    me = "google-oauth2|signup"
    sign_up = c.RegisterMe(id=me, email="me@example.com", first_name="M", last_name="E")
    submit(deployment.backend, sign_up, actor=me, admin=False)
    again = c.RegisterMe(id=me, email="again@example.com", first_name="M", last_name="E")
    assert _outcome(deployment, again, actor=me) == ("DUPLICATE", None)


def test_not_found_names_the_id_when_the_target_is_missing(deployment: Deployment) -> None:
    gone = "auth0|nobody"
    for command in (
        c.UpdateUser(id=gone, first_name="X"),
        c.DeleteUser(id=gone),
        c.BlockUser(id=gone, reason="r"),
        c.UnblockUser(id=gone),
        c.RestoreUser(id=gone),
        c.EraseUser(id=gone),
        c.UpdateRole(id=new_id(), name="x"),
        c.DeleteRole(id=new_id()),
        c.UpdateAuthorization(id=new_id(), name="x"),
        c.DeleteAuthorization(id=new_id()),
        c.UpdateGroup(id=new_id(), name="x"),
        c.DeleteGroup(id=new_id()),
    ):
        assert _outcome(deployment, command) == ("NOT_FOUND", "id"), command


def test_not_found_of_ones_own_missing_record_has_no_field(deployment: Deployment) -> None:
    me = "google-oauth2|unregistered"
    assert _outcome(deployment, c.UpdateMe(id=me, first_name="X"), actor=me) == (
        "NOT_FOUND",
        None,
    )
    assert _outcome(deployment, c.EraseMe(id=me), actor=me) == ("NOT_FOUND", None)


def test_not_found_names_the_field_holding_a_missing_reference(deployment: Deployment) -> None:
    missing = new_id()
    user = create_user("auth0|refs", "refs@example.com", role_ids=(missing,))
    assert _outcome(deployment, user) == ("NOT_FOUND", "role_ids")
    user = create_user("auth0|refs", "refs@example.com", group_ids=(missing,))
    assert _outcome(deployment, user) == ("NOT_FOUND", "group_ids")
    assert _outcome(deployment, _group(new_id(), "orphan", missing)) == ("NOT_FOUND", "parent_id")
    role = create_role(new_id(), "dangling", [missing])
    assert _outcome(deployment, role) == ("NOT_FOUND", "authorization_ids")


def test_conflict_names_expected_version_when_the_version_is_at_fault(
    deployment: Deployment,
) -> None:
    role = new_id()
    _applied(deployment, create_role(role, "Versioned"))
    stale = c.UpdateRole(id=role, name="Renamed", expected_version=7)
    assert _outcome(deployment, stale) == ("CONFLICT", "expected_version")
    assert _outcome(deployment, c.DeleteRole(id=role, expected_version=3)) == (
        "CONFLICT",
        "expected_version",
    )


def test_conflict_from_the_targets_state_has_no_field(deployment: Deployment) -> None:
    role = new_id()
    _applied(
        deployment,
        create_role(role, "Held"),
        create_user("auth0|holder", "holder@example.com", role_ids=(role,)),
    )
    assert _outcome(deployment, c.DeleteRole(id=role)) == ("CONFLICT", None)
    assert _outcome(deployment, c.RestoreUser(id="auth0|holder")) == ("CONFLICT", None)


def test_cycle_and_too_deep_name_the_parent(deployment: Deployment) -> None:
    ids = [new_id() for _ in range(8)]
    _applied(
        deployment,
        *(_group(g, f"level-{n}-{g[:8]}", ids[n - 1] if n else None) for n, g in enumerate(ids)),
    )
    assert _outcome(deployment, c.UpdateGroup(id=ids[0], parent_id=ids[3])) == (
        "CYCLE",
        "parent_id",
    )
    assert _outcome(deployment, _group(new_id(), "ninth", ids[-1])) == ("TOO_DEEP", "parent_id")


def test_validation_names_the_input(deployment: Deployment) -> None:
    assert _outcome(deployment, create_user("auth0|bad", "not-an-email")) == (
        "VALIDATION",
        "email",
    )
    assert _outcome(deployment, create_role(new_id(), "  ")) == ("VALIDATION", "name")
    _applied(deployment, create_user("auth0|blk", "blk@example.com"))
    past = deployment.backend.clock() - timedelta(hours=1)
    assert _outcome(deployment, c.BlockUser(id="auth0|blk", reason="r", until=past)) == (
        "VALIDATION",
        "until",
    )
