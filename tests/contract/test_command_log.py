"""The command log: a command id is recorded once, and statuses only move forward."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.records import CommandError, Status
from tests.support.builders import new_id, queued_record
from tests.support.deployments import Deployment

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_recording_an_id_twice_keeps_the_first(deployment: Deployment) -> None:
    log = deployment.backend.commands
    command_id = new_id()
    first = log.record(queued_record(command_id))
    log.advance(command_id, Status.ACCEPTED, T0, version=1)
    again = log.record(queued_record(command_id, name="DeleteGroup"))
    assert first.name == again.name == "CreateGroup"
    assert again.status is Status.ACCEPTED


def test_a_status_never_goes_back(deployment: Deployment) -> None:
    log = deployment.backend.commands
    command_id = new_id()
    log.record(queued_record(command_id))
    assert log.advance(command_id, Status.APPLIED, T0, version=3)
    assert not log.advance(command_id, Status.ACCEPTED, T0, version=2)
    stored = log.get(command_id)
    assert stored is not None
    assert (stored.status, stored.version) == (Status.APPLIED, 3)


def test_a_rejection_keeps_its_error(deployment: Deployment) -> None:
    log = deployment.backend.commands
    command_id = new_id()
    log.record(queued_record(command_id))
    log.advance(command_id, Status.REJECTED, T0, error=CommandError("DUPLICATE", "taken", "name"))
    stored = log.get(command_id)
    assert stored is not None
    assert stored.error == CommandError("DUPLICATE", "taken", "name")
    assert not log.advance(command_id, Status.APPLIED, T0)
