"""Lambda: the GraphQL API, the same Starlette app as the local server, behind Mangum for
API Gateway HTTP API (payload 2.0) events. The caller comes from the authorizer's context
(handlers/authorizer.py); no token is verified here, so this package carries no cryptography.
Subscriptions are not served here: they need the WebSocket API.
"""

from __future__ import annotations

from typing import Any

from mangum import Mangum

from handlers import lambda_runtime
from handlers.app import create_app
from handlers.identity import AuthorizerIdentity

_adapters: dict[int, Mangum] = {}


@lambda_runtime.logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    response: dict[str, Any] = adapter()(event, context)
    return response


def adapter() -> Mangum:
    """Built on the first request of a container (and again if the backend is replaced)."""
    backend = lambda_runtime.backend()
    made = _adapters.get(id(backend))
    if made is None:
        app = create_app(backend, AuthorizerIdentity(), lambda_runtime.app_settings())
        _adapters.clear()
        made = _adapters[id(backend)] = Mangum(app, lifespan="off")
    return made
