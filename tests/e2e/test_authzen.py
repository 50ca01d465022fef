"""The AuthZEN access evaluation endpoints (OpenID AuthZEN Authorization API 1.0), on every
deployment: POST /access/v1/evaluation and /access/v1/evaluations, the same callers as the
GraphQL checks, the same body rules as /graphql (a 400 saying what is wrong, never a 5xx)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.api_server import Server
from tests.support.grants import Right, new_right, service_token, user_holding

ONE = "/access/v1/evaluation"
MANY = "/access/v1/evaluations"


def post(server: Server, path: str, body: Any, token: str | None, **headers: str) -> httpx.Response:
    if token:
        headers["authorization"] = f"Bearer {token}"
    return server.http.post(path, json=body, headers=headers)


def evaluation(user: str, name: str, **more: Any) -> dict[str, Any]:
    return {"subject": {"type": "user", "id": user}, "action": {"name": name}, **more}


def decide(server: Server, token: str, body: dict[str, Any], path: str = ONE) -> Any:
    reply = post(server, path, body, token)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    return reply.json()


@pytest.fixture(scope="module")
def right(server: Server, admin: str) -> Right:
    return new_right(server, admin)


@pytest.fixture(scope="module")
def holder(server: Server, admin: str, right: Right) -> str:
    return user_holding(server, admin, right.role_id)


def test_an_evaluation_answers_with_the_decision_and_its_grants(
    server: Server, admin: str, right: Right, holder: str
) -> None:
    resource = {"resource": {"type": "document", "id": "d-1", "properties": {"x": 1}}}
    granted = {
        "decision": True,
        "context": {"grants": [{"role_id": right.role_id, "group_ids": []}]},
    }
    assert decide(server, admin, evaluation(holder, right.name, **resource)) == granted
    assert decide(server, admin, evaluation(holder, f" {right.name.upper()}")) == granted
    denied = {"decision": False, "context": {"grants": []}}
    assert decide(server, admin, evaluation(holder, "no such right")) == denied
    assert decide(server, admin, evaluation("auth0|nobody-at-all", right.name)) == denied


def test_evaluations_take_defaults_from_the_request_and_answer_in_order(
    server: Server, admin: str, right: Right, holder: str
) -> None:
    other = user_holding(server, admin, None)
    body = {
        "subject": {"type": "user", "id": holder},
        "resource": {"type": "app", "id": "crm"},
        "evaluations": [
            {"action": {"name": right.name}},
            {"action": {"name": "nothing"}},
            {"subject": {"type": "user", "id": other}, "action": {"name": right.name}},
            {"action": {"name": right.name}, "resource": {"type": "x", "id": "y"}},
        ],
    }
    answers = decide(server, admin, body, MANY)["evaluations"]
    assert [a["decision"] for a in answers] == [True, False, False, True]


def test_evaluations_semantics_stop_where_the_specification_says(
    server: Server, admin: str, right: Right, holder: str
) -> None:
    items = [{"action": {"name": n}} for n in (right.name, "nothing", right.name)]
    base = {"subject": {"type": "user", "id": holder}, "evaluations": items}

    def decisions(semantic: str | None) -> list[bool]:
        body = {**base, "options": {"evaluations_semantic": semantic}} if semantic else base
        return [a["decision"] for a in decide(server, admin, body, MANY)["evaluations"]]

    assert decisions(None) == decisions("execute_all") == [True, False, True]
    assert decisions("deny_on_first_deny") == [True, False]
    assert decisions("permit_on_first_permit") == [True]


def test_evaluations_without_items_is_the_single_form(
    server: Server, admin: str, right: Right, holder: str
) -> None:
    for body in (evaluation(holder, right.name), evaluation(holder, right.name, evaluations=[])):
        assert decide(server, admin, body, MANY)["decision"] is True


def test_evaluations_take_at_most_fifty(
    server: Server, admin: str, right: Right, holder: str
) -> None:
    items = [{"action": {"name": right.name}}] * 50
    body = {"subject": {"type": "user", "id": holder}, "evaluations": items}
    assert len(decide(server, admin, body, MANY)["evaluations"]) == 50
    reply = post(server, MANY, {**body, "evaluations": [*items, items[0]]}, admin)
    assert reply.status_code == 400
    assert "at most 50" in reply.json()["errors"][0]["message"]


def test_callers_admin_self_service_and_refusals(
    server: Server, admin: str, right: Right, holder: str
) -> None:
    mine = evaluation(holder, right.name)
    assert decide(server, server.user_token(holder), mine)["decision"] is True
    assert decide(server, service_token(server), mine)["decision"] is True
    other = user_holding(server, admin, None)
    theirs = [{}, {"subject": {"type": "user", "id": other}}]  # one of the batch is not mine
    for token, path, body in (
        (server.user_token(other), ONE, mine),
        (server.user_token(other), MANY, mine),
        (server.user_token(holder), MANY, {**mine, "evaluations": theirs}),
        (service_token(server, "no-right", check=False), ONE, mine),
        (service_token(server, "no-right", check=False), MANY, mine),
    ):
        reply = post(server, path, body, token)
        assert reply.status_code == 403, (path, reply.text)
        assert reply.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("path", [ONE, MANY])
def test_no_token_is_401(server: Server, path: str) -> None:
    reply = post(server, path, evaluation("auth0|x", "read"), None)
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"] == "Bearer"
    assert post(server, path, evaluation("auth0|x", "read"), "not-a-jwt").status_code == 401


BAD_BODIES: dict[str, tuple[bytes, str]] = {
    "a list": (b"[]", "JSON object"),
    "a bare value": (b"42", "JSON object"),
    "not JSON": (b"{", "not valid JSON"),
    "not UTF-8": (b'{"subject": "\xff"}', "UTF-8"),
    "no subject": (b'{"action": {"name": "read"}}', "subject"),
    "no action": (b'{"subject": {"type": "user", "id": "auth0|x"}}', "action"),
    "a subject not an object": (b'{"subject": "auth0|x", "action": {"name": "r"}}', "subject"),
    "another subject type": (
        b'{"subject": {"type": "group", "id": "g"}, "action": {"name": "r"}}',
        "subject.type",
    ),
    "a lone surrogate": (
        b'{"subject": {"type": "user", "id": "auth0|\\ud800"}, "action": {"name": "r"}}',
        "Unicode",
    ),
    "an id too long": (
        b'{"subject": {"type": "user", "id": "' + b"x" * 129 + b'"}, "action": {"name": "r"}}',
        "subject.id",
    ),
    "an id with a space": (
        b'{"subject": {"type": "user", "id": "a b"}, "action": {"name": "r"}}',
        "subject.id",
    ),
    "an empty name": (
        b'{"subject": {"type": "user", "id": "auth0|x"}, "action": {"name": "  "}}',
        "action.name",
    ),
    "a name too long": (
        b'{"subject": {"type": "user", "id": "auth0|x"}, "action": {"name": "'
        + b"n" * 201
        + b'"}}',
        "action.name",
    ),
    "a resource not an object": (
        b'{"subject": {"type": "user", "id": "auth0|x"}, "action": {"name": "r"}, "resource": 1}',
        "resource",
    ),
    "evaluations not a list": (
        b'{"subject": {"type": "user", "id": "auth0|x"}, "action": {"name": "r"}, '
        b'"evaluations": {}}',
        "evaluations",
    ),
    "an unknown semantic": (
        b'{"subject": {"type": "user", "id": "auth0|x"}, "action": {"name": "r"}, '
        b'"evaluations": [{}], "options": {"evaluations_semantic": "maybe"}}',
        "evaluations_semantic",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_BODIES))
def test_malformed_bodies_are_400_saying_what_is_wrong(
    server: Server, admin: str, case: str
) -> None:
    body, says = BAD_BODIES[case]
    headers = {"authorization": f"Bearer {admin}", "content-type": "application/json"}
    path = MANY if "evaluations" in case or "semantic" in case else ONE
    reply = server.http.post(path, content=body, headers=headers)
    assert reply.status_code == 400, reply.text
    error = reply.json()["errors"][0]
    assert says in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


def test_a_body_that_is_not_json_by_its_type_is_415(server: Server, admin: str) -> None:
    headers = {"authorization": f"Bearer {admin}", "content-type": "text/plain"}
    reply = server.http.post(ONE, content=b"{}", headers=headers)
    assert reply.status_code == 415


def test_the_request_id_is_echoed(server: Server, admin: str, right: Right, holder: str) -> None:
    reply = post(server, ONE, evaluation(holder, right.name), admin, **{"x-request-id": "r-42"})
    assert reply.headers["x-request-id"] == "r-42"


def test_a_foreign_origin_is_refused(server: Server, admin: str, right: Right, holder: str) -> None:
    reply = post(server, ONE, evaluation(holder, right.name), admin, origin="https://evil.example")
    assert reply.status_code == 403
