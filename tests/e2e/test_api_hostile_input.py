"""Hostile input (issue 12): strings that are not Unicode text, ids no key can have, DateTimes
out of range, emails that differ only in invisible or compatibility characters, and one refused
alias among several mutations. Every refusal is BAD_USER_INPUT naming the field, never INTERNAL,
on every deployment."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.api_server import (
    CREATE_USER,
    GraphQLErrors,
    Server,
    new_group,
    new_user,
    subscribe,
)

# A key no record can have: longer than DynamoDB takes (2,048 bytes), which the moto stand-in
# would look up and answer "not found", and real DynamoDB refuses with a ValidationException.
HUGE = "x" * 4096


def post_json(server: Server, token: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """POST with the body as `json.dumps` writes it: a lone surrogate as a `\\ud800` escape,
    as a client's JSON may hold one (httpx's own encoder would refuse to send it)."""
    body = json.dumps({"query": query, "variables": variables})
    assert "\\ud800" in body or "\\udc80" in body or "\\u" not in body
    reply = server.http.post(
        "/graphql",
        content=body.encode("ascii"),
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
    )
    assert reply.status_code < 500, reply.text
    payload: dict[str, Any] = reply.json()
    return payload


def refusal(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    (error,) = payload["errors"]
    extensions = error.get("extensions") or {}
    return extensions.get("code"), extensions.get("field")


def user_input(**fields: object) -> dict[str, object]:
    sub = f"auth0|{uuid.uuid4().hex}"
    return {"id": sub, "email": f"{sub[6:]}@example.com", "firstName": "A", "lastName": "B"} | {
        **fields
    }


# 3. Lone surrogates -----------------------------------------------------------------------------

SURROGATES = ["\ud800", "\udc80"]


@pytest.mark.parametrize("surrogate", SURROGATES, ids=["high", "low"])
@pytest.mark.parametrize("field", ["id", "email", "firstName", "lastName", "commandId"])
def test_a_lone_surrogate_in_any_input_field_is_refused_naming_it(
    server: Server, admin: str, field: str, surrogate: str
) -> None:
    values = user_input(commandId=f"cmd-{uuid.uuid4().hex}")
    values[field] = f"{str(values[field])[:-12]}{surrogate}{str(values[field])[-12:]}"
    payload = post_json(server, admin, CREATE_USER, {"input": values})
    assert payload.get("data") is None
    assert refusal(payload) == ("BAD_USER_INPUT", field)


READS = {
    "user": ("query($v: ID!) { user(id: $v) { id } }", "v"),
    "history": ("query($v: ID!) { history(aggregateId: $v) { edges { cursor } } }", "v"),
    "command": ("query($v: ID!) { command(id: $v) { id } }", "v"),
    "email filter": ("query($v: String) { users(filter: {email: $v}) { edges { cursor } } }", "v"),
    "filter object": ("query($f: UserFilter) { users(filter: $f) { edges { cursor } } }", "email"),
    "cursor": ("query($v: String) { users(after: $v) { edges { cursor } } }", "v"),
}


@pytest.mark.parametrize("surrogate", SURROGATES, ids=["high", "low"])
@pytest.mark.parametrize("read", READS, ids=list(READS))
def test_a_lone_surrogate_in_any_read_argument_is_refused(
    server: Server, admin: str, read: str, surrogate: str
) -> None:
    query, field = READS[read]
    value = f"a{surrogate}b@example.com"
    variables: dict[str, Any] = {"f": {"email": value}} if "$f" in query else {"v": value}
    payload = post_json(server, admin, query, variables)
    assert refusal(payload) == ("BAD_USER_INPUT", field)


def test_a_lone_surrogate_in_a_name_is_refused_and_a_valid_name_is_stored(
    server: Server, admin: str
) -> None:
    values = user_input(firstName="Zo\u00eb \U0001f600")
    user_id = new_user(server, admin, **values)
    got = server.gql("query($id: ID!) { user(id: $id) { firstName } }", admin, id=user_id)
    assert got["user"] == {"firstName": "Zo\u00eb \U0001f600"}
    query = "mutation($n: String!) { createGroup(input: {name: $n, description: $n}) { status } }"
    payload = post_json(server, admin, query, {"n": "G\udc80"})
    assert refusal(payload) == ("BAD_USER_INPUT", "n")


# 5. DateTime literals out of range --------------------------------------------------------------

OUT_OF_RANGE = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"]


@pytest.mark.parametrize("at", OUT_OF_RANGE)
def test_a_date_time_that_leaves_the_calendar_in_utc_is_refused_inline_and_as_a_variable(
    server: Server, admin: str, at: str
) -> None:
    group = new_group(server, admin)
    inline = server.errors(f'{{ group(id: "{group}", asOf: "{at}") {{ id }} }}', admin)
    assert "INTERNAL" not in inline.codes
    assert "outside the years 1 to 9999" in inline.errors[0]["message"]
    query = "query($id: ID!, $at: DateTime) { group(id: $id, asOf: $at) { id } }"
    variable = server.errors(query, admin, id=group, at=at)
    assert "INTERNAL" not in variable.codes
    replay = server.errors(f'mutation {{ replayFrom(timestamp: "{at}") {{ commandId }} }}', admin)
    assert "INTERNAL" not in replay.codes
    assert "outside the years 1 to 9999" in replay.errors[0]["message"]


# 8. Ids, cursors and filters no key can have ---------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("query($v: ID!) { user(id: $v) { id } }", "id"),
        ("query($v: ID!) { role(id: $v) { id } }", "id"),
        ("query($v: ID!) { history(aggregateId: $v) { edges { cursor } } }", "aggregateId"),
        ("query($v: ID!) { command(id: $v) { id } }", "id"),
        ("query($v: String) { users(filter: {email: $v}) { edges { cursor } } }", "email"),
        ("query($v: String) { users(after: $v) { edges { cursor } } }", "after"),
        ("query($v: String) { groups(after: $v) { edges { cursor } } }", "after"),
        (
            'query($v: String) { history(aggregateId: "a", after: $v) { edges { cursor } } }',
            "after",
        ),
    ],
)
def test_an_id_cursor_or_filter_longer_than_any_key_is_refused_before_any_read(
    server: Server, admin: str, query: str, field: str
) -> None:
    errors = server.errors(query, admin, v=HUGE)
    assert errors.codes == ["BAD_USER_INPUT"]
    assert errors.errors[0]["extensions"]["field"] == field


def test_a_cursor_wrapping_a_key_no_record_can_have_is_refused(server: Server, admin: str) -> None:
    import base64

    forged = base64.urlsafe_b64encode(f"c1:{'y' * 600}".encode()).decode().rstrip("=")
    for field in ("users", "groups"):
        query = f'{{ {field}(after: "{forged}") {{ edges {{ cursor }} }} }}'
        assert server.errors(query, admin).codes == ["BAD_USER_INPUT"]


def test_a_user_reading_a_command_with_an_impossible_id_is_refused_too(server: Server) -> None:
    token = server.user_token(f"auth0|{uuid.uuid4().hex}")
    errors = server.errors("query($v: ID!) { command(id: $v) { id } }", token, v=HUGE)
    assert errors.codes == ["BAD_USER_INPUT"]


@pytest.mark.parametrize("command_id", [HUGE, "a b", "cmd\u200b"], ids=["huge", "space", "zwsp"])
def test_a_subscription_to_an_impossible_command_id_is_refused(
    server: Server, admin: str, command_id: str
) -> None:
    """Refused before any read. The local server sends the refusal; the AWS WebSocket path
    (lambda_runtime/websocket/subscribe.py) sends a resolver's refusal as a bare complete for
    now: nothing of any command, and no INTERNAL, either way."""
    with server.socket(admin) as ws:
        try:
            updates = subscribe(ws, command_id)
        except GraphQLErrors as refused:
            assert refused.codes == ["BAD_USER_INPUT"]
            assert refused.errors[0]["extensions"]["field"] == "commandId"
            return
    assert updates == []
    assert type(server).__name__ == "LambdaApi", "the local server sends the refusal"


def test_an_empty_email_filter_finds_nobody(server: Server, admin: str) -> None:
    query = "query($v: String) { users(filter: {email: $v}) { edges { cursor } } }"
    assert server.gql(query, admin, v="  ")["users"]["edges"] == []


# 11. Emails: NFKC, no invisible characters ------------------------------------------------------


@pytest.mark.parametrize(
    "twin",
    [
        lambda local: f"\uff46{local[1:]}",  # the first letter full-width
        lambda local: local.upper().replace("A", "\uff21"),  # upper case, full-width A's
    ],
    ids=["full-width letter", "full-width capital"],
)
def test_an_email_that_differs_only_in_a_compatibility_form_is_a_duplicate(
    server: Server, admin: str, twin: Callable[[str], str]
) -> None:
    local = f"f{uuid.uuid4().hex[:10]}aa"
    server.run(CREATE_USER, admin, input=user_input(email=f"{local}@example.com"))
    done = server.run(CREATE_USER, admin, input=user_input(email=f"{twin(local)}@example.com"))
    assert (done["status"], done["error"]["code"]) == ("REJECTED", "DUPLICATE")


def test_an_email_is_stored_in_nfkc(server: Server, admin: str) -> None:
    local = uuid.uuid4().hex[:10]
    user_id = new_user(server, admin, email=f"\uff21{local}@Example.com")
    got = server.gql("query($id: ID!) { user(id: $id) { email } }", admin, id=user_id)
    assert got["user"] == {"email": f"A{local}@Example.com"}
    query = "query($e: String) { users(filter: {email: $e}) { edges { node { id } } } }"
    found = server.gql(query, admin, e=f" \uff41{local}@example.com")["users"]["edges"]
    assert found == [{"node": {"id": user_id}}]


INVISIBLE = {"zero-width space": "\u200b", "joiner": "\u200d", "bidi override": "\u202e"}


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=list(INVISIBLE))
@pytest.mark.parametrize("field", ["id", "email"])
def test_ids_and_emails_with_invisible_characters_are_refused(
    server: Server, admin: str, field: str, char: str
) -> None:
    values = user_input()
    values[field] = f"{str(values[field])[:8]}{char}{str(values[field])[8:]}"
    errors = server.errors(CREATE_USER, admin, input=values)
    assert errors.codes == ["BAD_USER_INPUT"]
    assert errors.errors[0]["extensions"]["field"] == field


def test_control_characters_are_refused_in_names_and_descriptions_but_newlines_kept(
    server: Server, admin: str
) -> None:
    create = """mutation($n: String!, $d: String!) {
      createGroup(input: {name: $n, description: $d}) { commandId } }"""
    name = f"g-{uuid.uuid4().hex[:8]}"
    errors = server.errors(create, admin, n=f"{name}\x1b[2J", d="d")
    assert errors.errors[0]["extensions"]["field"] == "name"
    errors = server.errors(create, admin, n=name, d="one\x00two")
    assert errors.errors[0]["extensions"]["field"] == "description"
    assert server.run(create, admin, n=name, d="one\n\ttwo")["status"] == "APPLIED"


# 12. One refused alias among several mutations -------------------------------------------------


def test_a_refused_alias_is_null_on_its_own_and_the_other_receipts_arrive(
    server: Server, admin: str
) -> None:
    good, bad = user_input(), user_input(email="not-an-email")
    query = """mutation($good: CreateUserInput!, $bad: CreateUserInput!) {
      first: createUser(input: $good) { commandId status }
      second: createUser(input: $bad) { commandId status } }"""
    reply = server.post(query, {"good": good, "bad": bad}, admin).json()
    assert reply["data"]["second"] is None
    assert reply["data"]["first"]["status"] == "QUEUED"
    (error,) = reply["errors"]
    assert error["path"] == ["second"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "email"}
    done = server.follow(reply["data"]["first"]["commandId"], admin)[-1]
    assert done["status"] == "APPLIED"


def test_a_user_sending_an_admin_mutation_beside_their_own_gets_their_own_receipt(
    server: Server,
) -> None:
    sub = f"auth0|{uuid.uuid4().hex}"
    token = server.user_token(sub)
    query = """mutation($form: RegisterMeInput!) {
      mine: registerMe(input: $form) { commandId }
      theirs: createGroup(input: {name: "g", description: "d"}) { commandId } }"""
    form = {"email": f"{sub[6:]}@example.com", "firstName": "A", "lastName": "B"}
    reply = server.post(query, {"form": form}, token).json()
    assert reply["data"]["theirs"] is None
    assert reply["data"]["mine"]["commandId"]
    codes = {tuple(e["path"]): e["extensions"]["code"] for e in reply["errors"]}
    assert codes == {("theirs",): "FORBIDDEN"}


def test_no_hostile_read_is_internal(server: Server, admin: str) -> None:
    """The reads of issue 12 with every hostile value at once: none is INTERNAL."""
    query = """query($s: String, $i: ID!) {
      a: user(id: $i) { id } b: command(id: $i) { id }
      c: users(filter: {email: $s}) { edges { cursor } } }"""
    for value in (HUGE, "\u200b", "", " "):
        reply = server.post(query, {"s": value, "i": value}, admin).json()
        codes = {(e.get("extensions") or {}).get("code") for e in reply.get("errors") or []}
        assert "INTERNAL" not in codes, reply
    with pytest.raises(GraphQLErrors):
        server.gql(query, admin, s="x", i=HUGE)


def test_an_operation_name_that_is_not_valid_text_names_no_operation(
    server: Server, admin: str
) -> None:
    """Refused as a request that cannot run (docs/api.md, Transport: HTTP: 400 under the GraphQL
    response type, 200 without `data` under application/json), the name echoed escaped."""
    body = json.dumps({"query": "{ me { id } }", "operationName": "op\ud800"})
    for accept, status in (("application/graphql-response+json", 400), ("application/json", 200)):
        reply = server.http.post(
            "/graphql",
            content=body.encode("ascii"),
            headers={
                "authorization": f"Bearer {admin}",
                "content-type": "application/json",
                "accept": accept,
            },
        )
        assert reply.status_code == status
        (error,) = reply.json()["errors"]
        assert "data" not in reply.json()
        assert "op\\ud800" in error["message"]
