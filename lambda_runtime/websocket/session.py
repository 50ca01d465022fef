"""One client connection as the websocket function sees it, one message at a time: Lambda keeps
nothing between messages, so what the connection is (initialised, by whom, with which
subscriptions) lives in the connections table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.auth import AuthError, TokenVerifier, bearer_token
from infra.dynamodb.connections import Connection
from lambda_runtime.log import logger
from lambda_runtime.websocket import protocol
from lambda_runtime.websocket.protocol import Refusal
from lambda_runtime.websocket.push import Outlet


@dataclass(frozen=True)
class Session:
    connection_id: str
    endpoint: str  # the API's callback URL, https://{domain}/{stage}
    outlet: Outlet
    lease_ms: int  # how long a lease taken now may last: past this invocation's end

    def post(self, message: dict[str, Any]) -> bool:
        return self.outlet.post(self.endpoint, self.connection_id, message)

    def close(self, refusal: Refusal) -> None:
        """Tell the client why, then close: API Gateway takes no close code (see protocol)."""
        logger.info(
            "closing a connection", extra={"close_code": refusal.code, "reason": refusal.reason}
        )
        if self.post(protocol.refusal_message(refusal)):
            self.outlet.gateway.close(self.endpoint, self.connection_id)
            self.outlet.store.drop(self.connection_id)

    def initialise(self, message: dict[str, Any], verifier: TokenVerifier) -> None:
        """connection_init: the token in its payload, then connection_ack (once only)."""
        payload = message.get("payload") or {}
        if not isinstance(payload, dict):
            raise protocol.bad_request("Invalid connection init payload")
        header = payload.get("Authorization") or payload.get("authorization")
        try:
            identity = verifier.verify(bearer_token(header if isinstance(header, str) else None))
        except AuthError as exc:
            logger.info("refused a WebSocket connection", extra={"reason": str(exc)})
            raise Refusal(protocol.FORBIDDEN, "Forbidden") from None
        connection = Connection(self.connection_id, self.endpoint, identity.sub, identity.admin)
        if not self.outlet.store.open(connection):
            raise Refusal(protocol.TOO_MANY_INITIALISATIONS, "Too many initialisation requests")
        self.post(protocol.ACK)

    def complete(self, message: dict[str, Any]) -> None:
        """The client stops a subscription: nothing more is sent for it."""
        self.outlet.store.end(self.connection_id, protocol.operation_id_of(message))
