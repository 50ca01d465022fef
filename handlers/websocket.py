"""Lambda entry point: the WebSocket API's routes (lambda_runtime/websocket/)."""

from lambda_runtime.websocket.routes import handler

__all__ = ["handler"]
