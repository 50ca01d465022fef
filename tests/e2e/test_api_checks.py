"""The checks through GraphQL, on every deployment: can, canMany, effectivePermissions,
me { permissions }, whoCan, and who may ask (admins, a user for themselves, services with the
check right and nothing else)."""

from __future__ import annotations

import json

import pytest

from tests.support.api_server import Server, new_group, new_user
from tests.support.grants import give_role, new_right, service_token, user_holding

CAN = """query($user: ID!, $name: String!) {
  can(userId: $user, authorization: $name) { allowed via { role { id name } groups { id } } } }"""
CAN_MANY = """query($checks: [CheckInput!]!) { canMany(checks: $checks) { allowed } }"""
PERMISSIONS = """query($user: ID!) { effectivePermissions(userId: $user) {
  authorization { id name } via { role { id } groups { id } } } }"""
MY_PERMISSIONS = "{ me { permissions { authorization { name } via { role { id } } } } }"
WHO_CAN = """query($name: String!, $first: Int, $after: String) {
  whoCan(authorization: $name, first: $first, after: $after) {
    edges { node { id } cursor } pageInfo { hasNextPage endCursor } } }"""


def allowed(server: Server, token: str, user: str, name: str) -> bool:
    decision = server.gql(CAN, token, user=user, name=name)["can"]
    return bool(decision["allowed"])


def test_a_role_grants_its_authorizations_by_name_in_any_case(server: Server, admin: str) -> None:
    right, other = new_right(server, admin), new_right(server, admin)
    user = user_holding(server, admin, right.role_id)

    decision = server.gql(CAN, admin, user=user, name=f"  {right.name.upper()} ")["can"]

    assert decision == {
        "allowed": True,
        "via": [
            {
                "role": {"id": right.role_id, "name": decision["via"][0]["role"]["name"]},
                "groups": [],
            }
        ],
    }
    assert server.gql(CAN, admin, user=user, name=other.name)["can"] == {
        "allowed": False,
        "via": [],
    }


def test_unknown_users_names_and_roleless_users_are_not_allowed(server: Server, admin: str) -> None:
    right = new_right(server, admin)
    roleless = user_holding(server, admin, None)
    holder = user_holding(server, admin, right.role_id)
    assert not allowed(server, admin, "auth0|nobody-at-all", right.name)
    assert not allowed(server, admin, roleless, right.name)
    assert not allowed(server, admin, holder, "no such right")


def test_a_check_follows_every_applied_change(server: Server, admin: str) -> None:
    right = new_right(server, admin)
    user = user_holding(server, admin, None)
    assert not allowed(server, admin, user, right.name)
    give_role(server, admin, user, right.role_id)
    assert allowed(server, admin, user, right.name)
    give_role(server, admin, user, None)
    assert not allowed(server, admin, user, right.name)
    give_role(server, admin, user, right.role_id)
    delete = "mutation($id: ID!) { deleteUser(id: $id) { commandId } }"
    assert server.run(delete, admin, id=user)["status"] == "APPLIED"
    assert not allowed(server, admin, user, right.name)
    assert server.gql(PERMISSIONS, admin, user=user)["effectivePermissions"] == []


def test_can_many_answers_in_order(server: Server, admin: str) -> None:
    right = new_right(server, admin)
    holder = user_holding(server, admin, right.role_id)
    other = user_holding(server, admin, None)
    checks = [
        {"userId": holder, "authorization": right.name},
        {"userId": other, "authorization": right.name},
        {"userId": holder, "authorization": "nothing"},
        {"userId": holder, "authorization": right.name.upper()},
    ]
    answers = server.gql(CAN_MANY, admin, checks=checks)["canMany"]
    assert [a["allowed"] for a in answers] == [True, False, False, True]


