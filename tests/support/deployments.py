"""Deployments the contract suite runs against: a backend plus the means to drive it.

Each deployment says how to run every stage until nothing is left (`drain`), how to start a
real consumer process (for crash tests), and how to damage a view row (for replay tests). The
DynamoDB deployment (moto, tables and queues from serverless.yml, the real Lambda handlers
driven by pollers) is another factory in FACTORIES; the tests stay as they are.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.ports import Backend, Queue
from pipeline.runner import Runner, RunnerSettings


@dataclass
class Deployment:
    name: str
    backend: Backend
    drain: Callable[[], None]
    # argv of a process that consumes every queue until idle; extra args are appended
    consumer_argv: list[str]
    delete_view_row: Callable[[str, str], None]
    unbatched: Callable[[], Backend]
    # the same queue (same messages) seen by a receiver whose messages stay hidden for only
    # this many seconds when not acknowledged
    with_visibility: Callable[[Queue, float], Queue]


def unbatched(backend: Backend) -> Backend:
    """The same ports with every call its own transaction: how stages behave on a backend
    without multi-statement transactions, and what crash tests need to see partial progress."""
    return replace(backend, batch=nullcontext, atomic_batch=False)


@contextmanager
def sqlite_deployment(tmp: Path) -> Iterator[Deployment]:
    from infra.sqlite import open_backend
    from infra.sqlite.queue import SqliteQueue

    data = tmp / "data"
    backend = open_backend(data)
    # Failed messages come back at once, so draining never waits out a retry delay.
    runner = Runner(backend, RunnerSettings(retry_base_s=0))

    def with_visibility(queue: Queue, seconds: float) -> Queue:
        assert isinstance(queue, SqliteQueue)  # one of this backend's queues
        return SqliteQueue(queue.db, queue.name, visibility_s=seconds)

    def delete_view_row(kind: str, aggregate_id: str) -> None:
        from infra.sqlite.schema import VIEW_TABLES

        assert backend.db is not None
        with backend.db.transaction() as conn:
            conn.execute(f"DELETE FROM {VIEW_TABLES[kind]} WHERE id = ?", (aggregate_id,))

    yield Deployment(
        name="sqlite",
        backend=backend,
        drain=runner.run_until_idle,
        consumer_argv=[sys.executable, "-m", "tests.support.consumer", "sqlite", str(data)],
        delete_view_row=delete_view_row,
        unbatched=lambda: unbatched(backend),
        with_visibility=with_visibility,
    )
    backend.close()


def dynamodb_deployment(tmp: Path) -> AbstractContextManager[Deployment]:
    from tests.support.aws_deployment import dynamodb_deployment as deploy

    return deploy(tmp)


FACTORIES: dict[str, Callable[[Path], AbstractContextManager[Deployment]]] = {
    "sqlite": sqlite_deployment,
    "dynamodb": dynamodb_deployment,
}
