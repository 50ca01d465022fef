"""Lambda: the GraphQL API, the same Starlette app as the local server, behind Mangum for
API Gateway HTTP API (payload 2.0) events. The caller comes from the authorizer's context
(handlers/authorizer.py); no token is verified here, so this package carries no cryptography.
Subscriptions are not served here: they need the WebSocket API.

A cold start makes about 130,000 objects that live as long as the container (modules, the
schema, botocore's service models), and the cyclic garbage collector would scan them again and
again while they are made: about 40 ms of a 470 ms cold start, measured. So it is off from the
first line of this module to the end of the container's first request; what is alive then is
frozen (moved out of the collector's sight for good, which also spares later requests' full
collections) and the collector turned back on. The start's own cyclic garbage, about 2,000
objects, stays for the container's life.
"""

from __future__ import annotations

import gc

gc.disable()  # before the imports below, which are most of the cold start

from typing import TYPE_CHECKING, Any  # noqa: E402

from mangum import Mangum  # noqa: E402
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES  # noqa: E402

from api.app import create_app  # noqa: E402
from api.graphql_http import GRAPHQL_RESPONSE  # noqa: E402
from api.identity import AuthorizerIdentity  # noqa: E402
from lambda_runtime import container as lambda_runtime  # noqa: E402
from pipeline.ports import Backend  # noqa: E402
from pipeline.records import CommandRecord  # noqa: E402
from pipeline.submit import submit  # noqa: E402

if TYPE_CHECKING:
    from domain.commands import Command

_adapters: dict[int, Mangum] = {}


@lambda_runtime.logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        response: dict[str, Any] = adapter()(event, context)
    finally:
        _started()
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
        # The GraphQL media type is text too: sent as it is, not base64 encoded.
        text = [*DEFAULT_TEXT_MIME_TYPES, GRAPHQL_RESPONSE]
        made = _adapters[id(backend)] = Mangum(app, lifespan="off", text_mime_types=text)
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


def _started() -> None:
    """The end of the cold start (see above): freeze what it made, collect from now on."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