def test_can_many_takes_at_most_fifty_checks(server: Server, admin: str) -> None:
    checks = [{"userId": "auth0|x", "authorization": "read"}] * 51
    errors = server.errors(CAN_MANY, admin, checks=checks)
    assert errors.codes == ["BAD_USER_INPUT"]
    assert errors.errors[0]["extensions"]["field"] == "checks"
    assert len(server.gql(CAN_MANY, admin, checks=checks[:50])["canMany"]) == 50


@pytest.mark.parametrize(
    ("user", "name", "field"),
    [
        ("", "read", "userId"),
        ("a b", "read", "userId"),
        ("auth0|x", " ", "authorization"),
        ("x" * 129, "read", "userId"),
        ("auth0|x", "n" * 201, "authorization"),
    ],
)
def test_checks_refuse_malformed_input(
    server: Server, admin: str, user: str, name: str, field: str
) -> None:
    errors = server.errors(CAN, admin, user=user, name=name)
    assert errors.codes == ["BAD_USER_INPUT"]
    assert errors.errors[0]["extensions"]["field"] == field


@pytest.mark.parametrize(
    ("user", "name", "field"),
    # Refused before anything runs, naming the variable (docs/api.md, "Every string").
    [("auth0|\ud800", "read", "user"), ("auth0|x", "r\udfff", "name")],
)
def test_checks_refuse_strings_that_are_not_unicode(
    server: Server, admin: str, user: str, name: str, field: str
) -> None:
    """JSON can carry a lone surrogate (escaped); storage cannot encode one."""
    body = json.dumps({"query": CAN, "variables": {"user": user, "name": name}})
    headers = {"authorization": f"Bearer {admin}", "content-type": "application/json"}
    reply = server.http.post("/graphql", content=body.encode(), headers=headers)
    assert reply.status_code == 200, reply.text
    (error,) = reply.json()["errors"]
    assert (error["extensions"]["code"], error["extensions"]["field"]) == ("BAD_USER_INPUT", field)


def test_effective_permissions_and_me_permissions(server: Server, admin: str) -> None:
    right = new_right(server, admin)
    user = user_holding(server, admin, right.role_id)
    found = server.gql(PERMISSIONS, admin, user=user)["effectivePermissions"]
    assert found == [
        {
            "authorization": {"id": right.authorization_id, "name": right.name},
            "via": [{"role": {"id": right.role_id}, "groups": []}],
        }
    ]
    token = server.user_token(user)
    mine = server.gql(MY_PERMISSIONS, token)["me"]["permissions"]
    assert mine == [
        {"authorization": {"name": right.name}, "via": [{"role": {"id": right.role_id}}]}
    ]
    assert server.gql(PERMISSIONS, admin, user="auth0|nobody-at-all")["effectivePermissions"] == []


def test_a_user_may_check_only_themselves(server: Server, admin: str) -> None:
    right = new_right(server, admin)
    me, other = (user_holding(server, admin, right.role_id) for _ in range(2))
    token = server.user_token(me)
    assert allowed(server, token, me, right.name)
    assert server.gql(PERMISSIONS, token, user=me)["effectivePermissions"]
    own = [{"userId": me, "authorization": right.name}]
    assert server.gql(CAN_MANY, token, checks=own)["canMany"] == [{"allowed": True}]
    for query, variables in (
        (CAN, {"user": other, "name": right.name}),
        (PERMISSIONS, {"user": other}),
        (CAN_MANY, {"checks": [*own, {"userId": other, "authorization": right.name}]}),
        (WHO_CAN, {"name": right.name}),
    ):
        assert server.errors(query, token, **variables).codes == ["FORBIDDEN"], query


