from __future__ import annotations

from domain import commands as c
from domain import events as e
from domain.errors import Code
from domain.model import effects, fold
from tests.support.given import assert_refused, when

R = "3f0c5a8e-6f0e-4c7b-9d7e-0a1b2c3d4e5f"
A1 = "11111111-1111-4111-8111-111111111111"
A2 = "22222222-2222-4222-8222-222222222222"
G = "9b2d1c4e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"
ROLE = e.RoleCreated(id=R, name="Admin", description="all", authorization_ids=(A1,))


def test_create_role_normalises_and_dedupes_authorizations() -> None:
    assert when(
        [],
        c.CreateRole(
            id=R, name=" Admin ", description="all", authorization_ids=(A1.upper(), A1, A2)
        ),
    ) == [e.RoleCreated(id=R, name="Admin", description="all", authorization_ids=(A1, A2))]


def test_update_role_changes_authorizations() -> None:
    assert when([ROLE], c.UpdateRole(id=R, authorization_ids=(A2,))) == [
        e.RoleUpdated(id=R, authorization_ids=(A2,))
    ]


def test_role_effects_count_authorization_references() -> None:
    before = fold("role", [ROLE])
    after = fold("role", [ROLE, e.RoleUpdated(id=R, authorization_ids=(A2,), name="Root")])
    change = effects("role", R, before, after)
    assert change.reference == {f"authorization#{A2}"}
    assert change.unreference == {f"authorization#{A1}"}
    assert {cl.value for cl in change.take} == {"root"}
    assert effects("role", R, None, before).create_target == f"role#{R}"
    assert effects("role", R, before, None).delete_target == f"role#{R}"


def test_role_ids_must_be_uuids() -> None:
    assert_refused([], c.CreateRole(id="admin", name="A", description="d"), Code.VALIDATION, "id")
    assert_refused(
        [],
        c.CreateRole(id=R, name="A", description="d", authorization_ids=("nope",)),
        Code.VALIDATION,
        "authorization_ids",
    )


def test_names_and_descriptions_are_bounded() -> None:
    assert_refused(
        [], c.CreateGroup(id=G, name="x" * 201, description="d"), Code.VALIDATION, "name"
    )
    assert when([], c.CreateGroup(id=G, name="x" * 200, description="d" * 1000))
    assert_refused(
        [], c.CreateGroup(id=G, name="x", description="d" * 1001), Code.VALIDATION, "description"
    )
    assert_refused(
        [], c.CreateAuthorization(id=G, name="  ", description="d"), Code.VALIDATION, "name"
    )


def test_groups_and_authorizations_create_update_delete() -> None:
    created = e.GroupCreated(id=G, name="ops", description="on call")
    assert when([], c.CreateGroup(id=G, name="ops", description="on call")) == [created]
    assert when([created], c.UpdateGroup(id=G, name="Ops")) == [e.GroupUpdated(id=G, name="Ops")]
    assert when([created], c.DeleteGroup(id=G)) == [e.GroupDeleted(id=G)]
    assert_refused([], c.DeleteAuthorization(id=G), Code.NOT_FOUND, "id")
    auth = e.AuthorizationCreated(id=G, name="read", description="r")
    assert (
        fold("authorization", [auth, e.AuthorizationUpdated(id=G, description="R")]).description
        == "R"
    )


def test_a_name_change_in_case_only_keeps_the_claim() -> None:
    before = fold("group", [e.GroupCreated(id=G, name="ops", description="d")])
    after = fold(
        "group",
        [e.GroupCreated(id=G, name="ops", description="d"), e.GroupUpdated(id=G, name="OPS")],
    )
    assert effects("group", G, before, after).take == frozenset()


def test_explicit_null_for_a_required_field_is_invalid() -> None:
    assert_refused([], c.UpdateGroup(id=G, name=None), Code.VALIDATION, "name")  # type: ignore[arg-type]


def test_delete_role() -> None:
    assert when([ROLE], c.DeleteRole(id=R)) == [e.RoleDeleted(id=R)]


def test_a_deleted_role_is_gone_and_gives_up_its_name_and_authorizations() -> None:
    deleted = [ROLE, e.RoleDeleted(id=R)]
    assert fold("role", deleted) is None
    assert_refused(deleted, c.UpdateRole(id=R, name="Root"), Code.NOT_FOUND, "id")
    assert_refused(deleted, c.DeleteRole(id=R), Code.NOT_FOUND, "id")
    gone = effects("role", R, fold("role", [ROLE]), fold("role", deleted))
    assert {cl.value for cl in gone.release} == {"admin"}
    assert gone.unreference == {f"authorization#{A1}"}
    assert gone.delete_target == f"role#{R}"
    again = when(deleted, c.CreateRole(id=R, name="Admin", description="back"))
    assert again == [e.RoleCreated(id=R, name="Admin", description="back")]


def test_create_authorization_trims_its_name_and_description() -> None:
    assert when([], c.CreateAuthorization(id=A1, name=" read ", description=" may read ")) == [
        e.AuthorizationCreated(id=A1, name="read", description="may read")
    ]
    assert_refused(
        [e.AuthorizationCreated(id=A1, name="read", description="r")],
        c.CreateAuthorization(id=A1, name="read", description="r"),
        Code.DUPLICATE,
        "id",
    )


def test_update_authorization_records_only_what_changed() -> None:
    auth = e.AuthorizationCreated(id=A1, name="read", description="r")
    assert when([auth], c.UpdateAuthorization(id=A1, name="Read", description=" r ")) == [
        e.AuthorizationUpdated(id=A1, name="Read")
    ]
    assert when([auth], c.UpdateAuthorization(id=A1, description="r")) == []
    state = fold("authorization", [auth, e.AuthorizationUpdated(id=A1, name="Read")])
    assert (state.name, state.description) == ("Read", "r")
    assert_refused([], c.UpdateAuthorization(id=A1, name="x"), Code.NOT_FOUND, "id")


def test_a_deleted_authorization_is_gone_and_stops_being_referenceable() -> None:
    auth = e.AuthorizationCreated(id=A1, name="read", description="r")
    deleted = [auth, e.AuthorizationDeleted(id=A1)]
    assert fold("authorization", deleted) is None
    assert_refused(deleted, c.UpdateAuthorization(id=A1, name="x"), Code.NOT_FOUND, "id")
    gone = effects("authorization", A1, fold("authorization", [auth]), None)
    assert gone.delete_target == f"authorization#{A1}"
    assert {cl.value for cl in gone.release} == {"read"}
