"""The local server in one process: uvicorn serving the app, with the pipeline runner beside it
(`usermgmt serve --workers 1`, or the default on a single core); on more cores HTTP workers run
this same app, with the pipeline in a process of its own (local_server/workers.py).

With the AWS backend (`serve --backend aws`) the app runs over a stage's DynamoDB tables and SQS
queues (at AWS_ENDPOINT_URL when set), and the real Lambda handlers run in this process, fed by
pollers in place of Lambda's event source mappings (devtools/lambda_emulator/).

Start-up order matters: the local key exists before the socket listens (so /healthz answering
means tokens verify), and the runner starts with the app. Ctrl-C or SIGTERM stops uvicorn, then
the runner finishes its batch and the database closes. A kill -9 loses nothing accepted: the
queues are durable, and the next start hands out what was in flight."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

import uvicorn
from starlette.applications import Starlette
from starlette.types import ASGIApp

from api.app import create_app
from api.identity import BearerIdentity
from infra.auth import LocalAuthority, verifier_for
from infra.settings import Settings, from_env
from infra.sqlite import open_backend
from internals.asgi import GraphQLFirst
from local_server.pipeline_link import WorkerLink
from pipeline.group_commit import GroupCommitSubmitter
from pipeline.ports import CommandLog
from pipeline.records import CommandRecord
from pipeline.runner import Runner
from resolvers.status_hub import StatusHub

log = logging.getLogger("usermgmt.serve")

# Requests leave no cyclic garbage (internals/execution_context.py), so a collection only scans
# what the requests in flight hold, and finds nothing to free. At the default threshold (700 new
# objects) a worker under load ran one every few requests.
GC_THRESHOLD = 10_000


class Pipeline(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


def local_app(
    data_dir: Path, settings: Settings | None = None, link: socket.socket | None = None
) -> GraphQLFirst:
    """The app over the embedded backend in `data_dir`. Its pipeline runs in this process,
    started by the lifespan, or with `link`, in the process at the other end of it."""
    settings = replace(settings or from_env(), data_dir=data_dir)
    jwks = LocalAuthority.ensure(data_dir).jwks() if settings.local else None
    identity = BearerIdentity(verifier_for(settings))
    backend = open_backend(data_dir)
    submitter = GroupCommitSubmitter(backend)
    hub = StatusHub(read=backend.commands.get)
    pipeline: Pipeline
    if link is None:
        pipeline = runner = Runner(backend)
        backend.on_work(runner.wake_stages, runner.wake_replays)
        backend.on_status(hub.notify)
    else:
        pipeline = worker_link = WorkerLink(link, hub)
        backend.on_work(worker_link.wake)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        pipeline.start()
        submitter.start()
        settle_heap()
        try:
            yield
        finally:
            submitter.stop()  # after the last request: what it took is committed first
            pipeline.stop()
            backend.close()

    return create_app(
        backend,
        identity,
        settings,
        ws_auth=identity,
        hub=hub,
        jwks=jwks,
        lifespan=lifespan,
        submitter=submitter,
    )


@dataclass(frozen=True)
class AwsOptions:
    stage: str
    create_resources: bool = False


def aws_app(data_dir: Path, options: AwsOptions, settings: Settings | None = None) -> GraphQLFirst:
    """The app over a stage's AWS resources, the worker handlers run by pollers in threads."""
    import os

    from devtools.lambda_emulator import Checkpoint, open_pollers
    from infra.aws import open_backend, resources
    from infra.aws.clients import Clients
    from infra.aws.settings import for_stage

    settings = replace(settings or from_env(), data_dir=data_dir)
    jwks = LocalAuthority.ensure(data_dir).jwks() if settings.local else None
    identity = BearerIdentity(verifier_for(settings))
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-west-1"
    template = resources.read(options.stage, region)
    clients = Clients(region)
    if options.create_resources:
        resources.ensure_all(template, clients)
    # Long polling saves requests to a real account; a moto_server may want 0.
    wait_s = int(os.environ.get("USERMGMT_POLL_WAIT_S", "2"))
    backend = open_backend(for_stage(options.stage, region=region), clients)
    hub = StatusHub(read=backend.commands.get)
    # The handlers in this process report each status change they make to subscriptions.
    backend.commands = NotifyingCommands(backend.commands, hub.notify)
    data_dir.mkdir(parents=True, exist_ok=True)
    checkpoint = Checkpoint(data_dir / f"stream-checkpoint-{options.stage}.json")
    pollers = open_pollers(backend, template, wait_s=wait_s, checkpoint=checkpoint)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        pollers.start()
        settle_heap()
        try:
            yield
        finally:
            pollers.stop()

    return create_app(
        backend, identity, settings, ws_auth=identity, hub=hub, jwks=jwks, lifespan=lifespan
    )


def settle_heap() -> None:
    """Once started: what is alive now lives as long as the process, so it is frozen out of
    every later collection, and collections are made rare."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])


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

    def advance(self, command_id: str, *args: Any, **kwargs: Any) -> bool:
        moved = self.log.advance(command_id, *args, **kwargs)
        if moved:
            self.notify(command_id)
        return moved


def serve(
    listener: socket.socket,
    data_dir: Path,
    access_log: bool = False,
    aws: AwsOptions | None = None,
) -> None:
    """Everything in this process, on `listener` (local_server/listeners.py)."""
    app = local_app(data_dir) if aws is None else aws_app(data_dir, aws)
    host, port = listener.getsockname()[:2]
    run_server(server_config(app, host, port, access_log), sockets=[listener])


def server_config(app: ASGIApp, host: str, port: int, access_log: bool = False) -> uvicorn.Config:
    """The server stack: the bench serves its bare Strawberry baseline with the same one."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="on",
        access_log=access_log,
        log_level="info",
        ws_ping_interval=20,
        # httptools parses HTTP/1.1 in C: 15-25 % more queries per second than h11 here.
        # uvloop was no faster with the pipeline's threads calling into the loop, so not it.
        http="httptools",
        loop="asyncio",
    )


def run_server(config: uvicorn.Config, sockets: list[socket.socket] | None = None) -> None:
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal to whatever
    # handler was there before: make that a clean exit rather than a traceback or a kill.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _exit_cleanly)
    uvicorn.Server(config).run(sockets=sockets)


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)
