"""A person's lifecycle through the API, on every deployment: block (BLOCKED on their requests,
their data rights kept), a block's end at `until`, unblock, asOf; delete and restore; export."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.api_server import (
    CREATE_USER,
    GraphQLErrors,
    Server,
    new_group,
    new_role,
    new_user,
)

BLOCK = """mutation($id: ID!, $reason: String!, $until: DateTime) {
  blockUser(id: $id, reason: $reason, until: $until) { commandId } }"""
UNBLOCK = "mutation($id: ID!) { unblockUser(id: $id) { commandId } }"
DELETE = "mutation($id: ID!) { deleteUser(id: $id) { commandId } }"
RESTORE = "mutation($id: ID!) { restoreUser(id: $id) { commandId } }"
UPDATE_ME = "mutation($input: UpdateMeInput!) { updateMe(input: $input) { commandId } }"
USER = """query($id: ID!, $asOf: DateTime) { user(id: $id, asOf: $asOf) {
  id status email roles { id } groups { id } block { reason blockedBy at until } } }"""
LIST = """query($status: UserStatus, $after: String) {
  users(first: 100, after: $after, filter: {status: $status}) {
    edges { node { id status } } pageInfo { hasNextPage endCursor } } }"""
PERMISSIONS = "query($id: ID!) { effectivePermissions(userId: $id) { authorization { name } } }"
CAN = 'query($id: ID!) { can(userId: $id, authorization: "x") { allowed } }'
EXPORT_ME = "query($after: String) { exportMe(after: $after) }"
EXPORT_USER = "query($id: ID!, $after: String) { exportUser(id: $id, after: $after) }"


def applied(server: Server, mutation: str, token: str, **variables: Any) -> dict[str, Any]:
    done = server.run(mutation, token, **variables)
    assert done["status"] == "APPLIED", done
    return done


def listed(server: Server, admin: str, status: str | None) -> set[str]:
    ids: set[str] = set()
    after = None
    while True:
        found = server.gql(LIST, admin, status=status, after=after)["users"]
        ids |= {(e["node"]["id"]) for e in found["edges"]}
        if not found["pageInfo"]["hasNextPage"]:
            return ids
        after = found["pageInfo"]["endCursor"]


def test_a_blocked_user_is_refused_everywhere_but_export_until_unblocked(
    server: Server, admin: str
) -> None:
    user = new_user(server, admin)
    token = server.user_token(user)
    applied(server, BLOCK, admin, id=user, reason="disputed payments")

    for query, variables in (
        ("{ me { id } }", {}),
        (UPDATE_ME, {"input": {"firstName": "Eve"}}),
        (CAN, {"id": user}),
        (PERMISSIONS, {"id": user}),
    ):
        errors = server.errors(query, token, **variables)
        assert errors.codes == ["BLOCKED"], query
        assert "disputed" not in str(errors.errors)  # the reason is the admin's only
    with pytest.raises(GraphQLErrors) as refused:
        server.follow(str(uuid.uuid4()), token)  # a new subscription
    assert refused.value.codes == ["BLOCKED"]

    exported = server.gql(EXPORT_ME, token)["exportMe"]
    assert exported["user"]["status"] == "BLOCKED" and exported["userId"] == user

    shown = server.gql(USER, admin, id=user)["user"]
    assert shown["status"] == "BLOCKED"
    assert shown["block"]["reason"] == "disputed payments" and shown["block"]["until"] is None
    assert user in listed(server, admin, "BLOCKED")
    assert user not in listed(server, admin, "ACTIVE")
    assert server.gql(CAN, admin, id=user)["can"]["allowed"] is False

    applied(server, UNBLOCK, admin, id=user)
    assert server.gql("{ me { id } }", token)["me"]["id"] == user  # at once: blocks aren't cached
    assert server.gql(USER, admin, id=user)["user"]["block"] is None
    assert user in listed(server, admin, "ACTIVE")


def test_a_block_ends_by_itself_at_until_and_as_of_shows_it_as_it_stood(
    server: Server, admin: str
) -> None:
    user = new_user(server, admin)
    until = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
    applied(server, BLOCK, admin, id=user, reason="cooling off", until=until.isoformat())
    now = server.gql(USER, admin, id=user)["user"]
    assert now["status"] == "BLOCKED" and now["block"]["blockedBy"]
    at = now["block"]["at"]

    # Read at instants around the end: computed at read time, no event, no waiting.
    just_before = (until - timedelta(milliseconds=1)).isoformat()
    assert server.gql(USER, admin, id=user, asOf=just_before)["user"]["status"] == "BLOCKED"
    after = server.gql(USER, admin, id=user, asOf=until.isoformat())["user"]
    assert (after["status"], after["block"]) == ("ACTIVE", None)

    applied(server, UNBLOCK, admin, id=user)
    then = server.gql(USER, admin, id=user, asOf=at)["user"]
    assert then["status"] == "BLOCKED" and then["block"]["reason"] == "cooling off"
    before = (datetime.fromisoformat(at) - timedelta(milliseconds=1)).isoformat()
    assert server.gql(USER, admin, id=user, asOf=before)["user"]["block"] is None


def test_a_deleted_user_is_listed_for_admins_and_restored_as_they_were(
    server: Server, admin: str
) -> None:
    role, group = new_role(server, admin), new_group(server, admin)
    user = new_user(server, admin, roleIds=[role], groupIds=[group])
    applied(server, BLOCK, admin, id=user, reason="under review")
    applied(server, DELETE, admin, id=user)
    assert server.gql(USER, admin, id=user)["user"] is None
    assert user in listed(server, admin, "DELETED") and user not in listed(server, admin, None)

    # The group goes while the user is deleted; the role stays.
    gone = "mutation($id: ID!) { deleteGroup(id: $id) { commandId } }"
    applied(server, gone, admin, id=group)
    applied(server, RESTORE, admin, id=user)

    back = server.gql(USER, admin, id=user)["user"]
    assert back["status"] == "BLOCKED" and back["block"]["reason"] == "under review"
    assert back["roles"] == [{"id": role}] and back["groups"] == []
    assert user not in listed(server, admin, "DELETED")
    # The email claim is taken again.
    twin = {"id": f"auth0|{uuid.uuid4().hex[:12]}", "firstName": "T", "lastName": "W"}
    again = server.run(CREATE_USER, admin, input={**twin, "email": back["email"].upper()})
    assert (again["status"], again["error"]["code"]) == ("REJECTED", "DUPLICATE")


def test_a_restore_is_refused_when_the_email_was_taken_since(server: Server, admin: str) -> None:
    user = new_user(server, admin)
    email = server.gql(USER, admin, id=user)["user"]["email"]
    applied(server, DELETE, admin, id=user)
    new_user(server, admin, email=email)

    refused = server.run(RESTORE, admin, id=user)
    assert (refused["status"], refused["error"]["code"]) == ("REJECTED", "DUPLICATE")
    assert refused["error"]["field"] == "email"
    assert email.lower() not in refused["error"]["message"].lower()
    assert user in listed(server, admin, "DELETED")


def test_the_export_holds_the_record_every_event_and_the_commands(
    server: Server, admin: str
) -> None:
    user = new_user(server, admin)
    token = server.user_token(user)
    applied(server, UPDATE_ME, token, input={"lastName": "Byron"})
    applied(server, BLOCK, admin, id=user, reason="a reason")

    mine = server.gql(EXPORT_ME, token)["exportMe"]
    theirs = server.gql(EXPORT_USER, admin, id=user)["exportUser"]
    for exported in (mine, theirs):
        assert exported["format"] == 1 and exported["next"] is None
        assert exported["user"]["lastName"] == "Byron"
        assert exported["user"]["block"]["blockedBy"] == "admin"
        events = exported["events"]
        assert [e["type"] for e in events] == ["UserCreated", "UserUpdated", "UserBlocked"]
        assert [e["actor"] for e in events] == ["admin", user, "admin"]
        assert events[2]["data"] == {
            "reason": "a reason",
            "blockedBy": "admin",
            "at": events[2]["occurredAt"],
            "until": None,
        }
        names = [c["name"] for c in exported["commands"]]
        assert names == ["CreateUser", "UpdateMe", "BlockUser"]
        assert {c["actor"] for c in exported["commands"]} == {"admin", user}
        assert "local|admin" not in str(exported)  # another person's subject never shows

    # The events continue on a cursor: a page after the first holds only events.
    from schema.pagination import encode_cursor

    rest = server.gql(EXPORT_USER, admin, id=user, after=encode_cursor("1"))["exportUser"]
    assert [e["version"] for e in rest["events"]] == [2, 3]
    assert "user" not in rest and "commands" not in rest


ERASE = "mutation($id: ID!) { eraseUser(id: $id) { commandId } }"
ERASE_ME = "mutation { eraseMe { commandId } }"
HISTORY = """query($id: ID!) { history(aggregateId: $id) {
  edges { node { type version actor data } } } }"""


def test_a_blocked_user_erases_themselves_and_only_their_history_remains(
    server: Server, admin: str
) -> None:
    user = new_user(server, admin, firstName="Zéphyrine", lastName="Quillfeather")
    token = server.user_token(user)
    applied(server, BLOCK, admin, id=user, reason="Zéphyrine's disputed payments")
    before = server.gql(HISTORY, admin, id=user)["history"]["edges"]
    assert before[0]["node"]["data"]["firstName"] == "Zéphyrine"  # admins see it decrypted

    receipt = server.gql(ERASE_ME, token)["eraseMe"]
    # A blocked user's new subscriptions are refused: the admin follows the command.
    assert server.follow(receipt["commandId"], admin)[-1]["status"] == "APPLIED"

    assert server.gql(USER, admin, id=user)["user"] is None
    later = datetime.now(UTC) + timedelta(seconds=1)
    assert server.gql(USER, admin, id=user, asOf=later.isoformat())["user"] is None
    assert user not in listed(server, admin, "DELETED") | listed(server, admin, None)
    events = [e["node"] for e in server.gql(HISTORY, admin, id=user)["history"]["edges"]]
    assert [(e["type"], e["version"]) for e in events] == [
        ("UserCreated", 1),
        ("UserBlocked", 2),
        ("UserErased", 3),
    ]
    assert "Zéphyrine" not in str(events) and "Quillfeather" not in str(events)
    assert events[0]["data"]["firstName"] is None and "firstName" in events[0]["data"]["erased"]
    assert server.gql(EXPORT_USER, admin, id=user)["exportUser"]["erased"] is True
    assert server.run(ERASE, admin, id=user)["status"] == "REJECTED"  # erased: not there
