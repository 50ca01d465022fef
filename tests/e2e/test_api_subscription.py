"""commandStatus over graphql-transport-ws, on the local server and on the AWS deployment's
WebSocket API. The stepped tests move the local pipeline themselves (uvicorn serves the app in
a thread, no runner), so every status change can be watched as it happens; the AWS deployment's
own are in tests/aws/test_websocket_subscriptions.py."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin, Subprotocol

from api.app import create_app
from api.identity import BearerIdentity
from infra.auth import verifier_for
from infra.settings import Settings
from infra.sqlite import open_backend
from infra.sqlite.backend import EmbeddedBackend
from pipeline.command_stage import give_up_command, handle_command
from pipeline.delivery import pump
from pipeline.records import CommandError, CommandRecord, Status
from pipeline.runner import Runner
from resolvers.status_hub import StatusHub
from schema.cost import MAX_COST
from tests.support.api_server import WAIT_S, ReadyServer, Server, subscribe


class SteppedServer(Server):
    """The app under uvicorn in a thread, over a backend whose pipeline only the test moves."""

    backend: EmbeddedBackend

    def begin(self) -> SteppedServer:
        self.backend = open_backend(self.data)
        hub = StatusHub(read=self.backend.commands.get)
        self.backend.on_status(hub.notify)
        identity = BearerIdentity(verifier_for(Settings(data_dir=self.data)))

        @asynccontextmanager
        async def lifespan(_: Starlette) -> AsyncIterator[None]:
            hub.bind(asyncio.get_running_loop())
            yield

        app = create_app(
            self.backend, identity, Settings(), ws_auth=identity, hub=hub, lifespan=lifespan
        )
        config = uvicorn.Config(app, port=self.port, log_level="warning", lifespan="on")
        self.uvicorn = ReadyServer(config)
        self.thread = threading.Thread(target=self.uvicorn.run, daemon=True)
        self.thread.start()
        assert self.uvicorn.ready.wait(WAIT_S), "uvicorn did not start"
        return self

    def end(self) -> None:
        self.uvicorn.should_exit = True
        self.thread.join(WAIT_S)
        self.backend.close()

    def decide_commands(self) -> None:
        """Run the command stage only: QUEUED -> ACCEPTED or REJECTED."""
        backend = self.backend
        pump(
            backend,
            backend.command_queue,
            lambda body: handle_command(backend, body),
            lambda body, reason: give_up_command(backend, body, reason),
            100,
        )

    def finish(self) -> None:
        Runner(self.backend).run_until_idle()


@pytest.fixture
def stepped(tmp_path: Path) -> Iterator[SteppedServer]:
    server = SteppedServer(tmp_path / "data").begin()
    yield server
    server.end()


def next_message(ws: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.recv(WAIT_S))
    return message


def start(ws: Any, command_id: str) -> None:
    assert next_message(ws)["type"] == "connection_ack"
    query = (
        "subscription($id: ID!) { commandStatus(commandId: $id) { status version error { code } } }"
    )
    payload = {"query": query, "variables": {"id": command_id}}
    ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))


def status(message: dict[str, Any]) -> str:
    assert message["type"] == "next", message
    value: str = message["payload"]["data"]["commandStatus"]["status"]
    return value


CREATE_GROUP = """mutation($name: String!) { createGroup(input: {name: $name, description: "d"}) {
  commandId } }"""


def test_current_status_first_then_each_change_then_complete(stepped: SteppedServer) -> None:
    admin = stepped.admin_token()
    receipt = stepped.gql(CREATE_GROUP, admin, name="Ops")["createGroup"]
    with stepped.socket(admin) as ws:
        start(ws, receipt["commandId"])
        assert status(next_message(ws)) == "QUEUED"
        stepped.decide_commands()
        assert status(next_message(ws)) == "ACCEPTED"
        stepped.finish()
        assert status(next_message(ws)) == "APPLIED"
        assert next_message(ws) == {"id": "1", "type": "complete"}


def test_a_rejected_command_ends_the_subscription_with_its_error(stepped: SteppedServer) -> None:
    admin = stepped.admin_token()
    stepped.gql(CREATE_GROUP, admin, name="Ops")
    stepped.finish()
    receipt = stepped.gql(CREATE_GROUP, admin, name=" OPS ")["createGroup"]
    with stepped.socket(admin) as ws:
        start(ws, receipt["commandId"])
        assert status(next_message(ws)) == "QUEUED"
        stepped.finish()
        rejected = next_message(ws)
        assert status(rejected) == "REJECTED"
        assert rejected["payload"]["data"]["commandStatus"]["error"] == {"code": "DUPLICATE"}
        assert next_message(ws)["type"] == "complete"


def test_a_finished_command_yields_its_status_once_and_completes(
    server: Server, admin: str
) -> None:
    receipt = server.gql(CREATE_GROUP, admin, name=f"g-{uuid.uuid4().hex}")["createGroup"]
    first = server.follow(receipt["commandId"], admin)
    assert first[-1]["status"] == "APPLIED"
    assert [u["status"] for u in server.follow(receipt["commandId"], admin)] == ["APPLIED"]


def test_another_users_command_yields_nothing(server: Server, admin: str) -> None:
    owner = f"auth0|{uuid.uuid4().hex}"
    signup = {"email": f"{owner[6:]}@example.com", "firstName": "O", "lastName": "W"}
    mutation = "mutation($input: RegisterMeInput!) { registerMe(input: $input) { commandId } }"
    command_id = server.gql(mutation, server.user_token(owner), input=signup)["registerMe"][
        "commandId"
    ]
    stranger = server.user_token(f"auth0|{uuid.uuid4().hex}")
    assert server.follow(command_id, stranger) == []
    assert server.follow(str(uuid.uuid4()), stranger) == []
    assert server.follow(command_id, server.user_token(owner))[-1]["status"] == "APPLIED"


def test_a_socket_without_a_valid_token_is_closed(server: Server) -> None:
    """On AWS the code comes in the last message before the close (test_websocket_parity.py)."""
    for token in (None, "forged"):
        with server.socket(token) as ws, pytest.raises(ConnectionClosed) as closed:
            subscribe(ws, str(uuid.uuid4()))
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


@pytest.mark.local_only(
    "a real handshake; the $connect route's refusal is in tests/aws/test_websocket_subscriptions.py"
)
def test_a_browser_socket_from_a_foreign_origin_is_refused(server: Server) -> None:
    with pytest.raises(InvalidStatus) as refused:
        connect(
            server.ws_url,
            subprotocols=[Subprotocol("graphql-transport-ws")],
            origin=Origin("https://evil.example"),
            open_timeout=WAIT_S,
        )
    assert refused.value.response.status_code == 403
    reply = server.http.post(
        "/graphql", json={"query": "{ me { id } }"}, headers={"origin": "https://evil.example"}
    )
    assert reply.status_code == 403


@pytest.mark.local_only(
    "the graphql-ws reference server's answer; on AWS the socket gets `error` and stays open"
    " (tests/aws/test_websocket_parity.py)"
)
@pytest.mark.parametrize(
    ("query", "operation_name", "reason"),
    [
        ("subscription { commandStatus(", None, "Syntax Error"),
        (
            'subscription { commandStatus(commandId: "x") { status } }',
            "Elsewhere",
            'Unknown operation named "Elsewhere"',
        ),
    ],
    ids=["does not parse", "names an operation it lacks"],
)
def test_a_document_that_cannot_run_closes_the_socket_with_its_error(
    server: Server, query: str, operation_name: str | None, reason: str
) -> None:
    payload: dict[str, Any] = {"query": query}
    if operation_name is not None:
        payload["operationName"] = operation_name
    with server.socket(server.admin_token()) as ws, pytest.raises(ConnectionClosed) as closed:
        assert json.loads(ws.recv(WAIT_S))["type"] == "connection_ack"
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        ws.recv(WAIT_S)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400 and reason in closed.value.rcvd.reason


def test_a_fault_in_a_subscription_is_masked_and_logged_once(
    stepped: SteppedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Over the WebSocket as over HTTP: the client reads "Internal server error" (code
    INTERNAL) in a `next`, then `complete`; the log has the traceback, once. (A ValueError, as
    a codec raises: raised outside any field, that family used to pass for an input error.)"""
    stepped.backend.commands = BrokenCommands()
    with stepped.socket(stepped.admin_token()) as ws:
        start(ws, "c")
        masked = {"message": "Internal server error", "extensions": {"code": "INTERNAL"}}
        assert next_message(ws) == {
            "id": "1",
            "type": "next",
            "payload": {"data": None, "errors": [masked]},
        }
        assert next_message(ws) == {"id": "1", "type": "complete"}
    faults = [r for r in caplog.records if r.exc_info and "disk on fire" in str(r.exc_info[1])]
    assert len(faults) == 1


