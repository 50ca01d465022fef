"""Lambda: the WebSocket API's routes, one event per client message.

$connect: agree on graphql-transport-ws (the subprotocol header is echoed, or the handshake is
refused with 400) and refuse browsers from origins not allowed (403); no token yet: it comes in
connection_init. $default: every protocol message (routes/session/subscribe). $disconnect:
forget the connection and its subscriptions. Replies go through the Management API, never in
the route's response: a WebSocket API sends a route's response only when a route response is
configured, and graphql-transport-ws needs more than one reply per message anyway.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infra.aws.management import endpoint_of
from lambda_runtime.log import logger
from lambda_runtime.websocket import protocol
from lambda_runtime.websocket.protocol import INTERNAL, PROTOCOL, Refusal
from lambda_runtime.websocket.push import Outlet, lease_duration_ms
from lambda_runtime.websocket.session import Session
from lambda_runtime.websocket.subscribe import subscribe
from pipeline.ports import Backend

if TYPE_CHECKING:
    import strawberry

    from infra.auth import TokenVerifier

OK = {"statusCode": 200}


@dataclass(frozen=True)
class WebSocketRoutes:
    """A Lambda handler: one client message. What only some messages need is made on first
    use (the verifier for connection_init, the schema for subscribe)."""

    backend: Backend
    outlet: Callable[[], Outlet]
    verifier: Callable[[], TokenVerifier]
    schema: Callable[[], strawberry.Schema]
    allowed_origins: tuple[str, ...] = ()

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        request = event["requestContext"]
        route = request.get("routeKey")
        logger.thread_safe_append_keys(connection_id=request.get("connectionId"), route=route)
        if route == "$connect":
            return connect(event, self.allowed_origins)
        session = Session(
            connection_id=request["connectionId"],
            endpoint=endpoint_of(request),
            outlet=self.outlet(),
            lease_ms=lease_duration_ms(context),
        )
        if route == "$disconnect":
            session.outlet.store.drop(session.connection_id)
        else:
            self.receive(session, event)
        return OK

    def receive(self, session: Session, event: dict[str, Any]) -> None:
        try:
            message = protocol.parse(event.get("body"), bool(event.get("isBase64Encoded")))
            kind = message["type"]
            if kind == "connection_init":
                session.initialise(message, self.verifier())
            elif kind == "ping":
                session.post(protocol.PONG)
            elif kind == "subscribe":
                operation = protocol.operation_of(message)
                subscribe(session, operation, self.backend, self.schema())
            elif kind == "complete":
                session.complete(message)
            elif kind != "pong":
                raise protocol.bad_request(f"Unknown message type: {kind}")
        except Refusal as refusal:
            session.close(refusal)
        except Exception:
            logger.exception("could not handle a WebSocket message")
            session.close(Refusal(INTERNAL, "Internal server error"))


def connect(event: dict[str, Any], allowed_origins: tuple[str, ...]) -> dict[str, Any]:
    headers = {name.lower(): value for name, value in (event.get("headers") or {}).items()}
    offered = [p.strip() for p in (headers.get("sec-websocket-protocol") or "").split(",")]
    if PROTOCOL not in offered:
        logger.info("refused a WebSocket without graphql-transport-ws", extra={"offered": offered})
        return {"statusCode": 400}
    if not _origin_allowed(headers.get("origin"), allowed_origins):
        logger.info(
            "refused a WebSocket from a foreign origin", extra={"origin": headers["origin"]}
        )
        return {"statusCode": 403}
    return {**OK, "headers": {"Sec-WebSocket-Protocol": PROTOCOL}}


def _origin_allowed(origin: str | None, allowed: tuple[str, ...]) -> bool:
    """Clients that send no Origin (not browsers) are accepted; browsers need an allowed one,
    as on the local server (API Gateway has no CORS for WebSockets)."""
    if origin is None:
        return True
    from strawberry.http.websocket_origin import normalize_origin

    if "*" in allowed:
        return True
    normalized = normalize_origin(origin)
    return normalized is not None and normalized in {normalize_origin(a) for a in allowed}
