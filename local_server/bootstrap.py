"""The local server's composition root: the app over the embedded backend, built from Settings.

The pipeline runs in this process, started by the app's lifespan, or with a `link`, in the
process at the other end of it (local_server/workers.py). The runner (or the link) is told of
new work and status changes by callbacks registered here, while the graph is built: they need
the backend, and the backend nothing of them.
"""

from __future__ import annotations

import asyncio
import gc
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from starlette.applications import Starlette

from api.app import create_app
from api.identity import BearerIdentity
from infra.auth import LocalAuthority, verifier_for
from infra.settings import Settings, from_env
from infra.sqlite import open_backend
from local_server.console import ConsoleFirst, with_console
from local_server.pipeline_link import WorkerLink
from pipeline.group_commit import GroupCommitSubmitter
from pipeline.runner import Runner
from resolvers.status_hub import StatusHub

# Requests leave no cyclic garbage (internals/execution_context.py), so a collection only scans
# what the requests in flight hold, and finds nothing to free. At the default threshold (700
# new objects) a worker under load ran one every few requests.
GC_THRESHOLD = 10_000


class Pipeline(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...


def local_app(
    data_dir: Path, settings: Settings | None = None, link: socket.socket | None = None
) -> ConsoleFirst:
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

    app = create_app(
        backend,
        identity,
        settings,
        ws_auth=identity,
        hub=hub,
        jwks=jwks,
        lifespan=lifespan,
        submitter=submitter,
    )
    return with_console(app, settings)


def settle_heap() -> None:
    """Once started: what is alive now lives as long as the process, so it is frozen out of
    every later collection, and collections are made rare."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
