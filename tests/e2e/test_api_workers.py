"""`usermgmt serve --workers 2`: HTTP in two processes, the pipeline in a third (the default on
two cores; the suite's `server` runs the default layout). The API must behave as with one
process: receipts, errors, subscriptions that see each status, and clean stops, whichever
worker a connection lands on."""

from __future__ import annotations

import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.api_server import (
    CREATE_GROUP,
    WAIT_S,
    Server,
    applied,
    exits,
    unique,
    worker_pids,
)

WORKERS = 2


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    live = Server(tmp_path_factory.mktemp("workers"), args=("--workers", str(WORKERS))).start()
    yield live
    live.stop()


@pytest.fixture
def fresh_workers(tmp_path: Path) -> Iterator[Server]:
    """A server of its own, for the tests that stop or kill it."""
    live = Server(tmp_path / "data", args=("--workers", str(WORKERS))).start()
    yield live
    if live.process is not None:
        live.stop()


def post(server: Server, query: str, token: str, **variables: object) -> dict[str, Any]:
    """On a connection of its own, so requests spread over the workers."""
    reply = httpx.post(
        server.url + "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}"},
        timeout=WAIT_S,
    )
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()  # the GraphQL response's JSON
    return body


def test_commands_run_and_subscriptions_see_each_status_on_every_worker(workers: Server) -> None:
    token = workers.admin_token()
    assert len(worker_pids(workers)) == WORKERS
    names = [unique("w") for _ in range(8)]
    receipts = [
        post(workers, CREATE_GROUP, token, name=name, description="d")["data"]["createGroup"]
        for name in names
    ]
    for receipt in receipts:
        statuses = [c["status"] for c in workers.follow(receipt["commandId"], token)]
        assert statuses[-1] == "APPLIED" and statuses == sorted(set(statuses), key=statuses.index)
    groups = workers.gql("{ groups(first: 100) { edges { node { name } } } }", token)["groups"]
    assert set(names) <= {e["node"]["name"] for e in groups["edges"]}


def test_a_command_id_reused_for_another_command_is_refused_to_its_caller(workers: Server) -> None:
    token = workers.admin_token()
    command_id = str(uuid.uuid4())
    group = """mutation($name: String!, $id: ID!) {
      createGroup(input: {name: $name, description: "d", commandId: $id}) { commandId } }"""
    authorization = """mutation($name: String!, $id: ID!) {
      createAuthorization(input: {name: $name, description: "d", commandId: $id}) {
        commandId } }"""
    first = post(workers, group, token, name=unique("a"), id=command_id)
    assert first["data"]["createGroup"]["commandId"] == command_id
    again = post(workers, authorization, token, name=unique("b"), id=command_id)
    assert again["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert applied(workers.follow(command_id, token)[-1])


def test_sigterm_stops_the_workers_and_the_pipeline_cleanly(fresh_workers: Server) -> None:
    pids = worker_pids(fresh_workers)
    assert fresh_workers.stop(signal.SIGTERM) == 0
    assert all(exits(pid) for pid in pids)


def test_the_workers_stop_when_the_pipeline_process_dies(fresh_workers: Server) -> None:
    pids = worker_pids(fresh_workers)
    fresh_workers.stop(signal.SIGKILL)
    assert all(exits(pid) for pid in pids)


def test_the_server_stops_when_a_worker_dies(fresh_workers: Server) -> None:
    first, *others = worker_pids(fresh_workers)
    os.kill(first, signal.SIGKILL)
    assert fresh_workers.process is not None
    assert fresh_workers.process.wait(WAIT_S) == 1
    assert all(exits(pid) for pid in others)
    fresh_workers.process = None


def test_by_default_an_http_worker_runs_on_each_core_up_to_four(tmp_path: Path) -> None:
    cores = len(os.sched_getaffinity(0))
    server = Server(tmp_path / "data").start()
    try:
        assert len(worker_pids(server)) == (min(cores, 4) if cores > 1 else 0)
    finally:
        server.stop()
