"""The Starlette app: GraphQL (queries, mutations, graphql-transport-ws subscriptions) on
/graphql, /healthz, and the local dev key's JWKS. The same app runs under uvicorn locally and
behind Mangum on Lambda; only the identity source and the lifespan differ."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.websocket_origin import is_same_origin, normalize_origin
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from api.identity import BearerIdentity, IdentitySource
from api.transport_ws import TransportWS
from infra.auth import AuthError
from infra.settings import Settings
from pipeline.ports import Backend
from resolvers.status_hub import StatusHub
from schema.build import SchemaOptions, build_schema
from schema.context import AppContext, Submitter

log = logging.getLogger("usermgmt.api")

CALLER = "usermgmt.caller"
UNAUTHENTICATED = json.dumps(
    {
        "errors": [
            {
                "message": "a valid bearer token is required",
                "extensions": {"code": "UNAUTHENTICATED"},
            }
        ]
    }
).encode()
FORBIDDEN_ORIGIN = json.dumps(
    {"errors": [{"message": "this origin is not allowed", "extensions": {"code": "FORBIDDEN"}}]}
).encode()


class GraphQLApp(GraphQL[AppContext, None]):
    """Strawberry's ASGI view, with authentication before anything is parsed: HTTP callers by
    the identity source (401 when it fails), WebSocket callers by their connection_init."""

    graphql_transport_ws_handler_class = TransportWS

    def __init__(
        self,
        backend: Backend,
        identify: IdentitySource,
        settings: Settings,
        ws_auth: BearerIdentity | None,
        hub: StatusHub | None,
        *,
        submitter: Submitter | None = None,
    ) -> None:
        options = SchemaOptions(
            introspection=settings.introspection, field_suggestions=settings.field_suggestions
        )
        super().__init__(
            build_schema(options),
            graphql_ide="graphiql" if settings.graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            allowed_origins=settings.allowed_origins,
        )
        self.backend = backend
        self.identify = identify
        self.ws_auth = ws_auth
        self.hub = hub
        self.submitter = submitter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if not self._origin_allowed(scope):
                await _json(FORBIDDEN_ORIGIN, 403)(scope, receive, send)
                return
            if not self._opens_ide(scope, receive):
                try:
                    scope[CALLER] = self.identify(scope)
                except AuthError as exc:
                    log.info("refused a request: %s", exc)
                    response = _json(UNAUTHENTICATED, 401, {"www-authenticate": "Bearer"})
                    await response(scope, receive, send)
                    return
        await super().__call__(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> AppContext:
        return AppContext(
            backend=self.backend,
            caller=request.scope.get(CALLER),
            hub=self.hub,
            submitter=self.submitter,
        )

    async def on_ws_connect(self, context: AppContext) -> UnsetType | dict[str, object] | None:
        params = context.connection_params
        header = params.get("Authorization") or params.get("authorization")
        if self.ws_auth is None:
            raise ConnectionRejectionError()
        try:
            context.caller = self.ws_auth.from_header(header if isinstance(header, str) else None)
        except AuthError as exc:
            log.info("refused a WebSocket connection: %s", exc)
            raise ConnectionRejectionError() from None
        return UNSET

    def _opens_ide(self, scope: Scope, receive: Receive) -> bool:
        """Exactly when Strawberry will answer with the IDE page and run nothing: its own test
        on the request as it will parse it (a percent-encoded `query` key is still a query)."""
        if not self.graphql_ide or scope["method"] != "GET":
            return False
        return self.should_render_graphql_ide(self.request_adapter_class(Request(scope, receive)))

    def _origin_allowed(self, scope: Scope) -> bool:
        """Clients without an Origin (not browsers) are accepted; browsers need the same origin
        or one of the allowed origins."""
        origin = _header(scope, b"origin")
        if origin is None or is_same_origin(origin, _header(scope, b"host")):
            return True
        if "*" in self.allowed_origins:
            return True
        return normalize_origin(origin) in self.allowed_origins


def create_app(
    backend: Backend,
    identify: IdentitySource,
    settings: Settings,
    *,
    ws_auth: BearerIdentity | None = None,
    hub: StatusHub | None = None,
    jwks: Mapping[str, Any] | None = None,
    lifespan: Any = None,
    submitter: Submitter | None = None,
) -> GraphQLFirst:
    """The ASGI app. `identify` authenticates HTTP requests (a BearerIdentity, or on Lambda the
    authorizer's context); `ws_auth` verifies the token of a WebSocket's connection_init;
    `jwks` is published at /.well-known/jwks.json (the local dev key only); `submitter`, when
    given, is how mutations submit commands (otherwise directly, on the request's own path)."""
    graphql = GraphQLApp(backend, identify, settings, ws_auth, hub, submitter=submitter)

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    routes: list[Route | WebSocketRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/graphql", graphql),
        WebSocketRoute("/graphql", graphql),
    ]
    if jwks is not None:
        body = json.dumps(jwks).encode()

        async def published_jwks(_: Request) -> Response:
            return Response(body, media_type="application/json")

        routes.append(Route("/.well-known/jwks.json", published_jwks, methods=["GET"]))
    cors = _cors(settings.allowed_origins)
    rest = Starlette(routes=routes, middleware=cors, lifespan=lifespan)
    direct: ASGIApp = graphql
    for layer in reversed(cors):
        direct = layer.cls(direct, *layer.args, **layer.kwargs)
    return GraphQLFirst(direct, rest)


class GraphQLFirst:
    """HTTP requests to /graphql go straight to the GraphQL view (behind CORS when it is on),
    everything else (WebSockets, the lifespan, other paths) through Starlette. Its routing and
    error middleware cost about 25 µs of every GraphQL request and do nothing for it: the view
    answers its own errors."""

    def __init__(self, graphql: ASGIApp, rest: Starlette) -> None:
        self.graphql = graphql
        self.rest = rest

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/graphql" and not scope.get("root_path"):
            await self.graphql(scope, receive, send)
        else:
            await self.rest(scope, receive, send)


def _cors(origins: Sequence[str]) -> list[Middleware]:
    if not origins:
        return []
    return [
        Middleware(
            CORSMiddleware,
            allow_origins=list(origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type"],
            max_age=600,
        )
    ]


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _json(body: bytes, status: int, headers: Mapping[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type="application/json", headers=headers)
