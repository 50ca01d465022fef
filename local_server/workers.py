"""`usermgmt serve` on more than one core: N processes serve HTTP on one port, and this one runs
the pipeline. One Python process is held to one core by its GIL: the HTTP side and the
pipeline then take turns, where here they run side by side. The processes share the SQLite
file (writers queue on its lock file) and talk over a socket pair each
(local_server/pipeline_link.py).

This process makes the listening sockets, so `--port 0` works and a port in use is reported
before anything starts; each worker gets one of them (local_server/listeners.py). The workers run in
sessions of their own: a Ctrl-C on the terminal reaches this process only, which then stops
them in order, as on SIGTERM: the workers first (each finishes its requests and commits what it
took), then the pipeline. A worker that dies stops the whole server; if this process dies, even
by kill -9, the kernel kills the workers with it."""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

from infra.auth import LocalAuthority
from infra.sqlite import open_backend
from infra.unwritable import Unwritable
from local_server.listeners import announce
from local_server.pipeline_link import WorkerLinks
from pipeline.runner import Runner

log = logging.getLogger("usermgmt.serve")

STOP_TIMEOUT_S = 20.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h


# Writes all go through the one pipeline process, which keeps up with about three HTTP workers
# (0.25 ms of CPU a command there, 0.6 ms in a worker); more would only take memory (about 55 MB
# each) on a many-core machine. `--workers N` goes further, for read-heavy use.
MAX_DEFAULT_WORKERS = 4


def default_workers() -> int:
    """One HTTP worker per core this process may run on, up to MAX_DEFAULT_WORKERS; 1
    (everything in one process) on a single core, where more processes would only take turns."""
    return min(len(os.sched_getaffinity(0)), MAX_DEFAULT_WORKERS)


def serve_workers(listeners: list[socket.socket], data_dir: Path, access_log: bool = False) -> int:
    """Run the pipeline here and an HTTP worker on each listener until a signal or a worker's
    death; the exit code: 0 after a signal, 1 after a worker died."""
    LocalAuthority.ensure(data_dir)  # the key exists before any worker verifies a token
    backend = open_backend(data_dir)
    runner = Runner(backend)
    links = WorkerLinks(backend, runner.wake_stages)
    backend.on_work(runner.wake_stages, runner.wake_replays)  # the command stage queues replays
    backend.on_status(links.notify)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, frame: stop.set())
    runner.start()
    processes = [_spawn(data_dir, listener, links, access_log) for listener in listeners]
    announce(
        listeners[0],
        f"{len(processes)} HTTP workers (pids {' '.join(str(p.pid) for p in processes)}), "
        f"the pipeline in this process (pid {os.getpid()})",
    )
    for listener in listeners:
        # Each worker has its copy. One left open here would still be given connections by the
        # kernel, and nobody would accept them.
        listener.close()
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
    data_dir: Path, listener: socket.socket, links: WorkerLinks, access_log: bool
) -> subprocess.Popen[bytes]:
    ours, theirs = socket.socketpair()
    fds = (theirs.fileno(), listener.fileno())
    command = [sys.executable, "-m", "local_server.workers", "--data", str(data_dir)]
    command += ["--link-fd", str(fds[0]), "--listen-fd", str(fds[1])]
    if access_log:
        command.append("--access-log")
    process = subprocess.Popen(command, pass_fds=fds, start_new_session=True)
    theirs.close()
    links.add(ours)
    return process


def worker(data_dir: Path, link_fd: int, listen_fd: int, access_log: bool) -> None:
    """One HTTP worker: the local app on the listening socket it was given, its pipeline over
    the link."""
    from local_server.bootstrap import local_app
    from local_server.serve import run_server, server_config

    _die_with_parent()

    link = socket.socket(fileno=link_fd)
    listener = socket.socket(fileno=listen_fd)
    host, port = listener.getsockname()[:2]
    app = local_app(data_dir, link=link)
    config = server_config(app, host, port, access_log)
    run_server(config, sockets=[listener])


def _die_with_parent() -> None:
    """Have the kernel SIGKILL this worker the moment the pipeline process dies, however it
    dies: a kill -9 of the server then stops it at once, as it stops a server in one process
    (the workers would otherwise go on answering, without a pipeline, until they noticed). If
    it died before this call, the link's close stops this worker (local_server/pipeline_link.py)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m local_server.workers")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--link-fd", type=int, required=True)
    parser.add_argument("--listen-fd", type=int, required=True)
    parser.add_argument("--access-log", action="store_true")
    args = parser.parse_args()
    try:
        worker(args.data, args.link_fd, args.listen_fd, args.access_log)
    except Unwritable as error:  # as `usermgmt serve` says it (cli/commands.py)
        print(f"usermgmt serve: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
