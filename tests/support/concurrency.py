"""Run the command stage from several threads at once, each port call its own transaction, so
that appends really race the way several Lambda instances would."""

from __future__ import annotations

import threading
from collections.abc import Callable

from pipeline.command_stage import give_up_command, handle_command
from pipeline.delivery import pump
from pipeline.ports import Backend


def run_command_stage_concurrently(backend: Backend, threads: int = 4) -> None:
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            while pump(
                backend,
                backend.command_queue,
                lambda body: handle_command(backend, body),
                lambda body, reason: give_up_command(backend, body, reason),
                2,
                retry_base_s=0,
            ):
                pass
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
