"""Run the command stage until its queue is empty: in the test's thread, or from several threads
at once, each port call its own transaction, so that appends really race the way several Lambda
instances would."""

from __future__ import annotations

import threading
from collections.abc import Callable

from pipeline.command_stage import give_up_command, handle_command
from pipeline.delivery import pump
from pipeline.ports import Backend


def run_command_stage(backend: Backend, batch: int = 10) -> int:
    """Run the command stage over `backend`'s ports until its queue is empty, failed messages
    coming back at once; how many deliveries that took."""
    deliveries = 0
    while received := pump(
        backend,
        backend.command_queue,
        lambda body: handle_command(backend, body),
        lambda body, reason: give_up_command(backend, body, reason),
        batch,
        retry_base_s=0,
    ):
        deliveries += received
    return deliveries


def run_command_stage_concurrently(backend: Backend, threads: int = 4) -> None:
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            run_command_stage(backend, batch=2)
        except BaseException as exc:  # surfaced in the test thread below
            errors.append(exc)

    run_all([worker] * threads)
    if errors:
        raise errors[0]


def run_all(targets: list[Callable[[], None]]) -> None:
    workers = [threading.Thread(target=t) for t in targets]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
