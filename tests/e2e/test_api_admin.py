"""The admin's use cases of the seed document, end to end: create, read, update and delete each
aggregate, lists, history, asOf, and replayFrom."""

from __future__ import annotations

from dataclasses import replace as dc_replace
from datetime import UTC, datetime

from tests.support.api_server import (
    CREATE_AUTHORIZATION,
    CREATE_ROLE,
    Server,
    applied,
    new_authorization,
    new_group,
    new_role,
    new_user,
    unique,
)

USER = """query($id: ID!, $asOf: DateTime) { user(id: $id, asOf: $asOf) {
  id email firstName lastName birthDate version createdAt updatedAt
  roles { id name authorizations { id name } } groups { id name } } }"""


def test_admin_creates_reads_updates_and_deletes_an_authorization(
    server: Server, admin: str
) -> None:
    name = unique("read")
    done = server.run(CREATE_AUTHORIZATION, admin, name=f"  {name}  ", description="Read all")
    auth_id = applied(done)
    assert done["name"] == "CreateAuthorization" and done["version"] == 1

    query = "query($id: ID!) { authorization(id: $id) { id name description version } }"
    found = server.gql(query, admin, id=auth_id)["authorization"]
    assert found == {"id": auth_id, "name": name, "description": "Read all", "version": 1}

    update = """mutation($id: ID!) { updateAuthorization(input: {id: $id, description: "Read"}) {
      commandId aggregateId } }"""
    assert server.run(update, admin, id=auth_id)["version"] == 2
    assert server.gql(query, admin, id=auth_id)["authorization"]["description"] == "Read"

    delete = "mutation($id: ID!) { deleteAuthorization(id: $id) { commandId } }"
    assert server.run(delete, admin, id=auth_id)["status"] == "APPLIED"
    assert server.gql(query, admin, id=auth_id)["authorization"] is None


def test_admin_manages_a_role_with_its_authorizations(server: Server, admin: str) -> None:
    read, write = new_authorization(server, admin), new_authorization(server, admin)
    role_id = new_role(server, admin, [read])
    query = "query($id: ID!) { role(id: $id) { name version authorizations { id } } }"
    assert server.gql(query, admin, id=role_id)["role"]["authorizations"] == [{"id": read}]

    update = """mutation($id: ID!, $ids: [ID!]) {
      updateRole(input: {id: $id, authorizationIds: $ids}) { commandId } }"""
    server.run(update, admin, id=role_id, ids=[write, read])
    role = server.gql(query, admin, id=role_id)["role"]
    assert [a["id"] for a in role["authorizations"]] == [write, read]
    assert role["version"] == 2

    delete = "mutation($id: ID!) { deleteRole(id: $id) { commandId } }"
    assert server.run(delete, admin, id=role_id)["status"] == "APPLIED"
    assert server.gql(query, admin, id=role_id)["role"] is None


def test_admin_manages_a_group_and_sees_its_members(server: Server, admin: str) -> None:
    group_id = new_group(server, admin)
    members = {new_user(server, admin, groupIds=[group_id]) for _ in range(3)}
    query = """query($id: ID!, $after: String) { group(id: $id) { name
      members(first: 2, after: $after) { edges { node { id groups { id } } }
        pageInfo { hasNextPage endCursor } } } }"""
    first = server.gql(query, admin, id=group_id)["group"]["members"]
    assert first["pageInfo"]["hasNextPage"] is True
    cursor = first["pageInfo"]["endCursor"]
    second = server.gql(query, admin, id=group_id, after=cursor)["group"]["members"]
    assert second["pageInfo"]["hasNextPage"] is False
    seen = [e["node"]["id"] for e in first["edges"] + second["edges"]]
    assert sorted(seen) == sorted(members)
    assert all(e["node"]["groups"] == [{"id": group_id}] for e in first["edges"])

    rename = """mutation($id: ID!, $name: String!) {
      updateGroup(input: {id: $id, name: $name}) { commandId } }"""
    name = unique("renamed")
    server.run(rename, admin, id=group_id, name=name)
    assert server.gql(query, admin, id=group_id)["group"]["name"] == name


def test_admin_manages_a_user(server: Server, admin: str) -> None:
    auth = new_authorization(server, admin)
    role, group = new_role(server, admin, [auth]), new_group(server, admin)
    other = new_role(server, admin)
    user_id = new_user(
        server, admin, roleIds=[role, other], groupIds=[group], birthDate="1815-12-10"
    )
    user = server.gql(USER, admin, id=user_id)["user"]
    assert user["birthDate"] == "1815-12-10"
    assert [r["id"] for r in user["roles"]] == [role, other]
    assert user["roles"][0] == {
        "id": role,
        "name": user["roles"][0]["name"],
        "authorizations": [{"id": auth, "name": user["roles"][0]["authorizations"][0]["name"]}],
    }
    assert [g["id"] for g in user["groups"]] == [group]
    assert user["createdAt"].endswith("Z") and user["version"] == 1

    update = """mutation($id: ID!) { updateUser(input: {id: $id, lastName: " King ",
      roleIds: [], birthDate: null}) { commandId } }"""
    assert server.run(update, admin, id=user_id)["version"] == 2
    user = server.gql(USER, admin, id=user_id)["user"]
    assert (user["lastName"], user["roles"], user["birthDate"]) == ("King", [], None)
    assert [g["id"] for g in user["groups"]] == [group]

    delete = "mutation($id: ID!) { deleteUser(id: $id) { commandId } }"
    assert server.run(delete, admin, id=user_id)["status"] == "APPLIED"
    assert server.gql(USER, admin, id=user_id)["user"] is None


