"""The user's use cases: registerMe on first login, me, updateMe, and what a user cannot see."""

from __future__ import annotations

import uuid

from tests.support.api_server import (
    REGISTER_ME,
    Server,
    new_authorization,
    new_group,
    new_role,
    new_user,
)

ME = """{ me { id email firstName lastName birthDate version
  roles { name authorizations { name } } groups { id name } } }"""
UPDATE_ME = "mutation($input: UpdateMeInput!) { updateMe(input: $input) { commandId } }"


def signup(sub: str) -> dict[str, str]:
    return {
        "email": f"{sub.replace('|', '.')}@example.com",
        "firstName": "Grace",
        "lastName": "Hopper",
    }


def test_a_user_registers_on_first_login_then_reads_and_updates_their_profile(
    server: Server,
) -> None:
    sub = f"google-oauth2|{uuid.uuid4().hex}"
    token = server.user_token(sub)
    assert server.gql(ME, token)["me"] is None

    done = server.run(REGISTER_ME, token, input={**signup(sub), "birthDate": "1906-12-09"})
    assert done["status"] == "APPLIED" and done["aggregateId"] == sub
    me = server.gql(ME, token)["me"]
    assert (me["id"], me["firstName"], me["birthDate"]) == (sub, "Grace", "1906-12-09")
    assert me["roles"] == [] and me["groups"] == []

    done = server.run(UPDATE_ME, token, input={"lastName": "Murray Hopper", "expectedVersion": 1})
    assert done["version"] == 2
    assert server.gql(ME, token)["me"]["lastName"] == "Murray Hopper"


def test_registering_twice_is_rejected_as_duplicate(server: Server) -> None:
    sub = f"auth0|{uuid.uuid4().hex}"
    token = server.user_token(sub)
    server.run(REGISTER_ME, token, input=signup(sub))
    again = server.run(
        REGISTER_ME, token, input={**signup(sub), "email": f"{uuid.uuid4().hex}@x.io"}
    )
    assert again["status"] == "REJECTED" and again["error"]["code"] == "DUPLICATE"


def test_me_shows_role_authorizations_and_group_but_not_members(server: Server, admin: str) -> None:
    auth = new_authorization(server, admin)
    role, group = new_role(server, admin, [auth]), new_group(server, admin)
    sub = new_user(server, admin, roleIds=[role], groupIds=[group])
    token = server.user_token(sub)
    me = server.gql(ME, token)["me"]
    assert me["roles"][0]["authorizations"] and me["groups"][0]["id"] == group

    errors = server.errors("{ me { groups { members { edges { node { id } } } } } }", token)
    assert errors.codes == ["FORBIDDEN"]


def test_update_me_cannot_send_a_role_or_a_group(server: Server, admin: str) -> None:
    role = new_role(server, admin)
    sub = f"auth0|{uuid.uuid4().hex}"
    token = server.user_token(sub)
    server.run(REGISTER_ME, token, input=signup(sub))
    for field, value in (("roleIds", [role]), ("groupIds", [role])):
        reply = server.post(UPDATE_ME, {"input": {field: value}}, token)
        assert reply.json().get("data") is None  # refused before it ran
        assert field in reply.json()["errors"][0]["message"]
    inline = f'mutation {{ updateMe(input: {{roleIds: ["{role}"]}}) {{ commandId }} }}'
    assert server.post(inline, None, token).json().get("data") is None
    assert server.gql(ME, token)["me"]["roles"] == []


def test_a_user_sees_neither_another_user_nor_their_commands(server: Server, admin: str) -> None:
    alice, bob = f"auth0|a{uuid.uuid4().hex}", f"auth0|b{uuid.uuid4().hex}"
    alice_token, bob_token = server.user_token(alice), server.user_token(bob)
    bobs = server.gql(REGISTER_ME, bob_token, input=signup(bob))["registerMe"]["commandId"]
    server.follow(bobs, bob_token)

    query = "query($id: ID!) { command(id: $id) { id status } }"
    assert server.gql(query, alice_token, id=bobs)["command"] is None
    assert server.gql(query, alice_token, id=str(uuid.uuid4()))["command"] is None
    assert server.gql(query, bob_token, id=bobs)["command"]["status"] == "APPLIED"
    assert server.gql(query, admin, id=bobs)["command"]["id"] == bobs

    assert server.errors("query($id: ID!) { user(id: $id) { id } }", alice_token, id=bob).codes == [
        "FORBIDDEN"
    ]
    assert server.gql(ME, alice_token)["me"] is None
