"""The rules API.md promises: REJECTED codes from the pipeline, BAD_USER_INPUT at once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.api_server import (
    CREATE_AUTHORIZATION,
    CREATE_GROUP,
    CREATE_ROLE,
    CREATE_USER,
    REGISTER_ME,
    Server,
    new_authorization,
    new_group,
    new_role,
    new_user,
    unique,
)


def user_input(**fields: object) -> dict[str, object]:
    sub = f"auth0|{uuid.uuid4().hex}"
    return {
        "id": sub,
        "email": f"{sub[6:]}@example.com",
        "firstName": "A",
        "lastName": "B",
        **fields,
    }


# REJECTED ---------------------------------------------------------------------------------------


def test_a_taken_email_is_a_duplicate_whatever_its_case_and_spaces(
    server: Server, admin: str
) -> None:
    first = user_input()
    server.run(CREATE_USER, admin, input=first)
    twin = user_input(email=f"  {str(first['email']).upper()} ")
    done = server.run(CREATE_USER, admin, input=twin)
    assert done["status"] == "REJECTED"
    assert done["error"]["code"] == "DUPLICATE"


@pytest.mark.parametrize("create", [CREATE_AUTHORIZATION, CREATE_GROUP, CREATE_ROLE])
def test_a_taken_name_is_a_duplicate(server: Server, admin: str, create: str) -> None:
    name = unique("Name")
    assert server.run(create, admin, name=name, description="d")["status"] == "APPLIED"
    done = server.run(create, admin, name=f" {name.lower()} ", description="d")
    assert (done["status"], done["error"]["code"]) == ("REJECTED", "DUPLICATE")


def test_a_missing_target_or_reference_is_not_found(server: Server, admin: str) -> None:
    done = server.run(CREATE_USER, admin, input=user_input(roleIds=[str(uuid.uuid4())]))
    assert (done["status"], done["error"]["code"]) == ("REJECTED", "NOT_FOUND")
    assert done["error"]["field"] == "roleIds"
    done = server.run(CREATE_USER, admin, input=user_input(groupIds=[str(uuid.uuid4())]))
    assert (done["error"]["code"], done["error"]["field"]) == ("NOT_FOUND", "groupIds")
    under = """mutation($id: ID!) { updateGroup(input: {id: $id, parentId: $id}) { commandId } }"""
    group = new_group(server, admin)
    done = server.run(under, admin, id=group)
    assert (done["error"]["code"], done["error"]["field"]) == ("CYCLE", "parentId")

    update = """mutation($id: ID!) { updateGroup(input: {id: $id, name: "x"}) { commandId } }"""
    done = server.run(update, admin, id=str(uuid.uuid4()))
    assert (done["status"], done["error"]["code"]) == ("REJECTED", "NOT_FOUND")
    assert done["error"]["field"] == "id"  # the target itself is missing

    done = server.run(
        CREATE_ROLE, admin, name=unique("r"), description="d", ids=[str(uuid.uuid4())]
    )
    assert done["error"]["code"] == "NOT_FOUND"


def test_a_stale_expected_version_is_a_conflict(server: Server, admin: str) -> None:
    group = new_group(server, admin)
    update = """mutation($id: ID!, $v: Int) {
      updateGroup(input: {id: $id, description: "new", expectedVersion: $v}) { commandId } }"""
    assert server.run(update, admin, id=group, v=1)["status"] == "APPLIED"
    done = server.run(update, admin, id=group, v=1)
    assert (done["status"], done["error"]["code"]) == ("REJECTED", "CONFLICT")
    assert done["error"]["field"] == "expectedVersion"


def test_deleting_a_referenced_target_is_a_conflict_with_the_count(
    server: Server, admin: str
) -> None:
    auth = new_authorization(server, admin)
    role = new_role(server, admin, [auth])
    group = new_group(server, admin)
    for _ in range(2):
        new_user(server, admin, roleIds=[role], groupIds=[group])
    cases = [
        ("deleteRole", role, "2 users or groups"),
        ("deleteGroup", group, "2 members or child groups"),
        ("deleteAuthorization", auth, "1 role"),
    ]
    for mutation, target, count in cases:
        done = server.run(
            f"mutation($id: ID!) {{ {mutation}(id: $id) {{ commandId }} }}", admin, id=target
        )
        assert (done["status"], done["error"]["code"]) == ("REJECTED", "CONFLICT")
        assert count in done["error"]["message"]


# BAD_USER_INPUT ---------------------------------------------------------------------------------

TOMORROW = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
BAD_USERS: dict[str, tuple[dict[str, object], str]] = {
    "bad email": ({"email": "not-an-email"}, "email"),
    "empty first name": ({"firstName": "   "}, "firstName"),
    "long last name": ({"lastName": "x" * 201}, "lastName"),
    "birth date in the future": ({"birthDate": TOMORROW}, "birthDate"),
    "role id not a uuid": ({"roleIds": ["admin"]}, "roleIds"),
    "group id not a uuid": ({"groupIds": ["1234"]}, "groupIds"),
    "over 20 roles": ({"roleIds": [str(uuid.uuid4()) for _ in range(21)]}, "roleIds"),
    "over 20 groups": ({"groupIds": [str(uuid.uuid4()) for _ in range(21)]}, "groupIds"),
    "empty user id": ({"id": ""}, "id"),
    "user id with whitespace": ({"id": "auth0|a b"}, "id"),
    "user id over 128": ({"id": "auth0|" + "x" * 124}, "id"),
}


@pytest.mark.parametrize("case", BAD_USERS, ids=list(BAD_USERS))
def test_malformed_user_input_is_refused_and_nothing_is_enqueued(
    server: Server, admin: str, case: str
) -> None:
    fields, field = BAD_USERS[case]
    command_id = unique("bad")
    errors = server.errors(CREATE_USER, admin, input=user_input(commandId=command_id, **fields))
    assert errors.codes == ["BAD_USER_INPUT"]
    assert errors.errors[0]["extensions"]["field"] == field
    query = "query($id: ID!) { command(id: $id) { id } }"
    assert server.gql(query, admin, id=command_id)["command"] is None


def test_names_over_200_and_descriptions_over_1000_are_refused(server: Server, admin: str) -> None:
    long_name = server.errors(CREATE_GROUP, admin, name="n" * 201, description="d")
    assert long_name.codes == ["BAD_USER_INPUT"]
    long_text = server.errors(CREATE_AUTHORIZATION, admin, name=unique("a"), description="d" * 1001)
    assert long_text.codes == ["BAD_USER_INPUT"]
    ok = server.run(CREATE_AUTHORIZATION, admin, name=unique("a"), description="d" * 1000)
    assert ok["status"] == "APPLIED"


def test_a_role_with_more_than_40_authorizations_is_refused(server: Server, admin: str) -> None:
    """The most a role may hold: the query cost limit counts a role's authorizations by it, and
    an update replacing them all stays one DynamoDB transaction."""
    ids = [str(uuid.uuid4()) for _ in range(41)]
    errors = server.errors(CREATE_ROLE, admin, name=unique("r"), description="d", ids=ids)
    assert errors.codes == ["BAD_USER_INPUT"]
    assert errors.errors[0]["extensions"]["field"] == "authorizationIds"


def test_a_non_uuid_id_and_an_oversized_page_are_refused(server: Server, admin: str) -> None:
    assert server.errors('{ role(id: "admin") { id } }', admin).codes == ["BAD_USER_INPUT"]
    assert server.errors('mutation { deleteGroup(id: "nope") { commandId } }', admin).codes == [
        "BAD_USER_INPUT"
    ]
    for field in ("users", "roles", "authorizations", "groups"):
        errors = server.errors(f"{{ {field}(first: 101) {{ edges {{ cursor }} }} }}", admin)
        assert errors.codes == ["BAD_USER_INPUT"]
    assert server.gql("{ users(first: 100) { edges { cursor } } }", admin)["users"] is not None
    assert server.errors('{ users(after: "garbage") { edges { cursor } } }', admin).codes == [
        "BAD_USER_INPUT"
    ]


def test_strings_are_trimmed_before_they_are_stored(server: Server, admin: str) -> None:
    sub = f"auth0|{uuid.uuid4().hex}"
    token = server.user_token(sub)
    form = {"email": f"  {sub[6:]}@Example.com ", "firstName": " Ada ", "lastName": "\tL "}
    server.run(REGISTER_ME, token, input=form)
    me = server.gql("{ me { email firstName lastName } }", token)["me"]
    assert me == {"email": f"{sub[6:]}@Example.com", "firstName": "Ada", "lastName": "L"}


def test_date_time_inputs_accept_z_offsets_and_fractions(server: Server, admin: str) -> None:
    group = new_group(server, admin)
    query = "query($id: ID!, $at: DateTime) { group(id: $id, asOf: $at) { id } }"
    for at in ("2999-01-01T00:00:00Z", "2999-01-01T02:00:00.123+02:00", "2999-01-01T00:00:00.5Z"):
        assert server.gql(query, admin, id=group, at=at)["group"] == {"id": group}
    bad = server.post(query, {"id": group, "at": "yesterday"}, admin).json()
    assert bad.get("data") is None and "yesterday" in bad["errors"][0]["message"]
