"""The mediator's checkpoint on the embedded backend: after a restart it resumes where it left
off and forwards nothing twice. (On AWS the change feed is the events table's stream, whose
position Lambda keeps; the backend there has no change feed of its own.)"""

from __future__ import annotations

from pathlib import Path

from domain import commands as c
from infra.sqlite import open_backend
from pipeline.mediator import mediate_once
from pipeline.ports import Backend
from pipeline.records import RecordedEvent
from tests.contract.test_queues import receive_all
from tests.support.builders import as_admin, new_id
from tests.support.concurrency import run_command_stage


def create_groups(backend: Backend, *names: str) -> None:
    """Submit and decide: the events are in the store, not yet mediated."""
    for name in names:
        as_admin(backend, c.CreateGroup(id=new_id(), name=name, description=name))
    run_command_stage(backend)


def forwarded_names(backend: Backend) -> list[str]:
    bodies = receive_all(backend.execution_queue)
    return [RecordedEvent.from_json(body).data["name"] for body in bodies]


def test_the_mediator_resumes_after_its_checkpoint_and_sends_nothing_twice(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    backend = open_backend(data)
    create_groups(backend, "a", "b")
    assert mediate_once(backend) == 2
    assert mediate_once(backend) == 0
    assert sorted(forwarded_names(backend)) == ["a", "b"]
    backend.close()

    restarted = open_backend(data)
    try:
        assert mediate_once(restarted) == 0
        create_groups(restarted, "c")
        assert mediate_once(restarted) == 1
        assert forwarded_names(restarted) == ["c"]
    finally:
        restarted.close()