def test_lists_page_through_every_item_once(server: Server, admin: str) -> None:
    created = {new_authorization(server, admin) for _ in range(5)}
    query = """query($after: String) { authorizations(first: 2, after: $after) {
      edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }"""
    seen: list[str] = []
    after = None
    while True:
        page = server.gql(query, admin, after=after)["authorizations"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(set(seen))
    assert created <= set(seen)


def test_users_filter_by_email_role_and_group(server: Server, admin: str) -> None:
    role, group = new_role(server, admin), new_group(server, admin)
    with_role = new_user(server, admin, roleIds=[role])
    in_group = new_user(server, admin, groupIds=[group])
    both = new_user(server, admin, roleIds=[role], groupIds=[group])
    query = """query($filter: UserFilter) { users(first: 100, filter: $filter) {
      edges { node { id email } } } }"""

    def ids(**filter: str) -> list[str]:
        edges = server.gql(query, admin, filter=filter)["users"]["edges"]
        return [e["node"]["id"] for e in edges]

    assert sorted(ids(roleId=role)) == sorted([with_role, both])
    assert sorted(ids(groupId=group)) == sorted([in_group, both])
    assert ids(roleId=role, groupId=group) == [both]
    email = f"  {with_role.replace('|', '.').upper()}@EXAMPLE.COM "
    assert ids(email=email) == [with_role]


def test_history_lists_events_in_version_order_and_pages(server: Server, admin: str) -> None:
    user_id = new_user(server, admin)
    rename = """mutation($id: ID!, $name: String!) {
      updateUser(input: {id: $id, firstName: $name}) { commandId } }"""
    for name in ("Bea", "Cleo"):
        server.run(rename, admin, id=user_id, name=name)
    query = """query($id: ID!, $after: String) {
      history(aggregateId: $id, first: 2, after: $after) {
      edges { node { id aggregateId aggregateType type version actor commandId occurredAt data } }
      pageInfo { hasNextPage endCursor } } }"""
    first = server.gql(query, admin, id=user_id)["history"]
    events = [e["node"] for e in first["edges"]]
    assert [e["version"] for e in events] == [1, 2]
    assert [e["type"] for e in events] == ["UserCreated", "UserUpdated"]
    assert events[0]["aggregateType"] == "user" and events[0]["actor"] == "local|admin"
    assert events[1]["data"]["firstName"] == "Bea"
    rest = server.gql(query, admin, id=user_id, after=first["pageInfo"]["endCursor"])["history"]
    assert [e["node"]["version"] for e in rest["edges"]] == [3]
    assert rest["pageInfo"]["hasNextPage"] is False


def test_as_of_shows_the_object_and_its_nested_objects_at_that_instant(
    server: Server, admin: str
) -> None:
    auth = new_authorization(server, admin)
    role = new_role(server, admin, [auth])
    user_id = new_user(server, admin, roleIds=[role])
    before = server.gql(USER, admin, id=user_id)["user"]
    moment = before["updatedAt"]

    rename_role = """mutation($id: ID!, $name: String!) {
      updateRole(input: {id: $id, name: $name}) { commandId } }"""
    server.run(rename_role, admin, id=role, name=unique("later"))
    rename = """mutation($id: ID!) { updateUser(input: {id: $id, firstName: "Later"}) {
      commandId } }"""
    server.run(rename, admin, id=user_id)

    then = server.gql(USER, admin, id=user_id, asOf=moment)["user"]
    assert then["firstName"] == before["firstName"] and then["version"] == 1
    assert then["roles"][0]["name"] == before["roles"][0]["name"]
    long_ago = "2000-01-01T00:00:00+02:00"
    assert server.gql(USER, admin, id=user_id, asOf=long_ago)["user"] is None


def test_replay_from_repairs_a_damaged_view(server: Server, admin: str) -> None:
    start = datetime.now(UTC).isoformat()
    group_id = new_group(server, admin)
    query = "query($id: ID!) { group(id: $id) { name version } }"
    good = server.gql(query, admin, id=group_id)["group"]
    with server.store() as store:  # a row gone wrong behind the pipeline's back
        row = store.views.get("group", group_id)
        assert row is not None and row.data is not None
        assert store.views.replace(dc_replace(row, data={**row.data, "name": "garbage"}))
    assert server.gql(query, admin, id=group_id)["group"]["name"] == "garbage"

    replay = (
        "mutation($at: DateTime!) { replayFrom(timestamp: $at) { commandId status aggregateId } }"
    )
    receipt = server.gql(replay, admin, at=start)["replayFrom"]
    assert receipt["status"] == "QUEUED" and receipt["aggregateId"] is None
    updates = server.follow(receipt["commandId"], admin)
    assert updates[-1]["status"] == "APPLIED" and updates[-1]["name"] == "ReplayFrom"
    assert server.gql(query, admin, id=group_id)["group"] == good


def test_admin_deletes_a_group_and_reads_it_as_of_before(server: Server, admin: str) -> None:
    group_id = new_group(server, admin)
    query = "query($id: ID!, $at: DateTime) { group(id: $id, asOf: $at) { id name } }"
    alive = server.gql(query, admin, id=group_id)["group"]
    stamps = "query($id: ID!) { group(id: $id) { updatedAt } }"
    existed_at = server.gql(stamps, admin, id=group_id)["group"]["updatedAt"]

    delete = "mutation($id: ID!) { deleteGroup(id: $id) { commandId } }"
    done = server.run(delete, admin, id=group_id)
    assert (done["status"], done["name"], done["aggregateId"]) == (
        "APPLIED",
        "DeleteGroup",
        group_id,
    )

    assert server.gql(query, admin, id=group_id)["group"] is None
    assert server.gql(query, admin, id=group_id, at=existed_at)["group"] == alive
    now = datetime.now(UTC).isoformat()
    assert server.gql(query, admin, id=group_id, at=now)["group"] is None  # after it was deleted


def test_an_update_that_changes_nothing_is_applied_without_an_event(
    server: Server, admin: str
) -> None:
    group_id = new_group(server, admin)
    query = "query($id: ID!) { group(id: $id) { name version } }"
    group = server.gql(query, admin, id=group_id)["group"]
    same = """mutation($id: ID!, $name: String!) {
      updateGroup(input: {id: $id, name: $name}) { commandId } }"""
    done = server.run(same, admin, id=group_id, name=group["name"])
    assert done["status"] == "APPLIED"
    assert server.gql(query, admin, id=group_id)["group"]["version"] == 1


def test_the_same_command_id_runs_once(server: Server, admin: str) -> None:
    command_id = unique("cmd")
    create = """mutation($name: String!, $cid: ID) {
      createGroup(input: {name: $name, description: "d", commandId: $cid}) {
        commandId aggregateId } }"""
    name = unique("once")
    first = server.gql(create, admin, name=name, cid=command_id)["createGroup"]
    second = server.gql(create, admin, name=name, cid=command_id)["createGroup"]
    assert first == second and first["commandId"] == command_id
    assert server.follow(command_id, admin)[-1]["status"] == "APPLIED"
    groups = server.gql("{ groups(first: 100) { edges { node { name } } } }", admin)["groups"]
    assert [e["node"]["name"] for e in groups["edges"]].count(name) == 1


def test_command_reads_back_with_its_receipt_data(server: Server, admin: str) -> None:
    receipt = server.gql(CREATE_ROLE, admin, name=unique("r"), description="d", ids=None)
    command_id = receipt["createRole"]["commandId"]
    server.follow(command_id, admin)
    query = "query($id: ID!) { command(id: $id) { id name status aggregateId version } }"
    command = server.gql(query, admin, id=command_id)["command"]
    assert command["aggregateId"] == receipt["createRole"]["aggregateId"]
    assert (command["name"], command["status"], command["version"]) == ("CreateRole", "APPLIED", 1)


def test_admin_nests_groups_that_grant_roles(server: Server, admin: str) -> None:
    role = new_role(server, admin)
    create = """mutation($input: CreateGroupInput!) { createGroup(input: $input) {
      commandId status aggregateId } }"""
    top = applied(
        server.run(
            create, admin, input={"name": unique("top"), "description": "d", "roleIds": [role]}
        )
    )
    child = applied(
        server.run(
            create, admin, input={"name": unique("child"), "description": "d", "parentId": top}
        )
    )
    query = """query($id: ID!) { group(id: $id) { id parent { id } roles { id }
      children(first: 10) { edges { node { id } } } } }"""
    found = server.gql(query, admin, id=top)["group"]
    assert found["parent"] is None and found["roles"] == [{"id": role}]
    assert found["children"]["edges"] == [{"node": {"id": child}}]
    assert server.gql(query, admin, id=child)["group"]["parent"] == {"id": top}

    move = """mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { commandId } }"""
    done = server.run(move, admin, input={"id": top, "parentId": child})
    assert (done["status"], done["error"]["code"], done["error"]["field"]) == (
        "REJECTED",
        "CYCLE",
        "parentId",
    )
    assert server.run(move, admin, input={"id": child, "parentId": None})["status"] == "APPLIED"
    assert server.gql(query, admin, id=child)["group"]["parent"] is None
    assert server.gql(query, admin, id=top)["group"]["children"]["edges"] == []
    errors = server.errors(move, admin, input={"id": top, "roleIds": None})
    assert errors.codes == ["BAD_USER_INPUT"]
    assert errors.errors[0]["extensions"]["field"] == "roleIds"
