"""The local server: uvicorn serving the app, with the pipeline runner in the same process.

Start-up order matters: the local key exists before the socket listens (so /healthz answering
means tokens verify), and the runner starts with the app. Ctrl-C or SIGTERM stops uvicorn, then
the runner finishes its batch and the database closes. A kill -9 loses nothing accepted: the
queues are durable, and the next start hands out what was in flight."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from types import FrameType

import uvicorn
from starlette.applications import Starlette

from handlers.app import create_app
from handlers.identity import BearerIdentity
from infra.auth import LocalAuthority, verifier_for
from infra.settings import Settings, from_env
from infra.sqlite import open_backend
from pipeline.runner import Runner
from resolvers.status_hub import StatusHub

log = logging.getLogger("usermgmt.serve")


def local_app(data_dir: Path, settings: Settings | None = None) -> Starlette:
    """The app over the embedded backend in `data_dir`, its runner started by the lifespan."""
    settings = replace(settings or from_env(), data_dir=data_dir)
    jwks = LocalAuthority.ensure(data_dir).jwks() if settings.local else None
    identity = BearerIdentity(verifier_for(settings))
    backend = open_backend(data_dir)
    runner = Runner(backend)
    hub = StatusHub(read=backend.commands.get)
    backend.on_work(runner.wake)
    backend.on_status(hub.notify)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        hub.bind(asyncio.get_running_loop())
        runner.start()
        # Start-up objects never die: keep them out of every later collection.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            runner.stop()
            backend.close()

    return create_app(
        backend, identity, settings, ws_auth=identity, hub=hub, jwks=jwks, lifespan=lifespan
    )


def serve(host: str, port: int, data_dir: Path, access_log: bool = False) -> None:
    app = local_app(data_dir)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="on",
        access_log=access_log,
        log_level="info",
        ws_ping_interval=20,
    )
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal to whatever
    # handler was there before: make that a clean exit rather than a traceback or a kill.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _exit_cleanly)
    uvicorn.Server(config).run()


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)
