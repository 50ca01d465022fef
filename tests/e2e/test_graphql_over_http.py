"""GraphQL over HTTP as its specification has it, on every deployment: the response media type
the client accepts, the status each media type gives a failure, and malformed or hostile
requests answered with a 4xx and a GraphQL error saying what is wrong, never a 5xx."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.identity import BearerIdentity
from infra.auth import LocalAuthority, verifier_for
from infra.settings import Settings
from infra.sqlite import open_backend
from tests.support.api_server import Server

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
ME = "{ me { id } }"


def send(
    server: Server,
    admin: str,
    *,
    accept: str | None,
    body: bytes | None = None,
    method: str = "POST",
    params: dict[str, str] | None = None,
    content_type: str | None = JSON,
) -> httpx.Response:
    """A raw request: exactly these Accept and Content-Type headers (none when None)."""
    request = server.http.build_request(method, "/graphql", content=body, params=params)
    request.headers["authorization"] = f"Bearer {admin}"
    for name, value in (("accept", accept), ("content-type", content_type)):
        if value is None:
            request.headers.pop(name, None)
        else:
            request.headers[name] = value
    return server.http.send(request)


def post(server: Server, admin: str, accept: str | None, **payload: Any) -> httpx.Response:
    return send(server, admin, accept=accept, body=json.dumps(payload).encode())


def media_type(reply: httpx.Response) -> str:
    return reply.headers["content-type"].split(";")[0].strip()


# Accept -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (JSON, JSON),
        (f"{GRAPHQL_RESPONSE}; charset=utf-8, {JSON}; charset=utf-8", GRAPHQL_RESPONSE),
        (f"{JSON}, {GRAPHQL_RESPONSE}", JSON),  # the first listed, at equal q
        (f"{JSON};q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0.2, {JSON}", JSON),
        ("*/*", JSON),  # what curl and most HTTP libraries send: the older type
        ("text/html, application/*;q=0.8", JSON),
        (None, GRAPHQL_RESPONSE),  # no Accept: the specification's default since 2025
    ],
)
def test_the_response_comes_in_the_media_type_the_client_prefers(
    server: Server, admin: str, accept: str | None, expected: str
) -> None:
    reply = post(server, admin, accept, query=ME)
    assert reply.status_code == 200, reply.text
    assert media_type(reply) == expected
    assert "charset=utf-8" in reply.headers["content-type"]
    assert reply.json() == {"data": {"me": None}}


@pytest.mark.parametrize("accept", ["text/html", "application/xml", f"{JSON}; charset=latin-1"])
def test_a_client_that_accepts_neither_media_type_gets_406(
    server: Server, admin: str, accept: str
) -> None:
    reply = post(server, admin, accept, query=ME)
    assert reply.status_code == 406
    assert reply.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"
    assert GRAPHQL_RESPONSE in reply.json()["errors"][0]["message"]


# Failures of a well-formed request, by media type --------------------------------------------

REQUEST_ERRORS = {
    "does not parse": {"query": "{"},
    "does not validate": {"query": "{ me { idd } }"},
    "operation unknown": {"query": "query A { me { id } }", "operationName": "B"},
    "variables do not coerce": {
        "query": "query($n: Int!) { users(first: $n) { edges { cursor } } }"
    },
}


@pytest.mark.parametrize("payload", REQUEST_ERRORS.values(), ids=REQUEST_ERRORS.keys())
def test_an_operation_that_cannot_run_is_400_without_data_in_graphql_response_json(
    server: Server, admin: str, payload: dict[str, Any]
) -> None:
    reply = post(server, admin, GRAPHQL_RESPONSE, **payload)
    assert reply.status_code == 400, reply.text
    assert media_type(reply) == GRAPHQL_RESPONSE
    body = reply.json()
    assert "data" not in body and body["errors"][0]["message"]


@pytest.mark.parametrize("payload", REQUEST_ERRORS.values(), ids=REQUEST_ERRORS.keys())
def test_an_operation_that_cannot_run_is_200_without_data_in_json(
    server: Server, admin: str, payload: dict[str, Any]
) -> None:
    reply = post(server, admin, JSON, **payload)
    assert reply.status_code == 200, reply.text
    assert media_type(reply) == JSON
    body = reply.json()
    assert "data" not in body and body["errors"][0]["message"]


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
def test_field_errors_keep_200_and_the_data(server: Server, accept: str) -> None:
    user = server.user_token("auth0|http-field-errors")
    reply = post(server, user, accept, query="{ me { id } users { edges { cursor } } }")
    assert reply.status_code == 200
    body = reply.json()
    assert "data" in body and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


# Requests that are not well-formed: 4xx in both media types, never a 5xx -----------------------

MALFORMED: dict[str, tuple[bytes, str]] = {
    "a JSON string": (json.dumps(ME).encode(), "JSON object"),
    "a number": (b"42", "JSON object"),
    "null": (b"null", "JSON object"),
    "not UTF-8": (b'{"query": "{ me { id } }\xff\xfe"}', "UTF-8"),
    "not JSON": (b'{"query":', "not valid JSON"),
    "no query": (b'{"qeury": "{ me { id } }"}', "`query`"),
    "a query that is not a string": (b'{"query": 7}', "`query`"),
    "variables that are not an object": (
        b'{"query": "{ me { id } }", "variables": [7]}',
        "`variables`",
    ),
    "extensions that are not an object": (
        b'{"query": "{ me { id } }", "extensions": 1}',
        "`extensions`",
    ),
    "an operationName that is not a string": (
        b'{"query": "{ me { id } }", "operationName": 1}',
        "`operationName`",
    ),
    "a batch": (b'[{"query": "{ me { id } }"}]', "batching"),
}


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON])
@pytest.mark.parametrize(("body", "says"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_request_is_400_saying_what_is_wrong(
    server: Server, admin: str, accept: str, body: bytes, says: str
) -> None:
    reply = send(server, admin, accept=accept, body=body)
    assert reply.status_code == 400, reply.text
    assert media_type(reply) == accept
    (error,) = reply.json()["errors"]
    assert says in error["message"] and error["extensions"]["code"] == "BAD_REQUEST"
    assert "data" not in reply.json()


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_post_body_that_is_not_declared_json_is_415(
    server: Server, admin: str, content_type: str | None
) -> None:
    body = json.dumps({"query": ME}).encode()
    reply = send(server, admin, accept=GRAPHQL_RESPONSE, body=body, content_type=content_type)
    assert reply.status_code == 415
    assert "application/json" in reply.json()["errors"][0]["message"]


def test_get_runs_queries_and_refuses_mutations_with_405(server: Server, admin: str) -> None:
    query = send(server, admin, accept=GRAPHQL_RESPONSE, method="GET", params={"query": ME})
    assert query.status_code == 200 and query.json() == {"data": {"me": None}}
    mutation = 'mutation { createGroup(input: {name: "n", description: "d"}) { commandId } }'
    for accept in (GRAPHQL_RESPONSE, JSON):
        reply = send(server, admin, accept=accept, method="GET", params={"query": mutation})
        assert reply.status_code == 405
        assert reply.headers["allow"] == "POST"
        assert "POST" in reply.json()["errors"][0]["message"]


@pytest.mark.local_only("API Gateway routes only GET and POST to the function")
def test_other_methods_are_405_naming_the_allowed_ones(server: Server, admin: str) -> None:
    reply = send(server, admin, accept=GRAPHQL_RESPONSE, method="PUT", body=b"{}")
    assert reply.status_code == 405
    assert reply.headers["allow"] == "GET, POST"
    assert media_type(reply) == GRAPHQL_RESPONSE


def test_a_get_with_variables_that_are_not_json_is_400(server: Server, admin: str) -> None:
    params = {"query": "query($n: Int) { users(first: $n) { edges { cursor } } }"}
    params["variables"] = "{n: 1}"
    reply = send(server, admin, accept=GRAPHQL_RESPONSE, method="GET", params=params)
    assert reply.status_code == 400
    assert "`variables`" in reply.json()["errors"][0]["message"]


# Subscriptions need the WebSocket ---------------------------------------------------------------

SUBSCRIPTION = (
    'subscription { commandStatus(commandId: "00000000-0000-4000-8000-000000000000") { status } }'
)


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, JSON, "*/*"])
def test_a_subscription_by_post_is_a_client_error_naming_the_websocket(
    server: Server, admin: str, accept: str, caplog: pytest.LogCaptureFixture
) -> None:
    reply = post(server, admin, accept, query=SUBSCRIPTION)
    assert reply.status_code == 400, reply.text
    (error,) = reply.json()["errors"]
    assert error["extensions"]["code"] == "SUBSCRIPTION_OVER_HTTP"
    assert "graphql-transport-ws" in error["message"]
    if server.url.startswith("http://"):  # the local server serves the WebSocket itself
        assert server.ws_url in error["message"]
    else:
        assert "WebSocket API" in error["message"]
    assert "data" not in reply.json()
    assert "Traceback" not in caplog.text  # the AWS deployment's function runs in this process


def test_a_subscription_by_post_logs_no_traceback(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The local app in this process, so that everything it logs is captured."""
    backend = open_backend(tmp_path / "data")
    try:
        authority = LocalAuthority.ensure(tmp_path / "data")
        identity = BearerIdentity(verifier_for(Settings(data_dir=tmp_path / "data")))
        app = create_app(backend, identity, Settings(data_dir=tmp_path / "data"), ws_auth=identity)
        token = authority.mint(
            "local|admin", admin_claim="permissions", admin_value="usermgmt:admin"
        )

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as c:
                headers = {"authorization": f"Bearer {token}"}
                return await c.post("/graphql", json={"query": SUBSCRIPTION}, headers=headers)

        with caplog.at_level(logging.DEBUG):
            reply = asyncio.run(go())
    finally:
        backend.close()
    assert reply.status_code == 400
    assert "ws://api.test/graphql" in reply.json()["errors"][0]["message"]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= 40]
    assert "Traceback" not in caplog.text
