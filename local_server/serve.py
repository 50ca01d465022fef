"""The local server in one process: uvicorn serving the app, with the pipeline runner beside it
(`usermgmt serve --workers 1`, or the default on a single core); on more cores HTTP workers run
this same app, with the pipeline in a process of its own (local_server/workers.py).

The app is built by the local server's root (local_server/bootstrap.py). With the AWS backend
(`serve --backend aws`) the app and the real Lambda handlers run over a stage's DynamoDB tables
and SQS queues (at AWS_ENDPOINT_URL when set), the handlers fed by pollers in place of Lambda's
event source mappings: that is the emulator's root (devtools/lambda_emulator/app.py).

Start-up order matters: the local key exists before the socket listens (so /healthz answering
means tokens verify), and the runner starts with the app. Ctrl-C or SIGTERM stops uvicorn, then
the runner finishes its batch and the database closes. A kill -9 loses nothing accepted: the
queues are durable, and the next start hands out what was in flight."""

from __future__ import annotations

import signal
import socket
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import uvicorn
from starlette.types import ASGIApp


@dataclass(frozen=True)
class AwsOptions:
    stage: str
    create_resources: bool = False


def serve(
    listener: socket.socket,
    data_dir: Path,
    access_log: bool = False,
    aws: AwsOptions | None = None,
) -> None:
    """Everything in this process, on `listener` (local_server/listeners.py)."""
    app: ASGIApp
    if aws is None:
        from local_server.bootstrap import local_app

        app = local_app(data_dir)
    else:
        from devtools.lambda_emulator.app import aws_app

        app = aws_app(data_dir, aws.stage, create_resources=aws.create_resources)
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
