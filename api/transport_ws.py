"""graphql-transport-ws on the local server: Strawberry's handler, with the protocol's rule for
a subscribe message that is not one (close 4400 with the reason, as the graphql-ws reference
server and the AWS deployment's websocket function do) where Strawberry's own handler would
fail inside (an abnormal close and a traceback for a null payload) or run it anyway (a `next`
with INTERNAL for variables that are a list)."""

from __future__ import annotations

from typing import Any

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from lambda_runtime.websocket.protocol import Refusal, operation_of


class TransportWS(BaseGraphQLTransportWSHandler[Any, None]):
    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        try:
            operation_of(dict(message))
        except Refusal as refusal:
            await self.websocket.close(code=refusal.code, reason=refusal.reason)
            return
        await super().handle_subscribe(message)
