"""Block, unblock, restore: the user aggregate's lifecycle beyond create, update and delete."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from domain import commands as c
from domain import events as e
from domain.errors import Code
from domain.model import effects, fold
from domain.user import Block, UserStatus, in_force, status
from tests.support.given import ADMIN, assert_refused, when

ROLE = "3f0c5a8e-6f0e-4c7b-9d7e-0a1b2c3d4e5f"
GROUP = "9b2d1c4e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"
ADA = e.UserCreated(
    id="auth0|ada", email="ada@example.com", first_name="Ada", last_name="L", role_ids=(ROLE,)
)
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
AT_NOW = dataclasses.replace(ADMIN, now=NOW)
BLOCKED = e.UserBlocked(id="auth0|ada", reason="spam", blocked_by="auth0|admin", at=NOW)


def test_block_records_the_reason_who_blocked_and_when() -> None:
    until = NOW + timedelta(days=1)
    assert when([ADA], c.BlockUser(id="auth0|ada", reason=" spam ", until=until), AT_NOW) == [
        e.UserBlocked(id="auth0|ada", reason="spam", blocked_by="auth0|admin", at=NOW, until=until)
    ]


def test_a_block_must_end_in_the_future_and_have_a_reason() -> None:
    past = c.BlockUser(id="auth0|ada", reason="spam", until=NOW)
    assert_refused([ADA], past, Code.VALIDATION, "until", ctx=AT_NOW)
    assert_refused([ADA], c.BlockUser(id="auth0|ada", reason=" "), Code.VALIDATION, "reason")


def test_blocking_a_missing_or_deleted_user_is_not_found() -> None:
    assert_refused([], c.BlockUser(id="auth0|ada", reason="x"), Code.NOT_FOUND, "id")
    deleted = [ADA, e.UserDeleted(id="auth0|ada")]
    assert_refused(deleted, c.BlockUser(id="auth0|ada", reason="x"), Code.NOT_FOUND, "id")


def test_the_status_ends_a_block_by_itself_at_until() -> None:
    until = NOW + timedelta(hours=1)
    user = fold("user", [ADA, dataclasses.replace(BLOCKED, until=until)])
    assert status(user, NOW) is UserStatus.BLOCKED
    assert status(user, until - timedelta(milliseconds=1)) is UserStatus.BLOCKED
    assert status(user, until) is UserStatus.ACTIVE
    assert in_force(user.block, until) is None


def test_unblock_lifts_the_block_and_is_idempotent() -> None:
    assert when([ADA, BLOCKED], c.UnblockUser(id="auth0|ada")) == [e.UserUnblocked(id="auth0|ada")]
    unblocked = [ADA, BLOCKED, e.UserUnblocked(id="auth0|ada")]
    assert status(fold("user", unblocked), NOW) is UserStatus.ACTIVE
    assert when(unblocked, c.UnblockUser(id="auth0|ada")) == []


def test_a_deleted_user_releases_claims_and_references_and_is_listed_deleted() -> None:
    before = fold("user", [ADA])
    after = fold("user", [ADA, e.UserDeleted(id="auth0|ada")])
    assert status(after, NOW) is UserStatus.DELETED
    change = effects("user", "auth0|ada", before, after)
    assert change.take == frozenset() and {cl.value for cl in change.release} == {"ada@example.com"}
    assert change.unreference == {f"role#{ROLE}"}


def test_restore_brings_the_user_back_as_before_blocked_included() -> None:
    given = [ADA, BLOCKED, e.UserDeleted(id="auth0|ada")]
    assert when(given, c.RestoreUser(id="auth0|ada")) == [
        e.UserRestored(id="auth0|ada", role_ids=(ROLE,))
    ]
    back = fold("user", [*given, e.UserRestored(id="auth0|ada", role_ids=(ROLE,))])
    assert status(back, NOW) is UserStatus.BLOCKED
    assert back.block == Block(reason="spam", blocked_by="auth0|admin", at=NOW)
    change = effects("user", "auth0|ada", fold("user", given), back)
    assert {cl.value for cl in change.take} == {"ada@example.com"}
    assert change.reference == {f"role#{ROLE}"}


def test_restore_leaves_out_the_references_found_gone() -> None:
    given = [ADA, e.UserDeleted(id="auth0|ada")]
    ctx = dataclasses.replace(ADMIN, gone=frozenset({f"role#{ROLE}"}))
    assert when(given, c.RestoreUser(id="auth0|ada"), ctx) == [e.UserRestored(id="auth0|ada")]


def test_only_a_deleted_user_can_be_restored() -> None:
    assert_refused([], c.RestoreUser(id="auth0|ada"), Code.NOT_FOUND, "id")
    assert_refused([ADA], c.RestoreUser(id="auth0|ada"), Code.CONFLICT)


def test_block_unblock_and_restore_need_the_admin_right() -> None:
    from tests.support.given import user_ctx

    for command in (
        c.BlockUser(id="auth0|ada", reason="x"),
        c.UnblockUser(id="auth0|ada"),
        c.RestoreUser(id="auth0|ada"),
    ):
        assert_refused([ADA], command, Code.FORBIDDEN, ctx=user_ctx("auth0|ada"))
