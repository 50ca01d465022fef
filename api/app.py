"""The Starlette app: GraphQL (queries, mutations, graphql-transport-ws subscriptions) on
/graphql, the AuthZEN evaluation endpoints (api/authzen.py), /healthz, and the local dev key's
JWKS. The same app runs under uvicorn locally and behind Mangum on Lambda; only the identity
source and the lifespan differ."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any, cast

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError, MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.websocket_origin import is_same_origin, normalize_origin
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET, UnsetType

from api import graphiql
from api.authzen import EVALUATION, EVALUATIONS, AuthZen
from api.graphql_http import (
    ACCEPTED,
    CONTENT_TYPES,
    GRAPHQL_RESPONSE,
    JSON,
    HttpError,
    is_request_error,
    json_body,
    negotiate,
    request_error_status,
    request_of,
)
from api.identity import BearerIdentity, IdentitySource
from api.transport_ws import TransportWS
from infra.auth import AuthError
from infra.settings import Settings
from internals.asgi import GraphQLFirst
from pipeline.ports import Backend
from resolvers.status_hub import StatusHub
from schema.build import SchemaOptions, build_schema
from schema.context import AppContext, Submitter

log = logging.getLogger("usermgmt.api")

CALLER = "usermgmt.caller"
MEDIA = "usermgmt.media_type"  # the response's media type, negotiated from Accept
REQUEST_ERROR = "usermgmt.request_error"  # the status of a response without `data`
# Over HTTP, queries (GET or POST) and mutations (POST only); subscriptions need a WebSocket.
OPERATIONS = {
    "GET": frozenset({OperationType.QUERY}),
    "POST": frozenset({OperationType.QUERY, OperationType.MUTATION}),
}
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
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        if not self._origin_allowed(scope):
            await _json(FORBIDDEN_ORIGIN, 403)(scope, receive, send)
            return
        if self._opens_ide(scope, receive):
            await super().__call__(scope, receive, send)
            return
        try:
            scope[CALLER] = self.identify(scope)
        except AuthError as exc:
            log.info("refused a request: %s", exc)
            response = _json(UNAUTHENTICATED, 401, {"www-authenticate": "Bearer"})
            await response(scope, receive, send)
            return
        media = negotiate(_header(scope, b"accept"))
        if media is None:
            message = f"this endpoint answers in {ACCEPTED}: accept one of them"
            await _refusal(HttpError(406, message, "NOT_ACCEPTABLE"), JSON)(scope, receive, send)
            return
        scope[MEDIA] = media
        try:
            response = await self.run(Request(scope, receive))
        except HttpError as error:
            response = _refusal(error, media)
        except HTTPException as error:  # Strawberry's own refusals (a method other than GET, POST)
            allow = {"allow": "GET, POST"} if error.status_code == 405 else {}
            response = _refusal(HttpError(error.status_code, error.reason, headers=allow), media)
        else:
            response.headers["content-type"] = CONTENT_TYPES[media]
            status = scope.get(REQUEST_ERROR)
            if status and media == GRAPHQL_RESPONSE:
                response.status_code = status
        await response(scope, receive, send)

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        """A well-formed request or HttpError (api/graphql_http.py): Strawberry's own parsing
        answers 500 to a body that is not a JSON object or not UTF-8."""
        if request.method == "GET":
            return request_of(_get_params(request.query_params))
        return request_of(json_body(request.content_type, await request.get_body()))

    async def execute_single(  # noqa: PLR0917 (Strawberry's signature)
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: AppContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Strawberry's, with subscriptions refused over HTTP (it would run one as a query and
        fail inside) and the specification's answers to an operation that cannot run."""
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=OPERATIONS[request_adapter.method],
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                raise self._subscription_over_http(request) from None
            raise HttpError(
                405,
                "mutations are not allowed over GET: send them with POST",
                "METHOD_NOT_ALLOWED",
                {"allow": "POST"},
            ) from None
        except (CannotGetOperationTypeError, MissingQueryError) as error:
            message = (
                error.as_http_error_reason()
                if isinstance(error, CannotGetOperationTypeError)
                else "the document is empty"
            )
            return ExecutionResult(data=None, errors=[GraphQLError(message)])

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """An operation that never ran (its document did not parse or validate) has no `data`,
        and under application/graphql-response+json its status says so."""
        response = process_result(result)
        if is_request_error(result.data, result.errors):
            del response["data"]
            request.scope[REQUEST_ERROR] = request_error_status(response.get("errors") or [])
        return response

    def _subscription_over_http(self, request: Request) -> HttpError:
        if self.ws_auth is None:  # on Lambda: API Gateway's WebSocket API serves them
            where = "the WebSocket API (the stack's output ServiceEndpointWebsocket)"
        else:
            scheme = "wss" if request.url.scheme == "https" else "ws"
            where = f"{scheme}://{request.url.netloc}{request.url.path}"
        message = (
            f"subscriptions are not served over HTTP: subscribe over a WebSocket to {where} "
            '(protocol graphql-transport-ws, the token in connection_init as {"Authorization": '
            '"Bearer <token>"})'
        )
        return HttpError(400, message, "SUBSCRIPTION_OVER_HTTP")

    async def render_graphql_ide(self, request: Request) -> Response:
        return graphiql.page(request)  # served from here, never from a CDN (api/graphiql.py)

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
        return cast(UnsetType, UNSET)  # strawberry types UNSET as Any

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

    authzen = AuthZen(backend.views, identify, graphql._origin_allowed)
    routes: list[Route | WebSocketRoute] = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/graphql", graphql),
        WebSocketRoute("/graphql", graphql),
        Route(EVALUATION, authzen.evaluation, methods=["POST"]),
        Route(EVALUATIONS, authzen.evaluations, methods=["POST"]),
    ]
    if settings.graphiql:
        routes.append(Route(graphiql.PREFIX + "{name}", graphiql.asset, methods=["GET"]))
        if absent := graphiql.missing():
            log.warning(graphiql.unavailable(absent).strip())
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


def _refusal(error: HttpError, media: str) -> Response:
    headers = {**error.headers, "content-type": CONTENT_TYPES[media]}
    return Response(error.body(), status_code=error.status, headers=headers)


def _get_params(query: Mapping[str, Any]) -> dict[str, Any]:
    """A GET's parameters, `variables` and `extensions` decoded from JSON."""
    params = {key: query.get(key) for key in ("query", "operationName")}
    for key in ("variables", "extensions"):
        value = query.get(key)
        if value:
            try:
                params[key] = json.loads(value)
            except (TypeError, json.JSONDecodeError):
                raise HttpError(400, f"`{key}` is not valid JSON") from None
    return params
