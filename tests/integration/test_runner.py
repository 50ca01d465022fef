"""The runner drives the stages on its own threads, woken by submits in the same process."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from domain import commands as c
from infra.sqlite import open_backend
from pipeline.ports import Message, Queue
from pipeline.records import CommandEnvelope, Status
from pipeline.runner import Runner, RunnerSettings, queue_replay
from tests.support.builders import as_admin, new_id


def test_a_running_runner_applies_submitted_commands_and_stops_cleanly(tmp_path: Path) -> None:
    backend = open_backend(tmp_path)
    runner = Runner(backend)
    backend.on_work(runner.wake)
    applied = threading.Event()
    watched: set[str] = set()

    def on_status(command_id: str) -> None:
        record = backend.commands.get(command_id)
        if command_id in watched and record is not None and record.status is Status.APPLIED:
            applied.set()

    backend.on_status(on_status)
    runner.start()
    try:
        command_id = new_id()
        watched.add(command_id)
        as_admin(backend, c.CreateGroup(id=new_id(), name="live", description="d"), command_id)
        assert applied.wait(timeout=10)
    finally:
        runner.stop()
    assert not any(t.name.startswith("usermgmt-") for t in threading.enumerate())
    backend.close()


def test_replay_from_runs_on_its_own_queue_and_ends_applied(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    backend = open_backend(tmp_path)
    runner = Runner(backend)
    receipt = as_admin(backend, c.ReplayFrom(timestamp=datetime(2020, 1, 1, tzinfo=UTC)))
    assert receipt.aggregate_id is None
    runner.run_until_idle()
    record = backend.commands.get(receipt.id)
    assert record is not None and record.status is Status.APPLIED
    backend.close()


def test_queued_commands_wake_the_stages_and_only_replays_wake_the_replay_thread(
    tmp_path: Path,
) -> None:
    backend = open_backend(tmp_path)
    stages, replays = threading.Event(), threading.Event()
    backend.on_work(stages.set, replays.set)
    as_admin(backend, c.CreateGroup(id=new_id(), name="g", description="d"))
    assert stages.is_set() and not replays.is_set()  # told after the commit, on this thread
    stages.clear()
    envelope = CommandEnvelope(
        new_id(), c.ReplayFrom(timestamp=backend.clock()), "a", True, backend.clock()
    )
    assert backend.replays is not None  # open_backend's backend keeps its replays
    queue_replay(backend.replays, envelope)
    assert replays.is_set() and not stages.is_set()
    backend.close()


class FullDisk:
    """The command queue of a data directory whose disk fills up for a while, `outages` times:
    each outage lasts the number of steps given (its failed steps pause once each), and the
    first step after it succeeds, which ends a run of failures."""

    def __init__(self, queue: Queue, outages: list[int]) -> None:
        self.queue = queue
        self.outages = outages
        self.full = True
        self.failed_steps = 0
        self.done = threading.Event()  # every outage is over, and a step succeeded after it

    def receive(self, max_messages: int) -> list[Message]:
        if self.full:
            raise sqlite3.OperationalError("database or disk is full")
        if self.outages:
            self.full = True  # the next outage starts with the next step
        else:
            self.done.set()
        return self.queue.receive(max_messages)

    def pause(self, seconds: float) -> None:
        """Where the runner waits after a failed step: counts, and frees the disk."""
        self.failed_steps += 1
        if self.failed_steps == self.outages[0]:
            self.outages.pop(0)
            self.failed_steps = 0
            self.full = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.queue, name)


def test_a_full_disk_makes_the_pipeline_wait_longer_each_time_up_to_a_cap_then_recover(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    backend = open_backend(tmp_path)
    command_id = new_id()
    as_admin(backend, c.CreateGroup(id=new_id(), name="queued", description="d"), command_id)
    disk = FullDisk(backend.command_queue, outages=[6, 3])
    backend.command_queue = disk
    waits: list[float] = []
    settings = RunnerSettings(idle_wait_s=0.01, failure_wait_s=1.0, failure_wait_max_s=8.0)

    def pause(seconds: float) -> None:
        waits.append(seconds)
        disk.pause(seconds)

    runner = Runner(backend, settings, pause=pause)
    caplog.set_level(logging.INFO, logger="usermgmt.runner")
    runner.start()
    try:
        assert disk.done.wait(timeout=10)
    finally:
        runner.stop()

    # Doubling to the cap; from the first success on, as short as at first again.
    assert waits == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 1.0, 2.0, 4.0]
    logged = [r for r in caplog.records if r.name == "usermgmt.runner"]
    failures = [r for r in logged if r.levelno >= logging.WARNING]
    assert len(failures) == len(waits)  # a line each
    assert [r.exc_info is not None for r in failures] == [True] + [False] * 8  # one traceback
    assert all("database or disk is full" in r.getMessage() for r in failures)
    recovered = [r.getMessage() for r in logged if r.levelno == logging.INFO]
    assert recovered == [
        "pipeline step succeeded after 6 failures in a row",
        "pipeline step succeeded after 3 failures in a row",
    ]
    # What was queued before the disk filled is applied once it has room again.
    record = backend.commands.get(command_id)
    assert record is not None and record.status is Status.APPLIED
    backend.close()
