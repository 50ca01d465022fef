"""`usermgmt serve --workers N`: N processes serve HTTP on one port, and this one
runs the pipeline. One Python process is held to one core by its GIL: the HTTP side and the
pipeline then take turns, where here they run side by side. The processes share the SQLite
file (writers queue on its lock file) and talk over a socket pair each (handlers/pipeline_link).

Ctrl-C or SIGTERM stops the workers first (each finishes its requests and commits what it took),
then the pipeline. A worker that dies stops the whole server; if this process dies, the workers
see their link close and stop."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from handlers.pipeline_link import WorkerLinks
from infra.auth import LocalAuthority
from infra.sqlite import open_backend
from pipeline.runner import Runner

log = logging.getLogger("usermgmt.serve")

STOP_TIMEOUT_S = 20.0


def serve_workers(
    host: str, port: int, data_dir: Path, workers: int, access_log: bool = False
) -> int:
    """Run the pipeline here and `workers` HTTP workers until a signal or a worker's death;
    the exit code: 0 after a signal, 1 after a worker died."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    LocalAuthority.ensure(data_dir)  # the key exists before any worker verifies a token
    backend = open_backend(data_dir)
    runner = Runner(backend)
    links = WorkerLinks(backend, runner.wake_stages)
    backend.on_work(
        runner.wake_stages, runner.wake_replays
    )  # the command stage queues replays here
    backend.on_status(links.notify)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: stop.set())
    runner.start()
    processes = [_spawn(host, port, data_dir, links, access_log) for _ in range(workers)]
    pids = " ".join(str(p.pid) for p in processes)
    log.info("serving on http://%s:%d: %d workers (pids %s)", host, port, workers, pids)
    code = _supervise(processes, stop)
    _stop(processes)
    links.join(5.0)
    runner.stop()
    backend.close()
    return code


def _supervise(processes: list[subprocess.Popen[bytes]], stop: threading.Event) -> int:
    while not stop.wait(0.5):
        if any(p.poll() is not None for p in processes):
            log.error("a worker exited; stopping the server")
            return 1
    return 0


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM: each worker finishes its requests and commits what it took, then exits."""
    for p in processes:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in processes:
        try:
            p.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def _spawn(
    host: str, port: int, data_dir: Path, links: WorkerLinks, access_log: bool
) -> subprocess.Popen[bytes]:
    ours, theirs = socket.socketpair()
    command = [sys.executable, "-m", "handlers.workers", "--data", str(data_dir)]
    command += ["--host", host, "--port", str(port), "--link-fd", str(theirs.fileno())]
    if access_log:
        command.append("--access-log")
    theirs.set_inheritable(True)
    process = subprocess.Popen(command, pass_fds=(theirs.fileno(),))
    theirs.close()
    links.add(ours)
    return process


def worker(data_dir: Path, host: str, port: int, link_fd: int, access_log: bool) -> None:
    """One HTTP worker: the local app, its pipeline over the link. Each worker listens on a
    socket of its own on the same port (SO_REUSEPORT), so the kernel spreads connections
    evenly; on one shared socket, the first worker to wake accepts a whole burst of them.
    (Running workers at a lower CPU priority, so the pipeline is not descheduled while it holds
    the write lock, was tried: no steady gain, and the workers then lose to any other busy
    program on the machine.)"""
    from handlers.serve import local_app, run_server, server_config

    link = socket.socket(fileno=link_fd)
    app = local_app(data_dir, link=link)
    config = server_config(app, host, port, access_log)
    run_server(config, sockets=[_listen(host, port)])


def _listen(host: str, port: int) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    # proto must be IPPROTO_TCP, as getaddrinfo gives it: asyncio sets TCP_NODELAY only on
    # such sockets, and without it each response waits on the client's delayed ACK.
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(address)
    listener.listen(2048)
    return listener


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m handlers.workers")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--link-fd", type=int, required=True)
    parser.add_argument("--access-log", action="store_true")
    args = parser.parse_args()
    worker(args.data, args.host, args.port, args.link_fd, args.access_log)


if __name__ == "__main__":
    main()
