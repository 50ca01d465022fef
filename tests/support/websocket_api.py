"""API Gateway's WebSocket API, played for the tests: the events its routes hand the websocket
function ($connect with the handshake's headers, $default with each message, $disconnect), and
its Management API as the websocket and notifier functions call it.

moto has the Management API, but it appends every post to one byte string per connection (no
message boundaries), knows every connection id and never answers 410 GoneException. So the
functions are given a stand-in botocore client at their seam (infra.aws.management.ManagementApi
takes a client per callback URL): it keeps each message a client was sent, answers 410 for a
connection that is gone, and closes a connection as API Gateway does (DeleteConnection, then
the $disconnect route, once the function that asked has returned).
"""

from __future__ import annotations

import json
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from devtools.lambda_emulator import LambdaContext, LambdaHandler

DOMAIN = "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
STAGE = "test"
ENDPOINT = f"https://{DOMAIN}/{STAGE}"
PROTOCOL = "graphql-transport-ws"


class NothingReceived(AssertionError):
    """The client waited for a message and none came (the pipeline had nothing left to do)."""


@dataclass
class Socket:
    """A client's end of one connection."""

    api: WebSocketApi
    id: str
    inbox: deque[dict[str, Any]] = field(default_factory=deque)
    open: bool = True
    closed_by_server: bool = False

    def send(self, message: dict[str, Any] | str, *, binary: bool = False) -> None:
        body = message if isinstance(message, str) else json.dumps(message)
        self.api.invoke(self, "$default", body=body, binary=binary)

    def receive(self) -> dict[str, Any]:
        """The next message sent to this client; when none is waiting, the world moves on
        (`settle`: the pipeline runs until idle) before giving up."""
        if not self.inbox:
            self.api.settle()
        if not self.inbox:
            raise NothingReceived(f"connection {self.id} was sent nothing")
        return self.inbox.popleft()

    def received(self) -> list[dict[str, Any]]:
        """Everything sent to this client so far, and not read yet."""
        messages = list(self.inbox)
        self.inbox.clear()
        return messages

    def init(self, token: str | None) -> None:
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        self.send({"type": "connection_init", "payload": payload})

    def close(self) -> None:
        """The client goes away: API Gateway calls $disconnect."""
        if self.open:
            self.open = False
            self.api.invoke(self, "$disconnect")

    def vanish(self) -> None:
        """The socket dies and API Gateway's $disconnect never reaches the function."""
        self.open = False


class WebSocketApi:
    def __init__(self, function: LambdaHandler, settle: Callable[[], None] = lambda: None) -> None:
        self.function = function  # the websocket function's handler, built by the Lambda root
        self.settle = settle
        # Told of each post before it is delivered: to make something happen meanwhile, or to
        # fail the post (raise).
        self.on_post: Callable[[Socket, dict[str, Any]], None] | None = None
        self.sockets: dict[str, Socket] = {}
        self.calls: list[tuple[str, str]] = []  # (Management API operation, connection id)
        self._disconnects: list[Socket] = []

    # the client's side --------------------------------------------------------------------

    def connect(
        self, protocols: tuple[str, ...] = (PROTOCOL,), origin: str | None = None
    ) -> Socket | int:
        """A handshake through $connect: the open socket, or the HTTP status that refused it."""
        socket = Socket(self, f"{uuid.uuid4().hex[:14]}=")
        headers = {"Host": DOMAIN, "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "x"}
        if protocols:
            headers["Sec-WebSocket-Protocol"] = ", ".join(protocols)
        if origin is not None:
            headers["Origin"] = origin
        reply = self.function(_event(socket, "$connect", headers=headers), _context())
        if reply["statusCode"] != 200:
            return int(reply["statusCode"])
        assert reply["headers"]["Sec-WebSocket-Protocol"] == PROTOCOL, reply
        self.sockets[socket.id] = socket
        return socket

    def open(self, token: str | None) -> Socket:
        """Connected and initialised: connection_ack is read."""
        socket = self.connect()
        assert isinstance(socket, Socket)
        socket.init(token)
        assert socket.receive() == {"type": "connection_ack"}
        return socket

    def invoke(
        self, socket: Socket, route: str, body: str | None = None, binary: bool = False
    ) -> None:
        event = _event(socket, route, body=body, binary=binary)
        reply = self.function(event, _context())
        assert reply["statusCode"] == 200, reply
        while self._disconnects:  # API Gateway's $disconnect comes after the function returns
            self.invoke(self._disconnects.pop(0), "$disconnect")

    # the Management API, as the functions call it ------------------------------------------

    def client_for(self, endpoint: str) -> Management:
        assert endpoint == ENDPOINT, endpoint
        return Management(self)

    def posts(self) -> int:
        return sum(1 for operation, _ in self.calls if operation == "PostToConnection")


class Management:
    """The botocore apigatewaymanagementapi client's two calls the functions make."""

    def __init__(self, api: WebSocketApi) -> None:
        self.api = api

    def post_to_connection(self, ConnectionId: str, Data: bytes) -> dict[str, Any]:  # noqa: N803
        socket = self._live("PostToConnection", ConnectionId)
        message = json.loads(Data)
        if self.api.on_post is not None:
            self.api.on_post(socket, message)
        socket.inbox.append(message)
        return {}

    def delete_connection(self, ConnectionId: str) -> dict[str, Any]:  # noqa: N803
        socket = self._live("DeleteConnection", ConnectionId)
        socket.open = False
        socket.closed_by_server = True
        self.api._disconnects.append(socket)
        return {}

    def _live(self, operation: str, connection_id: str) -> Socket:
        self.api.calls.append((operation, connection_id))
        socket = self.api.sockets.get(connection_id)
        if socket is None or not socket.open:
            error = {"Code": "GoneException", "Message": "The connection is gone"}
            raise ClientError(
                {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 410}}, operation
            )
        return socket


def _event(
    socket: Socket,
    route: str,
    *,
    headers: dict[str, str] | None = None,
    body: str | None = None,
    binary: bool = False,
) -> dict[str, Any]:
    """An event as API Gateway's WebSocket API hands it to a Lambda proxy integration."""
    event_type = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
    event: dict[str, Any] = {
        "requestContext": {
            "routeKey": route,
            "eventType": event_type,
            "messageDirection": "IN",
            "connectionId": socket.id,
            "domainName": DOMAIN,
            "stage": STAGE,
            "apiId": DOMAIN.split(".", maxsplit=1)[0],
            "requestId": uuid.uuid4().hex,
            "connectedAt": 0,
            "identity": {"sourceIp": "192.0.2.1"},
        },
        "isBase64Encoded": binary,
    }
    if headers is not None:
        event["headers"] = headers
        event["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
    if route == "$default":
        event["requestContext"]["messageId"] = uuid.uuid4().hex
        event["body"] = body
    if route == "$disconnect":
        event["requestContext"]["disconnectStatusCode"] = 1000 if socket.closed_by_server else 1001
    return event


def _context() -> LambdaContext:
    return LambdaContext("websocket")


def throttled(operation: str = "PostToConnection") -> ClientError:
    """What the Management API answers a client sending too fast (429)."""
    error = {"Code": "LimitExceededException", "Message": "Rate exceeded"}
    return ClientError({"Error": error, "ResponseMetadata": {"HTTPStatusCode": 429}}, operation)
