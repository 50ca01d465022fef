"""Lambda: the GraphQL API, the same Starlette app as the local server, behind Mangum for
API Gateway HTTP API (payload 2.0) events. The caller comes from the authorizer's context
(handlers/authorizer.py); no token is verified here, so this package carries no cryptography.
Subscriptions are not served here: they need the WebSocket API.

The cyclic garbage collector is off from the first import to the end of the container's first
request (internals/coldstart.py).
"""

from __future__ import annotations

import internals.coldstart  # first: it turns the collector off for the imports below

# isort: split
from typing import TYPE_CHECKING, Any

from mangum import Mangum

from api.app import create_app
from api.identity import AuthorizerIdentity
from lambda_runtime import container as lambda_runtime
from pipeline.ports import Backend
from pipeline.records import CommandRecord
from pipeline.submit import submit

if TYPE_CHECKING:
    from domain.commands import Command

_adapters: dict[int, Mangum] = {}


@lambda_runtime.logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        response: dict[str, Any] = adapter()(event, context)
    finally:
        internals.coldstart.started()
    return response


def adapter() -> Mangum:
    """Built on the first request of a container (and again if the backend is replaced)."""
    backend = lambda_runtime.backend()
    made = _adapters.get(id(backend))
    if made is None:
        app = create_app(
            backend,
            AuthorizerIdentity(),
            lambda_runtime.app_settings(),
            submitter=LoggedSubmit(backend),
        )
        _adapters.clear()
        made = _adapters[id(backend)] = Mangum(app, lifespan="off")
    return made


class LoggedSubmit:
    """Mutations submit as they do locally (on the request's own path), and each command
    submitted is one JSON line carrying its id, where its trail across the functions starts."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def __call__(
        self, command: Command, actor: str, admin: bool, command_id: str | None
    ) -> CommandRecord:
        record = submit(self.backend, command, actor, admin, command_id)
        with lambda_runtime.command_keys(record.id):
            lambda_runtime.logger.info(
                "submitted", extra={"command": record.name, "status": record.status.value}
            )
        return record
