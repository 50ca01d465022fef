"""The runner drives the stages on its own threads, woken by submits in the same process."""

from __future__ import annotations

import threading
from pathlib import Path

from domain import commands as c
from infra.sqlite import open_backend
from pipeline.records import CommandEnvelope, Status
from pipeline.runner import Runner, queue_replay
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
    queue_replay(backend.replays, envelope)
    assert replays.is_set() and not stages.is_set()
    backend.close()
