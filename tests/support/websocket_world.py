"""The AWS deployment with its WebSocket API: the moto stack, the pollers (the notifier's
included), the GraphQL API behind the HTTP API stand-in for mutations, and the WebSocket API
stand-in (tests/support/websocket_api.py) for clients. Tokens come from a local authority."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from infra.auth import LocalAuthority, verifier_for
from infra.aws.backend import AwsBackend
from infra.aws.management import ManagementApi
from infra.settings import Settings, from_env
from tests.support.aws_functions import Aws, aws_harness
from tests.support.lambda_api import ApiGateway, routes
from tests.support.websocket_api import Socket, WebSocketApi

STATUS_QUERY = "subscription($id: ID!) { commandStatus(commandId: $id) { status } }"
CREATE_GROUP = """mutation($name: String!) {
  createGroup(input: {name: $name, description: "d"}) { commandId status } }"""


@dataclass
class World:
    aws: Aws
    api: WebSocketApi
    http: httpx.Client
    settings: Settings

    def admin_token(self) -> str:
        authority = LocalAuthority.ensure(self.settings.data_dir)
        return str(
            authority.mint(
                "local|admin",
                admin_claim=self.settings.admin_claim,
                admin_value=self.settings.admin_value,
            )
        )

    def user_token(self, sub: str) -> str:
        return str(LocalAuthority.ensure(self.settings.data_dir).mint(sub))

    def gql(self, query: str, token: str, **variables: Any) -> dict[str, Any]:
        reply = self.http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
        payload = reply.json()
        assert reply.status_code == 200 and not payload.get("errors"), payload
        data: dict[str, Any] = payload["data"]
        return data

    def create_group(self, token: str) -> str:
        """A createGroup mutation through the GraphQL function; its command id (QUEUED)."""
        receipt = self.gql(CREATE_GROUP, token, name=f"g-{uuid.uuid4().hex[:10]}")["createGroup"]
        assert receipt["status"] == "QUEUED"
        return str(receipt["commandId"])

    def settle(self) -> None:
        self.aws.pollers.run_until_idle()


def subscribe(
    socket: Socket, command_id: str, operation_id: str = "1", query: str = STATUS_QUERY
) -> None:
    payload = {"query": query, "variables": {"id": command_id}}
    socket.send({"id": operation_id, "type": "subscribe", "payload": payload})


def statuses(messages: list[dict[str, Any]]) -> list[str]:
    """What a client saw: each `next`'s status, then "complete" (or the message type)."""
    seen = []
    for message in messages:
        if message["type"] == "next":
            seen.append(message["payload"]["data"]["commandStatus"]["status"])
        else:
            seen.append(message["type"])
    return seen


@contextmanager
def websocket_world(
    data: Path,
    observer: Any = None,
    settings: Settings | None = None,
    connections: Callable[[AwsBackend], Any] | None = None,
) -> Iterator[World]:
    """`settings`: the API's (default: local dev settings, the key in `data`); `connections`:
    the WebSocket functions' connections table, made from the stack's backend."""
    settings = settings or replace(from_env({}), data_dir=data)
    apis: list[WebSocketApi] = []  # the gateway's client calls the API made below
    gateway = ManagementApi(lambda endpoint: apis[0].client_for(endpoint))
    verifier = verifier_for(settings)
    with aws_harness(
        observer,
        notifier=True,
        connections=connections,
        settings=settings,
        verifier=verifier,
        gateway=gateway,
    ) as aws:
        api = WebSocketApi(aws.functions.websocket, settle=aws.pollers.run_until_idle)
        apis.append(api)
        http_api = ApiGateway(routes(aws.stack.template), aws.functions)
        with httpx.Client(transport=http_api, base_url="https://api.usermgmt.test") as http:
            yield World(aws, api, http, settings)
