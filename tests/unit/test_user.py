from __future__ import annotations

from datetime import date

import pytest

from domain import commands as c
from domain import events as e
from domain.errors import Code
from domain.model import effects, fold
from domain.patch import UNSET
from tests.support.given import ADMIN, TODAY, assert_refused, refused, user_ctx, when

ROLE = "3f0c5a8e-6f0e-4c7b-9d7e-0a1b2c3d4e5f"
GROUP = "9b2d1c4e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"
ADA = e.UserCreated(id="auth0|ada", email="ada@example.com", first_name="Ada", last_name="L")


def test_create_trims_and_keeps_the_email_as_written() -> None:
    assert when(
        [],
        c.CreateUser(
            id="auth0|ada",
            email=" Ada@Example.com ",
            first_name=" Ada ",
            last_name="L",
            role_ids=(ROLE.upper(), ROLE),
        ),
    ) == [
        e.UserCreated(
            id="auth0|ada",
            email="Ada@Example.com",
            first_name="Ada",
            last_name="L",
            role_ids=(ROLE,),
        )
    ]


def test_create_of_an_existing_user_is_a_duplicate() -> None:
    assert_refused(
        [ADA],
        c.CreateUser(id="auth0|ada", email="x@y.io", first_name="A", last_name="B"),
        Code.DUPLICATE,
        "id",
    )


def test_a_user_can_be_created_again_after_deletion() -> None:
    given = [ADA, e.UserDeleted(id="auth0|ada")]
    created = when(
        given,
        c.CreateUser(id="auth0|ada", email="ada@example.com", first_name="Ada", last_name="L"),
    )
    assert [type(x) for x in created] == [e.UserCreated]


def test_update_records_only_what_changed() -> None:
    assert when([ADA], c.UpdateUser(id="auth0|ada", first_name="Ada", last_name="Lovelace")) == [
        e.UserUpdated(id="auth0|ada", last_name="Lovelace")
    ]


def test_an_update_that_changes_nothing_has_no_event() -> None:
    assert when([ADA], c.UpdateUser(id="auth0|ada", email=" ada@example.com ")) == []


def test_update_can_clear_roles_groups_and_birth_date() -> None:
    given = [
        e.UserCreated(
            id="auth0|ada",
            email="a@b.io",
            first_name="A",
            last_name="B",
            role_ids=(ROLE,),
            group_ids=(GROUP,),
            birth_date=date(1815, 12, 10),
        )
    ]
    assert when(
        given, c.UpdateUser(id="auth0|ada", role_ids=(), group_ids=(), birth_date=None)
    ) == [e.UserUpdated(id="auth0|ada", role_ids=(), group_ids=(), birth_date=None)]


def test_role_and_group_lists_are_never_null() -> None:
    assert_refused(
        [ADA],
        c.UpdateUser(id="auth0|ada", role_ids=None),  # type: ignore[arg-type]
        Code.VALIDATION,
        "role_ids",
    )


def test_update_or_delete_of_a_missing_user_is_not_found() -> None:
    assert_refused([], c.UpdateUser(id="auth0|x", first_name="X"), Code.NOT_FOUND, "id")
    assert_refused(
        [ADA, e.UserDeleted(id="auth0|ada")], c.DeleteUser(id="auth0|ada"), Code.NOT_FOUND, "id"
    )


def test_delete() -> None:
    assert when([ADA], c.DeleteUser(id="auth0|ada")) == [e.UserDeleted(id="auth0|ada")]


def test_expected_version_must_match() -> None:
    assert_refused(
        [ADA],
        c.UpdateUser(id="auth0|ada", first_name="X", expected_version=2),
        Code.CONFLICT,
        "expected_version",
    )
    assert when([ADA], c.UpdateUser(id="auth0|ada", first_name="X", expected_version=1))


def test_register_me_creates_the_callers_own_record() -> None:
    assert when(
        [],
        c.RegisterMe(id="google-oauth2|7", email="me@x.io", first_name="Me", last_name="Too"),
        user_ctx("google-oauth2|7"),
    ) == [e.UserRegistered(id="google-oauth2|7", email="me@x.io", first_name="Me", last_name="Too")]


def test_register_me_twice_is_a_duplicate() -> None:
    given = [e.UserRegistered(id="auth0|me", email="me@x.io", first_name="M", last_name="T")]
    assert_refused(
        given,
        c.RegisterMe(id="auth0|me", email="me@x.io", first_name="M", last_name="T"),
        Code.DUPLICATE,
        ctx=user_ctx("auth0|me"),
    )


def test_a_user_acts_only_on_their_own_record() -> None:
    assert_refused(
        [ADA],
        c.UpdateMe(id="auth0|ada", first_name="Eve"),
        Code.FORBIDDEN,
        ctx=user_ctx("auth0|eve"),
    )


