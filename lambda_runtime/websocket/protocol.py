"""graphql-transport-ws, the protocol graphql-ws clients speak: the messages the server reads
and writes, and the refusals that end a connection, with the close codes and reasons Strawberry's
own handler gives them on the local server.

API Gateway cannot close a socket with a code of our choosing (DeleteConnection closes it as it
decides), so a refusal is also told in a last message before the close: an `error` whose one
error carries the reason, `extensions.code` and the `closeCode` the local server would use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

PROTOCOL = "graphql-transport-ws"
MAX_ID = 128  # an operation id is stored as part of a key; clients send UUIDs

ACK: dict[str, Any] = {"type": "connection_ack"}
PONG: dict[str, Any] = {"type": "pong"}


class Refusal(Exception):
    """The connection must close: `code` and `reason` as graphql-transport-ws defines them."""

    def __init__(self, code: int, reason: str, operation_id: str | None = None) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason
        self.operation_id = operation_id


def bad_request(reason: str = "Failed to parse message") -> Refusal:
    return Refusal(4400, reason)


UNAUTHORIZED = 4401  # subscribe before connection_ack
FORBIDDEN = 4403  # connection_init without a valid token
DUPLICATE = 4409
TOO_MANY_INITIALISATIONS = 4429
INTERNAL = 4500


@dataclass(frozen=True)
class Operation:
    """A subscribe message: the client's operation id and its GraphQL request."""

    id: str
    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None


def parse(body: str | None, binary: bool) -> dict[str, Any]:
    """One message of the socket; a Refusal (4400) when it is not one."""
    if binary:
        raise bad_request("WebSocket message type must be text")
    try:
        message = json.loads(body or "")
    except ValueError:
        raise bad_request("WebSocket message must be valid JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise bad_request()
    return message


def operation_of(message: dict[str, Any]) -> Operation:
    """A subscribe message's operation; a Refusal (4400) when the message is not one: an id
    that is not a non-empty string, a payload that is not an object, a query that is not a
    string, variables or extensions that are not an object, an operationName not a string.
    The local server applies the same rule (api/transport_ws.py)."""
    operation_id = operation_id_of(message)
    payload = message.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        raise bad_request()
    variables = payload.get("variables")
    name = payload.get("operationName")
    if variables is not None and not isinstance(variables, dict):
        raise bad_request()
    if name is not None and not isinstance(name, str):
        raise bad_request()
    extensions = payload.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise bad_request()
    return Operation(operation_id, payload["query"], variables, name)


def operation_id_of(message: dict[str, Any]) -> str:
    operation_id = message.get("id")
    if not isinstance(operation_id, str) or not operation_id or len(operation_id) > MAX_ID:
        raise bad_request()
    return operation_id


def next_message(operation_id: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"id": operation_id, "type": "next", "payload": payload}


def error_message(operation_id: str, errors: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": operation_id, "type": "error", "payload": errors}


def complete_message(operation_id: str) -> dict[str, Any]:
    return {"id": operation_id, "type": "complete"}


def refusal_message(refusal: Refusal) -> dict[str, Any]:
    """The last message before a refused connection closes. Its id is the operation's when an
    operation was refused, else "connection"."""
    code = "UNAUTHENTICATED" if refusal.code in (UNAUTHORIZED, FORBIDDEN) else "BAD_REQUEST"
    if refusal.code == INTERNAL:
        code = "INTERNAL"
    error = {"message": refusal.reason, "extensions": {"code": code, "closeCode": refusal.code}}
    return error_message(refusal.operation_id or "connection", [error])
