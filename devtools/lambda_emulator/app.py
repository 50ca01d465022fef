"""`usermgmt serve --backend aws`: the emulator runtime's root. The local server's app over a
stage's DynamoDB tables and SQS queues stands in for the GraphQL function, and the worker
functions run in this process, fed by pollers on threads (bootstrap.py).

As on Lambda, each stand-in function logs under its own name and a request id of its own per
invocation (lambda_runtime/log.py keeps those keys per thread and per task): the HTTP app's
requests as the graphqlApi function, so one command can be followed from its `submitted` line
to the executor's `handled`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from api.app import create_app
from api.identity import BearerIdentity
from devtools.lambda_emulator import bootstrap
from devtools.lambda_emulator.lambda_context import LambdaContext
from devtools.lambda_emulator.stream import Checkpoint
from infra.auth import LocalAuthority, verifier_for
from infra.aws import open_backend, resources
from infra.aws.clients import Clients
from infra.settings import Settings, for_stage, from_env, retry_base_s_from_env
from lambda_runtime.graphql_api import LoggedSubmit
from lambda_runtime.log import invocation
from local_server.bootstrap import settle_heap
from local_server.console import with_console
from pipeline.ports import CommandLog
from pipeline.records import CommandError, CommandRecord, Status
from resolvers.status_hub import StatusHub


def aws_app(
    data_dir: Path,
    stage: str,
    settings: Settings | None = None,
    *,
    create_resources: bool = False,
) -> ASGIApp:
    """The app over `stage`'s AWS resources, the worker handlers run by pollers in threads."""
    settings = replace(settings or from_env(), data_dir=data_dir)
    jwks = LocalAuthority.ensure(data_dir).jwks() if settings.local else None
    identity = BearerIdentity(verifier_for(settings))
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
    template = resources.read(stage, region)
    clients = Clients(region)
    if create_resources:
        resources.ensure_all(template, clients)
    # Long polling saves requests to a real account; a moto_server may want 0.
    wait_s = int(os.environ.get("USERMGMT_POLL_WAIT_S", "2"))
    aws = replace(for_stage(stage, region=region), retry_base_s=retry_base_s_from_env())
    opened = open_backend(aws, clients)
    hub = StatusHub(read=opened.commands.get)
    # The handlers in this process report each status change they make to subscriptions.
    backend = replace(opened, commands=NotifyingCommands(opened.commands, hub.notify))
    data_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = Checkpoint(data_dir / f"stream-checkpoint-{stage}.json")
    emulator = bootstrap.build(backend, template, settings, wait_s=wait_s, checkpoint=checkpoint)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        emulator.pollers.start()
        settle_heap()
        try:
            yield
        finally:
            emulator.pollers.stop()

    app = create_app(
        emulator.backend,
        identity,
        settings,
        ws_auth=identity,
        hub=hub,
        jwks=jwks,
        lifespan=lifespan,
        submitter=LoggedSubmit(emulator.backend),
    )
    return AsFunction(with_console(app, settings), f"{template.service}-{stage}-graphqlApi")


class AsFunction:
    """An ASGI app whose every request (or WebSocket) logs as one invocation of `function`."""

    def __init__(self, app: ASGIApp, function: str) -> None:
        self.app = app
        self.function = function

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        with invocation(LambdaContext(self.function)):
            await self.app(scope, receive, send)


class NotifyingCommands:
    """The command log, telling `notify` the id of each command whose status it moved."""

    def __init__(self, log: CommandLog, notify: Callable[[str], None]) -> None:
        self.log = log
        self.notify = notify

    def record(self, record: CommandRecord) -> CommandRecord:
        stored = self.log.record(record)
        self.notify(record.id)
        return stored

    def get(self, command_id: str) -> CommandRecord | None:
        return self.log.get(command_id)

    def about(self, aggregate_id: str, limit: int) -> list[CommandRecord]:
        return self.log.about(aggregate_id, limit)

    def advance(
        self,
        command_id: str,
        status: Status,
        at: datetime,
        version: int | None = None,
        error: CommandError | None = None,
    ) -> bool:
        moved = self.log.advance(command_id, status, at, version, error)
        if moved:
            self.notify(command_id)
        return moved
