"""The group-commit submitter: many submissions per transaction, off the event loop, each
caller answered on its own and only once its command is committed."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from domain.errors import DomainError
from infra.sqlite import open_backend
from infra.sqlite.backend import EmbeddedBackend
from infra.sqlite.queue import SqliteQueue
from pipeline.group_commit import GroupCommitSubmitter, SubmitterStopped
from pipeline.records import CommandRecord, Status
from tests.support.builders import ADMIN, create_user, new_id

WAIT_S = 10.0
Receipt = asyncio.Future[CommandRecord]


class Gate:
    """Wraps a backend's `batch`: the writer's outermost transaction waits, its work done but
    not yet committed, until the test opens the gate (it stays open from then on)."""

    def __init__(self, batch: Callable[[], AbstractContextManager[object]]) -> None:
        self.batch = batch
        self.holding = threading.Event()
        self.open = threading.Event()
        self._depth = 0

    @contextmanager
    def __call__(self) -> Iterator[None]:
        self._depth += 1
        try:
            with self.batch():
                yield
                if self._depth == 1:
                    self.holding.set()
                    assert self.open.wait(WAIT_S)
        finally:
            self._depth -= 1


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[EmbeddedBackend]:
    backend = open_backend(tmp_path)
    yield backend
    backend.close()


def committed(backend: EmbeddedBackend, command_id: str) -> bool:
    """Whether another thread (another connection) sees the command."""
    seen: list[bool] = []
    reader = threading.Thread(
        target=lambda: seen.append(backend.commands.get(command_id) is not None)
    )
    reader.start()
    reader.join()
    return seen[0]


def queued(backend: EmbeddedBackend) -> int:
    """The commands waiting in the queue (open_backend's queue is SQLite's)."""
    queue = backend.command_queue
    assert isinstance(queue, SqliteQueue)
    return queue.depth()


def send(submitter: GroupCommitSubmitter, email: str, command_id: str) -> Receipt:
    """A createUser handed to the submitter: its receipt to come."""
    command = create_user(f"auth0|{new_id()}", email)
    return asyncio.ensure_future(submitter(command, ADMIN, True, command_id))


async def wait_for(event: threading.Event) -> None:
    assert await asyncio.to_thread(event.wait, WAIT_S)


def test_a_receipt_comes_only_after_the_commit(backend: EmbeddedBackend) -> None:
    gate = Gate(backend.batch)
    submitter = GroupCommitSubmitter(replace(backend, batch=gate))
    command_id = new_id()

    async def scenario() -> None:
        receipt = send(submitter, "a@example.com", command_id)
        await wait_for(gate.holding)  # written, not committed
        assert not receipt.done()
        assert not committed(backend, command_id)
        gate.open.set()
        record = await receipt
        assert record.id == command_id and record.status is Status.QUEUED
        assert committed(backend, command_id)

    submitter.start()
    try:
        asyncio.run(scenario())
    finally:
        submitter.stop()


def test_an_error_reaches_only_its_own_caller_and_undoes_only_its_submission(
    backend: EmbeddedBackend,
) -> None:
    gate = Gate(backend.batch)
    submitter = GroupCommitSubmitter(replace(backend, batch=gate))
    first_id, other_id = new_id(), new_id()
    firsts: list[CommandRecord] = []

    async def scenario() -> None:
        first = send(submitter, "first@example.com", first_id)
        await wait_for(gate.holding)
        # Both wait behind the first group, so they are committed together, in one transaction.
        reused = send(submitter, "reused@example.com", first_id)
        other = send(submitter, "other@example.com", other_id)
        await asyncio.sleep(0)  # let both hand their submission over
        gate.open.set()
        first_record = await first
        assert first_record.id == first_id
        firsts.append(first_record)
        with pytest.raises(DomainError, match="commandId is already used"):
            await reused
        assert (await other).id == other_id

    submitter.start()
    try:
        asyncio.run(scenario())
    finally:
        submitter.stop()
    stored = backend.commands.get(first_id)
    assert stored == firsts[0]  # the reused id still names the first command, unchanged
    assert queued(backend) == 2  # first and other; nothing of the reused one


def test_stopping_commits_every_submission_handed_over_and_refuses_later_ones(
    backend: EmbeddedBackend,
) -> None:
    gate = Gate(backend.batch)
    submitter = GroupCommitSubmitter(replace(backend, batch=gate))
    ids = [new_id() for _ in range(5)]

    async def scenario() -> None:
        receipts = [
            send(submitter, f"u{i}@example.com", command_id) for i, command_id in enumerate(ids)
        ]
        await wait_for(gate.holding)
        await asyncio.sleep(0)  # the rest are handed over while the first group waits
        stopping = asyncio.ensure_future(asyncio.to_thread(submitter.stop))
        await wait_for(submitter.stopping)
        gate.open.set()
        await stopping
        assert [r.id for r in await asyncio.gather(*receipts)] == ids
        with pytest.raises(SubmitterStopped):
            await send(submitter, "late@example.com", new_id())

    submitter.start()
    asyncio.run(scenario())
    assert all(committed(backend, command_id) for command_id in ids)
    assert not any(t.name == "usermgmt-submit" for t in threading.enumerate())


def test_a_group_wakes_the_pipeline_once(backend: EmbeddedBackend) -> None:
    gate = Gate(backend.batch)
    submitter = GroupCommitSubmitter(replace(backend, batch=gate))
    wakes: list[None] = []
    backend.on_work(lambda: wakes.append(None))

    async def scenario() -> None:
        first = send(submitter, "first@example.com", new_id())
        await wait_for(gate.holding)
        # These three wait behind the first group, then commit together as the second.
        rest = [send(submitter, f"r{i}@example.com", new_id()) for i in range(3)]
        await asyncio.sleep(0)
        gate.open.set()
        await asyncio.gather(first, *rest)

    submitter.start()
    try:
        asyncio.run(scenario())
    finally:
        submitter.stop()
    assert queued(backend) == 4
    assert len(wakes) == 2  # one per commit, not one per command
