"""Lambda: the WebSocket API's routes (lambda_runtime/websocket/routes.py)."""

from typing import Any

from lambda_runtime.bootstrap import from_environment


def handler(event: dict[str, Any], context: Any) -> Any:
    return from_environment().websocket(event, context)