def test_a_service_with_the_check_right_may_check_anyone_and_do_nothing_else(
    server: Server, admin: str
) -> None:
    right = new_right(server, admin)
    user = user_holding(server, admin, right.role_id)
    service = service_token(server)
    assert allowed(server, service, user, right.name)
    assert server.gql(PERMISSIONS, service, user=user)["effectivePermissions"]
    assert server.gql(WHO_CAN, service, name=right.name)["whoCan"]["edges"]
    checks = [{"userId": user, "authorization": right.name}]
    assert server.gql(CAN_MANY, service, checks=checks)["canMany"] == [{"allowed": True}]
    group = new_group(server, admin)
    for query, variables in (
        ("{ me { id } }", {}),
        ("query($id: ID!) { user(id: $id) { id } }", {"id": user}),
        ("query($id: ID!) { group(id: $id) { id } }", {"id": group}),
        ('query { command(id: "x") { id } }', {}),
        ('mutation { createGroup(input: {name: "svc", description: "d"}) { commandId } }', {}),
        (
            'mutation { registerMe(input: {email: "s@example.com", firstName: "S", lastName: "V"})'
            " { commandId } }",
            {},
        ),
    ):
        assert server.errors(query, service, **variables).codes == ["FORBIDDEN"], query


def test_a_service_without_the_check_right_may_call_nothing(server: Server, admin: str) -> None:
    right = new_right(server, admin)
    user = user_holding(server, admin, right.role_id)
    service = service_token(server, "no-right", check=False)
    for query, variables in (
        (CAN, {"user": user, "name": right.name}),
        (PERMISSIONS, {"user": user}),
        (WHO_CAN, {"name": right.name}),
        (CAN_MANY, {"checks": [{"userId": user, "authorization": right.name}]}),
        ("{ me { id } }", {}),
    ):
        assert server.errors(query, service, **variables).codes == ["FORBIDDEN"], query


def test_no_token_is_unauthenticated(server: Server) -> None:
    reply = server.post(CAN, {"user": "auth0|x", "name": "read"}, None)
    assert reply.status_code == 401


def test_who_can_pages_through_the_holders_of_every_granting_role(
    server: Server, admin: str
) -> None:
    right = new_right(server, admin)
    second_role = new_right(server, admin, name=f"{right.name}-other")
    # A second role granting the same right: the role of the other right, regranted.
    grant_also = """mutation($id: ID!, $ids: [ID!]) {
      updateRole(input: {id: $id, authorizationIds: $ids}) { commandId } }"""
    server.run(
        grant_also,
        admin,
        id=second_role.role_id,
        ids=[right.authorization_id, second_role.authorization_id],
    )
    holders = {user_holding(server, admin, right.role_id) for _ in range(3)}
    holders |= {user_holding(server, admin, second_role.role_id) for _ in range(2)}
    new_user(server, admin)  # holds nothing

    seen: list[str] = []
    after = None
    for _ in range(10):
        page = server.gql(WHO_CAN, admin, name=right.name, first=2, after=after)["whoCan"]
        assert len(page["edges"]) <= 2
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    # Each holder once; the walk lists them role by role (pipeline/authz.py), not in id order.
    assert sorted(seen) == sorted(holders) and len(seen) == len(set(seen))
    empty = server.gql(WHO_CAN, admin, name="no such right")["whoCan"]
    assert empty == {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}


def test_who_can_refuses_a_foreign_cursor(server: Server, admin: str) -> None:
    errors = server.errors(WHO_CAN, admin, name="x", after="not-a-cursor")
    assert errors.codes == ["BAD_USER_INPUT"]


def test_the_cost_limit_accepts_the_checks_whole_shapes(server: Server, admin: str) -> None:
    checks = [{"userId": "auth0|x", "authorization": "read"}] * 50
    full = """query($checks: [CheckInput!]!) { canMany(checks: $checks) {
      allowed via { role { id name } groups { id name } } } }"""
    assert len(server.gql(full, admin, checks=checks)["canMany"]) == 50
    assert server.gql(PERMISSIONS, admin, user="auth0|x")["effectivePermissions"] == []
    page = (
        """{ users(first: 100) { edges { node { id permissions { authorization { name } } } } } }"""
    )
    assert server.errors(page, admin).codes == ["QUERY_TOO_COSTLY"]
