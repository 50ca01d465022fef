"""API Gateway's Management API: what the backend may do to a client's WebSocket connection.

Post a message to it, or close it. A connection that is gone (the client left, or its socket
timed out) answers 410 GoneException: that is an outcome here, not an error, so callers can
forget the connection. There is no way to give a close code: DeleteConnection closes the socket
as API Gateway decides.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from infra.dynamodb.attributes import error_code

GONE = "GoneException"


class ManagementApi:
    def __init__(self, client_for: Callable[[str], Any]) -> None:
        # The API's callback URL (https://{domain}/{stage}) -> its Management API client.
        self.client_for = client_for

    def post(self, endpoint: str, connection_id: str, message: Mapping[str, Any]) -> bool:
        """Send one message (a JSON text frame); False when the connection is gone."""
        data = json.dumps(message, separators=(",", ":")).encode()
        try:
            self.client_for(endpoint).post_to_connection(ConnectionId=connection_id, Data=data)
        except Exception as exc:
            if error_code(exc) == GONE:
                return False
            raise
        return True

    def close(self, endpoint: str, connection_id: str) -> None:
        """Close the socket; API Gateway then calls the $disconnect route."""
        try:
            self.client_for(endpoint).delete_connection(ConnectionId=connection_id)
        except Exception as exc:
            if error_code(exc) != GONE:
                raise


def endpoint_of(request_context: Mapping[str, Any]) -> str:
    """The callback URL of the API and stage a WebSocket event came through, as AWS documents
    it for @connections: https://{domainName}/{stage}."""
    return f"https://{request_context['domainName']}/{request_context['stage']}"
