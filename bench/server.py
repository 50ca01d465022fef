"""Servers under test, each in a process of its own on a free port: our local server over a
fresh data directory, or the bare Strawberry baseline. The load generator runs in the bench's
own process, so both share the machine the same way."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.load import Connection

HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0
ROOT = Path(__file__).resolve().parents[1]


def last_line(module: str, *args: str, env: dict[str, str] | None = None) -> str:
    """`python -m MODULE ARGS` from the repository root, in a process of its own: the last line
    it prints, its answer (what runs in it may log lines before); RuntimeError if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout.strip().splitlines()[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    port: int
    token: str  # an admin token it accepts (the bare app accepts anything)
    process: subprocess.Popen[bytes]
    host: str = HOST


@contextmanager
def usermgmt_server(data: Path, *extra: str) -> Iterator[Server]:
    """`usermgmt serve` over `data` (created if missing), with an admin token for it."""
    from infra.auth import LocalAuthority
    from infra.settings import from_env

    settings = from_env()
    token = LocalAuthority.ensure(data).mint(
        "local|bench", admin_claim=settings.admin_claim, admin_value=settings.admin_value
    )
    args = ["-m", "handlers.cli", "serve", "--data", str(data), *extra]
    with _process(args, data.parent / f"server-{data.name}.log", token) as server:
        yield server


@contextmanager
def bare_server(log_dir: Path) -> Iterator[Server]:
    with _process(["-m", "bench.bare_app"], log_dir / "bare-server.log", "") as server:
        yield server


@contextmanager
def _process(args: list[str], log: Path, token: str) -> Iterator[Server]:
    port = free_port()
    command = [sys.executable, *args, "--port", str(port)]
    # The log goes to a file: a pipe nobody reads would fill up and block the server.
    with open(log, "ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=dict(os.environ), stdout=out, stderr=out)
    try:
        _wait_healthy(process, port, log)
        yield Server(port, token, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_healthy(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    request = f"GET /healthz HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}; see {log}")
        try:
            if asyncio.run(_get(port, request)) == 200:
                return
        except OSError:
            time.sleep(0.05)  # not listening yet: there is no event to await
    raise RuntimeError(f"server did not answer /healthz in {START_TIMEOUT_S:.0f} s; see {log}")


async def _get(port: int, request: bytes) -> int:
    conn = await Connection.open(HOST, port)
    try:
        status, _ = await conn.request(request)
        return status
    finally:
        conn.close()