def test_update_me_changes_the_callers_own_profile() -> None:
    assert when(
        [ADA],
        c.UpdateMe(
            id="auth0|ada",
            email=" Augusta@Example.com ",
            first_name=" Augusta ",
            last_name="L",
            birth_date=date(1815, 12, 10),
        ),
        user_ctx("auth0|ada"),
    ) == [
        e.UserUpdated(
            id="auth0|ada",
            email="Augusta@Example.com",
            first_name="Augusta",
            birth_date=date(1815, 12, 10),
        )
    ]


def test_update_me_leaves_role_and_group_as_the_admin_set_them() -> None:
    given = [
        e.UserCreated(
            id="auth0|ada",
            email="ada@example.com",
            first_name="Ada",
            last_name="L",
            role_ids=(ROLE,),
            group_ids=(GROUP,),
        )
    ]
    events = when(given, c.UpdateMe(id="auth0|ada", last_name="Lovelace"), user_ctx("auth0|ada"))
    state = fold("user", [*given, *events])
    assert (state.last_name, state.role_ids, state.group_ids) == ("Lovelace", (ROLE,), (GROUP,))
    with pytest.raises(TypeError):
        c.UpdateMe(id="auth0|ada", role_ids=())  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        c.UpdateMe(id="auth0|ada", group_ids=(GROUP,))  # type: ignore[call-arg]


def test_update_me_follows_the_same_input_rules_as_an_admin_update() -> None:
    me = user_ctx("auth0|ada")
    assert_refused(
        [ADA], c.UpdateMe(id="auth0|ada", email="not-an-email"), Code.VALIDATION, "email", me
    )
    assert_refused(
        [ADA],
        c.UpdateMe(id="auth0|ada", birth_date=date(2026, 11, 27)),
        Code.VALIDATION,
        "birth_date",
        me,
    )
    assert when([ADA], c.UpdateMe(id="auth0|ada", first_name=" Ada "), me) == []


def test_update_me_before_register_me_is_not_found() -> None:
    assert_refused(
        [], c.UpdateMe(id="auth0|me", first_name="M"), Code.NOT_FOUND, ctx=user_ctx("auth0|me")
    )


def test_admin_commands_need_the_admin_right() -> None:
    for command in (
        c.CreateUser(id="auth0|x", email="x@y.io", first_name="X", last_name="Y"),
        c.UpdateUser(id="auth0|ada", first_name="X"),
        c.DeleteUser(id="auth0|ada"),
    ):
        assert_refused([ADA], command, Code.FORBIDDEN, ctx=user_ctx("auth0|ada"))


def test_permission_is_checked_before_input() -> None:
    bad_and_forbidden = c.CreateUser(id="auth0|x", email="nope", first_name="X", last_name="Y")
    assert refused([], bad_and_forbidden, user_ctx("auth0|x")).code is Code.FORBIDDEN


def test_evolve_folds_the_stream() -> None:
    state = fold("user", [ADA, e.UserUpdated(id="auth0|ada", role_ids=(ROLE,), email="new@x.io")])
    assert (state.email, state.role_ids, state.first_name) == ("new@x.io", (ROLE,), "Ada")
    deleted = fold("user", [ADA, e.UserDeleted(id="auth0|ada")])
    assert deleted.deleted and deleted.email == ADA.email  # kept, to be restored


def test_effects_take_and_release_the_normalised_email_and_count_references() -> None:
    before = fold("user", [ADA])
    update = e.UserUpdated(id="auth0|ada", email="NEW@x.io", role_ids=(ROLE,), group_ids=(GROUP,))
    after = fold("user", [ADA, update])
    change = effects("user", "auth0|ada", before, after)
    assert {cl.value for cl in change.take} == {"new@x.io"}
    assert {cl.value for cl in change.release} == {"ada@example.com"}
    assert change.reference == {f"role#{ROLE}", f"group#{GROUP}"}
    gone = effects("user", "auth0|ada", after, None)
    assert gone.unreference == {f"role#{ROLE}", f"group#{GROUP}"} and gone.delete_target is None


def test_unset_fields_stay_out_of_update_events() -> None:
    (event,) = when([ADA], c.UpdateUser(id="auth0|ada", last_name="X"))
    assert isinstance(event, e.UserUpdated) and event.email is UNSET


def test_the_context_day_bounds_the_birth_date() -> None:
    assert_refused(
        [],
        c.CreateUser(
            id="auth0|x",
            email="x@y.io",
            first_name="X",
            last_name="Y",
            birth_date=date(2026, 11, 27),
        ),
        Code.VALIDATION,
        "birth_date",
    )
    assert when(
        [],
        c.CreateUser(id="auth0|x", email="x@y.io", first_name="X", last_name="Y", birth_date=TODAY),
        ADMIN,
    )
