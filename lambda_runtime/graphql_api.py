"""The GraphQL function's app: the same Starlette app as the local server, behind Mangum for API
Gateway HTTP API (payload 2.0) events. The caller comes from the authorizer's context
(lambda_runtime/authorizer.py); no token is verified here, so this package carries no
cryptography. Subscriptions are not served here: they need the WebSocket API."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

from api.app import create_app
from api.graphql_http import GRAPHQL_RESPONSE
from api.identity import AuthorizerIdentity
from lambda_runtime.log import command_keys, logger
from pipeline.ports import Backend
from pipeline.records import CommandRecord
from pipeline.submit import submit

if TYPE_CHECKING:
    from domain.commands import Command
    from infra.settings import Settings


def graphql_adapter(backend: Backend, settings: Settings) -> Mangum:
    """A Lambda handler: the app over `backend`, each command submitted logged."""
    app = create_app(backend, AuthorizerIdentity(), settings, submitter=LoggedSubmit(backend))
    # The GraphQL media type is text too: sent as it is, not base64 encoded.
    text = [*DEFAULT_TEXT_MIME_TYPES, GRAPHQL_RESPONSE]
    return Mangum(app, lifespan="off", text_mime_types=text)


class LoggedSubmit:
    """Mutations submit as they do locally (on the request's own path), and each command
    submitted is one JSON line carrying its id, where its trail across the functions starts."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    async def __call__(
        self, command: Command, actor: str, admin: bool, command_id: str | None
    ) -> CommandRecord:
        record = submit(self.backend, command, actor, admin, command_id)
        with command_keys(record.id):
            logger.info("submitted", extra={"command": record.name, "status": record.status.value})
        return record
