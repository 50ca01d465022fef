"""The line between an HTTP worker and the pipeline process, both ends over a socket pair."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from domain import commands as c
from infra.sqlite import open_backend
from infra.sqlite.backend import EmbeddedBackend
from local_server.pipeline_link import WorkerLink, WorkerLinks
from pipeline.record_codec import record_from_json, record_to_json
from pipeline.records import CommandError, CommandRecord, Status
from resolvers.status_hub import StatusHub
from tests.support.builders import as_admin, new_id

WAIT_S = 10.0


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[EmbeddedBackend]:
    backend = open_backend(tmp_path)
    yield backend
    backend.close()


def test_a_record_crosses_the_line_unchanged() -> None:
    at = datetime(2026, 11, 26, 10, 15, 30, 123000, tzinfo=UTC)
    rejected = CommandRecord(
        id="c1",
        name="CreateUser",
        status=Status.REJECTED,
        actor="auth0|a",
        submitted_at=at,
        updated_at=at,
        aggregate_id="auth0|u",
        version=None,
        error=CommandError("DUPLICATE", "email taken", "email"),
    )
    assert record_from_json(record_to_json(rejected)) == rejected
    applied = CommandRecord("c2", "CreateGroup", Status.APPLIED, "a", at, at, "g", 3)
    assert record_from_json(record_to_json(applied)) == applied


class Worker:
    """The test's side of one link: lines sent to the pipeline process, records read back."""

    def __init__(self, links: WorkerLinks) -> None:
        ours, theirs = socket.socketpair()
        links.add(theirs)
        ours.settimeout(WAIT_S)
        self.sock = ours
        self.lines = ours.makefile("r", encoding="utf-8")

    def send(self, line: str) -> None:
        self.sock.sendall(line.encode() + b"\n")

    def record(self) -> CommandRecord:
        return record_from_json(self.lines.readline())

    def close(self) -> None:
        self.lines.close()  # the socket's file holds it open until it is closed too
        self.sock.close()


def test_the_pipeline_end_sends_watched_records_and_wakes_the_runner(
    backend: EmbeddedBackend,
) -> None:
    woken = threading.Event()
    links = WorkerLinks(backend, woken.set)
    backend.on_status(links.notify)
    worker = Worker(links)
    watched, other = new_id(), new_id()
    as_admin(backend, c.CreateGroup(id=new_id(), name="g1", description="d"), watched)
    as_admin(backend, c.CreateGroup(id=new_id(), name="g2", description="d"), other)

    worker.send("+" + watched)
    assert worker.record().status is Status.QUEUED  # where it stands as the watch starts
    backend.commands.advance(watched, Status.ACCEPTED, backend.clock())
    assert worker.record().status is Status.ACCEPTED  # each change, as it commits
    worker.send("-" + watched)
    worker.send("+" + other)
    assert worker.record().id == other  # lines are read in order: "-" was handled too
    backend.commands.advance(watched, Status.APPLIED, backend.clock())
    backend.commands.advance(other, Status.ACCEPTED, backend.clock())
    later = worker.record()  # nothing came for the command no longer watched
    assert (later.id, later.status) == (other, Status.ACCEPTED)

    worker.send("w")
    assert woken.wait(WAIT_S)
    worker.close()
    links.join(WAIT_S)


def test_the_worker_end_tells_what_is_watched_and_hands_records_to_the_hub() -> None:
    ours, theirs = socket.socketpair()
    ours.settimeout(WAIT_S)
    lines = ours.makefile("r", encoding="utf-8")
    hub = StatusHub(poll_s=WAIT_S)
    link = WorkerLink(theirs, hub)
    at = datetime(2026, 11, 26, tzinfo=UTC)
    record = CommandRecord("c1", "CreateGroup", Status.APPLIED, "a", at, at, "g", 1)

    async def scenario() -> None:
        hub.bind(asyncio.get_running_loop())
        link.start()
        with hub.watch("c1") as watch:
            assert lines.readline() == "+c1\n"
            ours.sendall(record_to_json(record).encode() + b"\n")
            assert await watch.next(WAIT_S) == record
        assert lines.readline() == "-c1\n"
        link.wake()
        assert lines.readline() == "w\n"

    asyncio.run(scenario())
    link.stop()
    lines.close()
    ours.close()
