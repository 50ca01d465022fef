"""The same client conversation, word for word, with the local server (Strawberry's own
graphql-transport-ws handler under uvicorn) and with the AWS deployment (the websocket function
behind the WebSocket API stand-in), both over the same moto tables: every reply must be the
same. Where the local server closes the socket with a code, the AWS deployment cannot (API
Gateway takes no close code): its last message names the code and the reason, then the socket
closes; that is what is compared.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from api.app import create_app
from api.identity import BearerIdentity
from infra.auth import verifier_for
from resolvers.status_hub import StatusHub
from tests.support.api_server import COMMAND_FIELDS, WAIT_S, ReadyServer, free_port
from tests.support.websocket_api import Socket
from tests.support.websocket_world import World, websocket_world

SUBSCRIPTION = f"subscription($id: ID!) {{ commandStatus(commandId: $id) {{ {COMMAND_FIELDS} }} }}"


@dataclass
class Commands:
    queued: str
    applied: str
    missing: str = "00000000-0000-4000-8000-000000000000"


@dataclass
class Both:
    world: World
    local_url: str
    commands: Commands


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Both]:
    with websocket_world(tmp_path_factory.mktemp("parity")) as world:
        world.api.settle = lambda: None  # every reply here comes from the message itself
        admin = world.admin_token()
        applied = world.create_group(admin)
        world.settle()
        commands = Commands(queued=world.create_group(admin), applied=applied)
        identity = BearerIdentity(verifier_for(world.settings))
        hub = StatusHub(read=world.aws.backend.commands.get)
        app = create_app(world.aws.backend, identity, world.settings, ws_auth=identity, hub=hub)
        port = free_port()
        server = ReadyServer(uvicorn.Config(app, port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        assert server.ready.wait(WAIT_S), "uvicorn did not start"
        try:
            yield Both(world, f"ws://127.0.0.1:{port}/graphql", commands)
        finally:
            server.should_exit = True
            thread.join(WAIT_S)


Step = tuple[str, Any]  # ("send", message) | ("bytes", data) | ("recv", how many)


def talk_local(url: str, steps: list[Step]) -> list[dict[str, Any]]:
    heard: list[dict[str, Any]] = []
    with connect(
        url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=WAIT_S
    ) as ws:
        for kind, value in steps:
            if kind == "send":
                ws.send(value if isinstance(value, str) else json.dumps(value))
            elif kind == "bytes":
                ws.send(value)
            else:
                heard += [_local_next(ws) for _ in range(value)]
    return heard


def _local_next(ws: ClientConnection) -> dict[str, Any]:
    try:
        message: dict[str, Any] = json.loads(ws.recv(WAIT_S))
    except ConnectionClosed as closed:
        assert closed.rcvd is not None
        return {"closed": closed.rcvd.code, "reason": closed.rcvd.reason}
    return message


def talk_aws(world: World, steps: list[Step]) -> list[dict[str, Any]]:
    socket = world.api.connect()
    assert isinstance(socket, Socket)
    heard: list[dict[str, Any]] = []
    for kind, value in steps:
        if kind == "send":
            socket.send(value)
        elif kind == "bytes":
            socket.send(value.decode(), binary=True)
        else:
            heard += [_aws_next(socket) for _ in range(value)]
    return heard


def _aws_next(socket: Socket) -> dict[str, Any]:
    message = socket.receive()
    if message["type"] == "error" and "closeCode" in message["payload"][0].get("extensions", {}):
        extensions = message["payload"][0]["extensions"]
        assert socket.closed_by_server, "a refusal must close the connection"
        return {"closed": extensions["closeCode"], "reason": message["payload"][0]["message"]}
    return message


def init(token: str | None) -> Step:
    return ("send", {"type": "connection_init", "payload": _auth(token)})


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def sub(command_id: str, query: str = SUBSCRIPTION, op: str = "1", **payload: Any) -> Step:
    body = {"query": query, "variables": {"id": command_id}, **payload}
    return ("send", {"id": op, "type": "subscribe", "payload": body})


def recv(count: int = 1) -> Step:
    return ("recv", count)


ALIASES = " ".join(f"a{i}: status" for i in range(21))


def of(selection: str) -> str:
    return f"subscription($id: ID!) {{ commandStatus(commandId: $id) {{ {selection} }} }}"


SCENARIOS: dict[str, Any] = {
    "no token": lambda c, a, u: [init(None), recv()],
    "a forged token": lambda c, a, u: [init("forged"), recv()],
    "subscribe before connection_ack": lambda c, a, u: [sub(c.queued), recv()],
    "connection_init twice": lambda c, a, u: [init(a), recv(), init(a), recv()],
    "ping": lambda c, a, u: [init(a), recv(), ("send", {"type": "ping"}), recv()],
    "not JSON": lambda c, a, u: [("send", "{nope"), recv()],
    "a binary frame": lambda c, a, u: [("bytes", b"{}"), recv()],
    "an unknown message type": lambda c, a, u: [init(a), recv(), ("send", {"type": "x"}), recv()],
    "subscribe without a query": lambda c, a, u: [
        init(a),
        recv(),
        ("send", {"id": "1", "type": "subscribe", "payload": {}}),
        recv(),
    ],
    "an unknown field": lambda c, a, u: [init(a), recv(), sub(c.queued, of("nope")), recv()],
    "more than 20 aliases": lambda c, a, u: [init(a), recv(), sub(c.queued, of(ALIASES)), recv()],
    "no value for $id": lambda c, a, u: [
        init(a),
        recv(),
        ("send", {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIPTION}}),
        recv(),
    ],
    "a missing command": lambda c, a, u: [init(a), recv(), sub(c.missing), recv()],
    "another user's command": lambda c, a, u: [init(u), recv(), sub(c.applied), recv()],
    "another user's unfinished command": lambda c, a, u: [
        init(u),
        recv(),
        sub(c.queued),
        recv(),
        ("send", {"type": "ping"}),
        recv(),
    ],
    "a finished command": lambda c, a, u: [init(a), recv(), sub(c.applied), recv(2)],
    "a reused operation id": lambda c, a, u: [
        init(a),
        recv(),
        sub(c.queued),
        recv(),
        sub(c.queued),
        recv(),
    ],
    "a completed operation's id, reused": lambda c, a, u: [
        init(a),
        recv(),
        sub(c.applied),
        recv(2),
        sub(c.applied),
        recv(2),
    ],
}


def raw_sub(**message: Any) -> Step:
    return ("send", {"type": "subscribe", **message})


MALFORMED: dict[str, Step] = {
    "payload null": raw_sub(id="1", payload=None),
    "payload not an object": raw_sub(id="1", payload=[SUBSCRIPTION]),
    "query not a string": raw_sub(id="1", payload={"query": ["subscription"]}),
    "variables not an object": raw_sub(id="1", payload={"query": SUBSCRIPTION, "variables": [1]}),
    "operationName not a string": raw_sub(
        id="1", payload={"query": SUBSCRIPTION, "operationName": 1}
    ),
    "extensions not an object": raw_sub(id="1", payload={"query": SUBSCRIPTION, "extensions": "x"}),
    "no id": raw_sub(payload={"query": SUBSCRIPTION}),
    "an id not a string": raw_sub(id=1, payload={"query": SUBSCRIPTION}),
}


@pytest.mark.parametrize("malformed", sorted(MALFORMED))
def test_a_malformed_subscribe_closes_the_socket_with_4400(both: Both, malformed: str) -> None:
    """graphql-transport-ws's rule for a message that is not one: close 4400, with a reason
    (the AWS deployment's last message names them), never an error from inside the server."""
    steps = [init(both.world.admin_token()), recv(), MALFORMED[malformed], recv()]
    local = talk_local(both.local_url, steps)
    assert local[1]["closed"] == 4400 and local[1]["reason"], local
    assert talk_aws(both.world, steps) == local


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_the_aws_deployment_answers_as_the_local_server(both: Both, scenario: str) -> None:
    admin = both.world.admin_token()
    user = both.world.user_token("auth0|parity-stranger")
    steps = SCENARIOS[scenario](both.commands, admin, user)
    local = talk_local(both.local_url, steps)
    assert talk_aws(both.world, steps) == local
    assert len(local) == sum(v for k, v in steps if k == "recv")


def test_a_refused_connection_says_why_before_it_closes(both: Both) -> None:
    """What a client of the AWS deployment sees for a bad token: an `error` naming the close
    code the protocol gives it, then the close (graphql-ws clients stop at once: a first
    message other than connection_ack is fatal to them)."""
    socket = both.world.api.connect()
    assert isinstance(socket, Socket)
    socket.init("forged")
    (refusal,) = socket.received()
    assert refusal == {
        "id": "connection",
        "type": "error",
        "payload": [
            {"message": "Forbidden", "extensions": {"code": "UNAUTHENTICATED", "closeCode": 4403}}
        ],
    }
    assert socket.closed_by_server and not socket.open


def test_queries_and_mutations_are_refused_on_the_websocket(both: Both) -> None:
    """The WebSocket API serves commandStatus only (the local server runs anything)."""
    socket = both.world.api.open(both.world.admin_token())
    socket.send({"id": "q", "type": "subscribe", "payload": {"query": "{ me { id } }"}})
    mutation = 'mutation { createGroup(input: {name: "n", description: "d"}) { commandId } }'
    socket.send({"id": "m", "type": "subscribe", "payload": {"query": mutation}})
    assert socket.received() == [
        {"id": "q", "type": "error", "payload": [{"message": "queries are not allowed"}]},
        {"id": "m", "type": "error", "payload": [{"message": "mutations are not allowed"}]},
    ]


@pytest.mark.parametrize(
    ("query", "operation_name"),
    [
        ("subscription { commandStatus(", None),
        (of(" ".join(["status"] * 2001)), None),
        (SUBSCRIPTION, "Elsewhere"),
    ],
    ids=["does not parse", "more than 2000 tokens", "names an operation it lacks"],
)
def test_a_document_that_cannot_run_gets_the_errors_http_gives_it(
    both: Both, query: str, operation_name: str | None
) -> None:
    """The AWS deployment answers with the errors HTTP gives, and the connection stays open.
    (The local server, like the graphql-ws reference server, closes the socket with 4400 and
    the same message: tests/e2e/test_api_subscription.py.)"""
    admin = both.world.admin_token()
    body = {"query": query, "variables": {"id": both.commands.queued}}
    if operation_name is not None:
        body["operationName"] = operation_name
    over_http = both.world.http.post(
        "/graphql", json=body, headers={"authorization": f"Bearer {admin}"}
    )
    expected = (
        over_http.json()["errors"]
        if over_http.status_code == 200
        else [{"message": over_http.text}]
    )
    socket = both.world.api.open(admin)
    socket.send({"id": "1", "type": "subscribe", "payload": body})
    assert socket.received() == [{"id": "1", "type": "error", "payload": expected}]
    socket.send({"type": "ping"})
    assert socket.received() == [{"type": "pong"}]


def test_a_subscription_over_the_cost_limit_is_refused_alike(
    both: Both, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both WebSocket paths run the API's schema, so its cost limit. No commandStatus document
    can cost more than a few nodes (a Command has no lists), so the limit is lowered here to
    show the rule applies there and answers as over HTTP."""
    monkeypatch.setattr("schema.cost.MAX_COST", 1)
    steps = [init(both.world.admin_token()), recv(), sub(both.commands.applied), recv()]
    local = talk_local(both.local_url, steps)
    (error,) = local[1]["payload"]
    assert local[1]["type"] == "error"
    assert error["extensions"] == {"code": "QUERY_TOO_COSTLY", "cost": 2, "maxCost": 1}
    assert talk_aws(both.world, steps) == local