class BrokenCommands:
    """A command log whose every read and write fails."""

    def record(self, record: CommandRecord) -> CommandRecord:
        raise ValueError("disk on fire")

    def get(self, command_id: str) -> CommandRecord | None:
        raise ValueError("disk on fire")

    def about(self, aggregate_id: str, limit: int) -> list[CommandRecord]:
        raise ValueError("disk on fire")

    def advance(
        self,
        command_id: str,
        status: Status,
        at: datetime,
        version: int | None = None,
        error: CommandError | None = None,
    ) -> bool:
        raise ValueError("disk on fire")


def test_an_unexpected_error_in_a_subscription_is_masked(server: Server, admin: str) -> None:
    """A command id no store can hold (a lone surrogate) failed inside the server, and the
    client got the exception's own words. It gets the masked error HTTP gives (or, where the
    input rules refuse such a string first, BAD_USER_INPUT), in a `next`, then `complete`.
    The masking of any fault: test_a_fault_in_a_subscription_is_masked_and_logged_once."""
    with server.socket(admin) as ws:
        assert json.loads(ws.recv(WAIT_S))["type"] == "connection_ack"
        query = "subscription($id: ID!) { commandStatus(commandId: $id) { status } }"
        payload = {"query": query, "variables": {"id": "a\ud800"}}
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        reply = json.loads(ws.recv(WAIT_S))
        if reply["type"] == "error":  # refused before it ran: the protocol sends no complete
            (error,) = reply["payload"]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", error
            return
        assert json.loads(ws.recv(WAIT_S)) == {"id": "1", "type": "complete"}
    assert reply["type"] == "next" and reply["payload"]["data"] is None, reply
    (error,) = reply["payload"]["errors"]
    assert error == {"message": "Internal server error", "extensions": {"code": "INTERNAL"}}


