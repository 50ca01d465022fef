"""The AWS deployment of the end-to-end suite: the real GraphQL and authorizer Lambda handlers
behind a stand-in for API Gateway's HTTP API (the routes, the Lambda authorizer and payload 2.0
events, as serverless.yml declares them), the real websocket and notifier functions behind a
stand-in for its WebSocket API (tests/support/websocket_api.py), with the pipeline on moto run
by the pollers that play the event source mappings. Tokens come from a local authority, as on
the local server."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
from websockets.exceptions import ConnectionClosedError
from websockets.frames import Close

from devtools.lambda_emulator import LambdaContext, Pollers
from devtools.lambda_emulator.bootstrap import build
from infra.auth import verifier_for
from infra.aws import resources
from infra.aws.management import ManagementApi
from infra.settings import from_env
from lambda_runtime.bootstrap import LambdaFunctions
from pipeline.ports import Backend
from tests.support.api_server import Server
from tests.support.aws_deployment import REGION, moto_stack
from tests.support.websocket_api import NothingReceived, Socket, WebSocketApi

HOST = "api.usermgmt.test"


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    authorized: bool


class ApiGateway(httpx.BaseTransport):
    """An HTTP API: match a route, run its Lambda authorizer (simple response), then the
    function, each with the event API Gateway would send."""

    def __init__(self, routes: list[Route], functions: LambdaFunctions) -> None:
        self.routes = {(r.method, r.path): r for r in routes}
        self.functions = functions  # the authorizer's and the GraphQL function's handlers

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        route = self.routes.get((request.method, request.url.path))
        if route is None:
            return httpx.Response(404, json={"message": "Not Found"})
        event = _event(request, route)
        if route.authorized:
            verdict = self.functions.authorizer(
                _authorizer_event(event), LambdaContext("authorizer")
            )
            if not verdict.get("isAuthorized"):
                return httpx.Response(403, json={"message": "Forbidden"})
            event["requestContext"]["authorizer"] = {"lambda": verdict.get("context", {})}
        reply = self.functions.graphql_api(event, LambdaContext("graphqlApi"))
        body = reply.get("body") or ""
        content = base64.b64decode(body) if reply.get("isBase64Encoded") else body.encode()
        headers = list((reply.get("headers") or {}).items())
        headers += [("set-cookie", cookie) for cookie in reply.get("cookies") or []]
        return httpx.Response(reply["statusCode"], headers=headers, content=content)


def _event(request: httpx.Request, route: Route) -> dict[str, Any]:
    headers: dict[str, str] = {}
    for raw_name, value in request.headers.multi_items():
        name = raw_name.lower()
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    body = request.read()
    now = time.time()
    route_key = f"{route.method} {route.path}"
    return {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.url.path,
        "rawQueryString": request.url.query.decode(),
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api",
            "domainName": HOST,
            "domainPrefix": "api",
            "http": {
                "method": request.method,
                "path": request.url.path,
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": base64.b64encode(body).decode() if body else None,
        "isBase64Encoded": bool(body),
    }


def _authorizer_event(event: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "2.0",
        "type": "REQUEST",
        "routeArn": f"arn:aws:execute-api:{REGION}:123456789012:api/$default/{event['routeKey']}",
        "identitySource": [],
        "routeKey": event["routeKey"],
        "rawPath": event["rawPath"],
        "rawQueryString": event["rawQueryString"],
        "headers": event["headers"],
        "requestContext": event["requestContext"],
    }


def routes(template: resources.Template) -> list[Route]:
    declared = [e["httpApi"] for e in template.functions["graphqlApi"]["events"]]
    return [Route(e["method"], e["path"], "authorizer" in e) for e in declared]


class LambdaSocket:
    """A client's WebSocket, as the suite uses websockets' (send and recv text), on the WebSocket
    API stand-in. Waiting for a message runs the pipeline until it is idle. A refusal (the last
    message before API Gateway closes the socket names the close code the protocol gives it) is
    read as the close it stands for, as a client of the deployed API may read it."""

    def __init__(self, socket: Socket) -> None:
        self.socket = socket

    def send(self, text: str) -> None:
        self.socket.send(text)

    def recv(self, timeout: float | None = None) -> str:
        try:
            message = self.socket.receive()
        except NothingReceived:
            if self.socket.closed_by_server:
                raise ConnectionClosedError(Close(1000, ""), None) from None
            raise TimeoutError("nothing was sent to this socket") from None
        close = _refusal(message)
        if close is not None and self.socket.closed_by_server:
            raise ConnectionClosedError(close, None)
        return json.dumps(message)


def _refusal(message: dict[str, Any]) -> Close | None:
    if message.get("type") != "error":
        return None
    (error,) = message["payload"][:1] or [{}]
    code = (error.get("extensions") or {}).get("closeCode")
    return Close(code, error["message"]) if code is not None else None


@dataclass
class LambdaApi(Server):
    """The suite's Server, reached through API Gateway events instead of sockets."""

    pollers: Pollers | None = None
    gateway: ApiGateway | None = None
    websockets: WebSocketApi | None = None
    backend: Backend | None = None  # the stack's, on moto

    @property
    def url(self) -> str:
        return f"https://{HOST}"

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(transport=self.gateway, base_url=self.url)
        return self._http

    @contextmanager
    def socket(self, token: str | None) -> Iterator[LambdaSocket]:  # type: ignore[override]
        assert self.websockets is not None
        socket = self.websockets.connect()
        assert isinstance(socket, Socket), f"the handshake was refused: {socket}"
        socket.init(token)
        try:
            yield LambdaSocket(socket)
        finally:
            socket.close()

    def start(self) -> Server:
        raise NotImplementedError("the AWS deployment has no server process")

    @contextmanager
    def store(self) -> Iterator[Backend]:
        assert self.backend is not None
        yield self.backend


@contextmanager
def lambda_api(data: Path) -> Iterator[LambdaApi]:
    settings = replace(from_env({}), data_dir=data)  # local dev settings and key
    apis: list[WebSocketApi] = []  # the Management API's client calls the API made below
    gateway = ManagementApi(lambda endpoint: apis[0].client_for(endpoint))
    with moto_stack() as stack:
        emulator = build(
            stack.backend,
            stack.template,
            settings,
            retry_base_s=0,
            notifier=True,
            verifier=verifier_for(settings),
            gateway=gateway,
        )
        functions, pollers = emulator.functions, emulator.pollers
        websockets = WebSocketApi(functions.websocket, settle=pollers.run_until_idle)
        apis.append(websockets)
        yield LambdaApi(
            data=data,
            pollers=pollers,
            gateway=ApiGateway(routes(stack.template), functions),
            websockets=websockets,
            backend=stack.backend,
        )