COMMAND_STATUS = 'subscription { commandStatus(commandId: "x") { status } }'


@pytest.mark.parametrize(
    "message",
    [
        {"id": "1", "type": "subscribe", "payload": None},
        {"id": "1", "type": "subscribe", "payload": "query"},
        {"id": "1", "type": "subscribe", "payload": {"query": 1}},
        {"id": "1", "type": "subscribe", "payload": {"query": COMMAND_STATUS, "variables": [1]}},
        {"id": "1", "type": "subscribe", "payload": {"query": COMMAND_STATUS, "extensions": 1}},
        {"type": "subscribe", "payload": {"query": COMMAND_STATUS}},
    ],
    ids=[
        "payload null",
        "payload a string",
        "query a number",
        "variables a list",
        "extensions a number",
        "no id",
    ],
)
def test_a_malformed_subscribe_closes_the_socket_with_4400(
    server: Server, admin: str, message: dict[str, Any]
) -> None:
    """graphql-transport-ws's answer to a message that is not one (on AWS, named in the last
    message before the close: tests/aws/test_websocket_parity.py)."""
    with server.socket(admin) as ws, pytest.raises(ConnectionClosed) as closed:
        assert json.loads(ws.recv(WAIT_S))["type"] == "connection_ack"
        ws.send(json.dumps(message))
        ws.recv(WAIT_S)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4400, "Failed to parse message")


@pytest.mark.local_only(
    "the AWS WebSocket runs commandStatus only (tests/aws/test_websocket_parity.py shows its cost"
    " limit)"
)
def test_a_query_over_the_cost_limit_is_refused_on_the_websocket(
    server: Server, admin: str
) -> None:
    inner = "members(first: 100) { edges { cursor } }"
    members = f"members(first: 100) {{ edges {{ node {{ groups {{ {inner} }} }} }} }}"
    query = "{ " + " ".join(f'g{i}: group(id: "x") {{ {members} }}' for i in range(20)) + " }"
    with server.socket(admin) as ws:
        assert json.loads(ws.recv(WAIT_S))["type"] == "connection_ack"
        ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}}))
        reply = json.loads(ws.recv(WAIT_S))
    assert reply["type"] == "error", reply
    (error,) = reply["payload"]
    assert error["extensions"] == {
        "code": "QUERY_TOO_COSTLY",
        "cost": 4_004_020,
        "maxCost": MAX_COST,
    }
