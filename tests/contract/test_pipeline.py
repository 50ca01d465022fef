"""The pipeline's promises end to end on every backend: races, redelivery, crashes, replays."""

from __future__ import annotations

import functools
import random
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest

from domain import commands as c
from domain.errors import DomainError
from domain.model import Effects
from pipeline.command_stage import handle_command
from pipeline.delivery import MAX_DELIVERIES
from pipeline.executor import handle_event
from pipeline.ports import Backend, CommandLog, EventStore, GroupTree, OutMessage, Queue
from pipeline.records import CommandError, CommandRecord, RecordedEvent, Status, ViewRow
from tests.support.builders import (
    as_admin,
    create_role,
    create_user,
    new_id,
    queued_record,
    statuses,
)
from tests.support.concurrency import run_all, run_command_stage, run_command_stage_concurrently
from tests.support.deployments import Deployment
from tests.support.views import (
    EPOCH,
    all_histories,
    assert_versions_gap_free,
    assert_views_match_store,
    folded_rows,
)
from tests.support.workload import mixed_commands

TERMINAL = {Status.APPLIED, Status.REJECTED, Status.FAILED}


def test_concurrent_creates_of_one_email_in_any_case_exactly_one_wins(
    deployment: Deployment,
) -> None:
    backend = deployment.unbatched()
    variants = [" dup@example.com", "DUP@example.com", "Dup@Example.Com ", "dup@EXAMPLE.com"]
    emails = [variants[i % 4] for i in range(20)]
    receipts = []
    lock = threading.Lock()

    def create(i: int) -> None:
        receipt = as_admin(backend, create_user(f"auth0|dup-{i}", emails[i]))
        with lock:
            receipts.append(receipt)

    run_all([functools.partial(create, i) for i in range(20)])
    run_command_stage_concurrently(backend, threads=4)
    deployment.drain()

    created = [r for h in all_histories(backend) for r in h if r.type == "UserCreated"]
    assert len(created) == 1
    records = [backend.commands.get(r.id) for r in receipts]
    assert Counter(r.status for r in records if r) == {Status.APPLIED: 1, Status.REJECTED: 19}
    assert {r.error.code for r in records if r and r.error} == {"DUPLICATE"}


@pytest.mark.parametrize("first", ["create", "delete"])
def test_a_user_never_points_at_a_role_deleted_concurrently(
    deployment: Deployment, first: str
) -> None:
    """One receive takes both commands (they are in different groups) and runs them in the
    order they were submitted, so each order is exercised by submitting in it: whichever runs
    first wins, the other is refused, and the role's reference count says what the store holds."""
    backend = deployment.unbatched()
    for round_ in range(4):
        role_id = new_id()
        as_admin(backend, create_role(role_id, f"race-{first}-{round_}"))
        deployment.drain()
        user_id = f"auth0|racer-{first}-{round_}"
        create_command = create_user(
            user_id, f"racer-{first}-{round_}@example.com", role_ids=(role_id,)
        )
        delete_command = c.DeleteRole(id=role_id)
        if first == "create":
            create = as_admin(backend, create_command)
            delete = as_admin(backend, delete_command)
        else:
            delete = as_admin(backend, delete_command)
            create = as_admin(backend, create_command)
        run_command_stage_concurrently(backend, threads=2)
        deployment.drain()

        outcome = statuses(backend, [create, delete])
        assert sorted(outcome) == [Status.APPLIED, Status.REJECTED]
        user = backend.views.get("user", user_id)
        role = backend.views.get("role", role_id)
        assert role is not None
        if user is not None and not user.deleted:
            assert user.data is not None and user.data["role_ids"] == [role_id]
            assert not role.deleted

        if first == "create":
            assert outcome == [Status.APPLIED, Status.REJECTED]
            assert error_code(backend, delete) == "CONFLICT"
            assert user is not None and not user.deleted
            # The role counts its one user: deleting it is refused until the user is gone.
            refused = as_admin(backend, c.DeleteRole(id=role_id))
            deployment.drain()
            assert error_code(backend, refused) == "CONFLICT"
            assert "still referenced by 1 user or group" in error_message(backend, refused)
            as_admin(backend, c.DeleteUser(id=user_id))
            deployment.drain()
            allowed = as_admin(backend, c.DeleteRole(id=role_id))
            deployment.drain()
            assert statuses(backend, [allowed]) == [Status.APPLIED]
        else:
            assert outcome == [Status.REJECTED, Status.APPLIED]
            assert error_code(backend, create) == "NOT_FOUND"
            assert user is None and role.deleted
            # The deleted role takes no new references.
            late = as_admin(
                backend, create_user(f"{user_id}-late", f"late-{round_}@x.io", role_ids=(role_id,))
            )
            deployment.drain()
            assert error_code(backend, late) == "NOT_FOUND"


def error_code(backend: Backend, record: CommandRecord) -> str | None:
    stored = backend.commands.get(record.id)
    assert stored is not None
    return stored.error.code if stored.error else None


def error_message(backend: Backend, record: CommandRecord) -> str:
    stored = backend.commands.get(record.id)
    assert stored is not None and stored.error is not None
    return stored.error.message


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_message_delivered_twice_and_shuffled_across_streams_leaves_views_equal_to_the_fold(
    deployment: Deployment, seed: int
) -> None:
    rng = random.Random(seed)
    backend = deployment.backend
    receipts = [as_admin(backend, command) for command in mixed_commands(rng)]

    for body in twice_shuffled(rng, take_all(backend.command_queue)):
        handle_command(backend, body)
    records = [r for h in all_histories(backend) for r in h]
    for body in twice_shuffled(
        rng, [OutMessage(r.to_json(), r.stream, r.event_id) for r in records]
    ):
        handle_event(backend, body)

    assert_views_match_store(backend)
    assert set(statuses(backend, receipts)) <= {Status.APPLIED, Status.REJECTED}


def take_all(queue: Queue) -> list[OutMessage]:
    taken = []
    while messages := queue.receive(10):
        for m in messages:
            taken.append(OutMessage(m.body, m.group, m.id))
            queue.ack(m)
    return taken


def twice_shuffled(rng: random.Random, messages: list[OutMessage]) -> list[str]:
    """Each message twice, the copy anywhere after the original; streams interleaved at
    random, each stream's originals in order (as a FIFO group keeps them)."""
    lanes: dict[str, list[str]] = {}
    for m in messages:
        lanes.setdefault(m.group, []).append(m.body)
    for lane in lanes.values():
        for body in list(lane):
            lane.insert(rng.randint(lane.index(body) + 1, len(lane)), body)
    remaining = [lane for lane in lanes.values() if lane]
    merged = []
    while remaining:
        lane = rng.choice(remaining)
        merged.append(lane.pop(0))
        if not lane:
            remaining.remove(lane)
    return merged


@pytest.mark.parametrize("seed", [11, 12])
def test_a_consumer_killed_between_receive_and_acknowledge_loses_nothing(
    deployment: Deployment, seed: int
) -> None:
    rng = random.Random(seed)
    backend = deployment.backend
    receipts = [as_admin(backend, command) for command in mixed_commands(rng)]
    kills = 0
    for _ in range(6):
        run = subprocess.run(
            [*deployment.consumer_argv, "--kill-after", str(rng.randint(1, 120))],
            check=False,
            timeout=120,
            capture_output=True,
        )
        kills += run.returncode == -9
        assert run.returncode in (0, -9), run.stderr.decode()
    assert kills, "no consumer was killed: the test proved nothing"
    final = subprocess.run(deployment.consumer_argv, check=False, timeout=120, capture_output=True)
    assert final.returncode == 0, final.stderr.decode()

    assert set(statuses(backend, receipts)) <= TERMINAL
    assert_views_match_store(backend)
    assert_versions_gap_free(backend)


def test_replay_from_rebuilds_deleted_and_corrupted_rows(deployment: Deployment) -> None:
    rng = random.Random(5)
    backend = deployment.backend
    for command in mixed_commands(rng):
        as_admin(backend, command)
    deployment.drain()
    rows = [r for r in folded_rows(backend).values() if not r.deleted]
    gone, garbled, ahead = rows[0], rows[1], rows[2]
    deployment.delete_view_row(gone.kind, gone.id)
    assert garbled.data is not None
    backend.views.replace(
        _with(garbled, data={**garbled.data, "name": "garbage", "email": "x@y.z"})
    )
    backend.views.replace(_with(ahead, version=ahead.version + 40))

    replay = as_admin(backend, c.ReplayFrom(timestamp=EPOCH))
    deployment.drain()

    assert statuses(backend, [replay]) == [Status.APPLIED]
    assert_views_match_store(backend)


def test_replay_never_puts_an_older_row_over_a_newer_one(deployment: Deployment) -> None:
    backend = deployment.backend
    group_id = new_id()
    as_admin(backend, c.CreateGroup(id=group_id, name="ops", description="on call"))
    as_admin(backend, c.UpdateGroup(id=group_id, description="on call, weekends"))
    deployment.drain()
    newer = backend.views.get("group", group_id)
    assert newer is not None and newer.version == 2
    older = _with(newer, version=1, data={**(newer.data or {}), "description": "on call"})
    assert not backend.views.replace(older)
    assert backend.views.get("group", group_id) == newer


def _with(
    row: ViewRow, *, version: int | None = None, data: dict[str, Any] | None = None
) -> ViewRow:
    """The row with another version and/or other data."""
    return replace(
        row,
        version=row.version if version is None else version,
        data=row.data if data is None else data,
    )


def test_a_malformed_command_never_reaches_the_event_store(deployment: Deployment) -> None:
    backend = deployment.backend
    bad = as_admin(backend, create_user("auth0|bad", "not-an-email"))
    deployment.drain()
    (record,) = [backend.commands.get(bad.id)]
    assert record is not None and record.status is Status.REJECTED
    assert record.error is not None and (record.error.code, record.error.field) == (
        "VALIDATION",
        "email",
    )
    assert backend.events.load("user#auth0|bad") == []


def test_unreadable_messages_fail_alone_and_other_streams_flow(deployment: Deployment) -> None:
    backend = deployment.backend
    garbled = backend.commands.record(queued_record())
    backend.command_queue.send(
        [
            OutMessage("{not json", "user#x", "garbage"),
            OutMessage(f'{{"command_id": "{garbled.id}", "name": "Nope"}}', "group#g", garbled.id),
        ]
    )
    fine = as_admin(backend, c.CreateGroup(id=new_id(), name="fine", description="flows"))
    deployment.drain()
    assert statuses(backend, [fine, garbled]) == [Status.APPLIED, Status.FAILED]
    failed = backend.commands.get(garbled.id)
    assert failed is not None and failed.error is not None
    assert failed.error.code == "INTERNAL" and "unreadable" in failed.error.message


class FailingStream:
    """An event store that fails every load of one stream, as a persistent fault would."""

    def __init__(self, store: EventStore, stream: str) -> None:
        self.store, self.stream = store, stream

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def load(self, stream: str) -> list[RecordedEvent]:
        if stream == self.stream:
            raise OSError("the disk is on fire")
        return self.store.load(stream)

    def group_tree(self) -> GroupTree:
        return self.store.group_tree()

    def append(
        self,
        stream: str,
        expected_version: int,
        events: Sequence[RecordedEvent],
        effects: Effects,
    ) -> None:
        self.store.append(stream, expected_version, events, effects)

    def histories_since(
        self, timestamp: datetime, after: str = ""
    ) -> Iterator[list[RecordedEvent]]:
        return self.store.histories_since(timestamp, after)


def test_a_command_failing_every_retry_ends_failed_without_blocking_others(
    deployment: Deployment,
) -> None:
    backend = deployment.backend
    doomed_id, fine_id = new_id(), new_id()
    doomed = as_admin(backend, c.CreateGroup(id=doomed_id, name="doomed", description="x"))
    fine = as_admin(backend, c.CreateGroup(id=fine_id, name="fine", description="x"))
    faulty = replace(backend, events=FailingStream(backend.events, f"group#{doomed_id}"))
    deliveries = run_command_stage(faulty)
    deployment.drain()

    assert statuses(backend, [doomed, fine]) == [Status.FAILED, Status.APPLIED]
    failed = backend.commands.get(doomed.id)
    assert failed is not None and failed.error is not None
    assert "disk is on fire" in failed.error.message
    assert deliveries == MAX_DELIVERIES + 1  # the doomed one's tries and the fine one
    assert backend.events.load(f"group#{doomed_id}") == []


class FailingAcceptance:
    """A command log whose first `times` writes of ACCEPTED fail: the command's events are
    appended, then recording the outcome fails, on every delivery."""

    def __init__(self, log: CommandLog, times: int) -> None:
        self.log, self.left = log, times

    def __getattr__(self, name: str) -> object:
        return getattr(self.log, name)

    def record(self, record: CommandRecord) -> CommandRecord:
        return self.log.record(record)

    def get(self, command_id: str) -> CommandRecord | None:
        return self.log.get(command_id)

    def about(self, aggregate_id: str, limit: int) -> list[CommandRecord]:
        return self.log.about(aggregate_id, limit)

    def advance(
        self,
        command_id: str,
        status: Status,
        at: datetime,
        version: int | None = None,
        error: CommandError | None = None,
    ) -> bool:
        if status is Status.ACCEPTED and self.left > 0:
            self.left -= 1
            raise OSError("the status write failed")
        return self.log.advance(command_id, status, at, version, error)


def test_a_command_given_up_after_its_events_were_stored_is_not_failed(
    deployment: Deployment,
) -> None:
    """Whatever a command's last word is, the store agrees with it: FAILED with none of its
    events stored (rolled back with the failed delivery), or its events stored and it goes on
    to APPLIED (a store without transactions keeps them)."""
    backend = deployment.backend
    group_id = new_id()
    receipt = as_admin(backend, c.CreateGroup(id=group_id, name="half", description="x"))
    faulty = replace(backend, commands=FailingAcceptance(backend.commands, MAX_DELIVERIES))
    run_command_stage(faulty)
    deployment.drain()

    stored = backend.events.load(f"group#{group_id}")
    [status] = statuses(backend, [receipt])
    if stored:
        assert status is Status.APPLIED
        assert backend.views.get("group", group_id) is not None
    else:
        assert status is Status.FAILED
        assert backend.views.get("group", group_id) is None
    # The name was claimed only if the group exists: a new group may take it otherwise.
    again = as_admin(backend, c.CreateGroup(id=new_id(), name="half", description="y"))
    deployment.drain()
    assert statuses(backend, [again]) == [Status.REJECTED if stored else Status.APPLIED]


def test_an_update_that_changes_nothing_is_applied_without_an_event(deployment: Deployment) -> None:
    backend = deployment.backend
    group_id = new_id()
    as_admin(backend, c.CreateGroup(id=group_id, name="same", description="same"))
    noop = as_admin(backend, c.UpdateGroup(id=group_id, name=" same ", description="same"))
    deployment.drain()
    record = backend.commands.get(noop.id)
    assert record is not None and (record.status, record.version) == (Status.APPLIED, 1)
    assert len(backend.events.load(f"group#{group_id}")) == 1


def test_a_stale_expected_version_is_rejected_with_conflict(deployment: Deployment) -> None:
    backend = deployment.backend
    group_id = new_id()
    as_admin(backend, c.CreateGroup(id=group_id, name="v", description="one"))
    as_admin(backend, c.UpdateGroup(id=group_id, description="two", expected_version=1))
    stale = as_admin(backend, c.UpdateGroup(id=group_id, description="three", expected_version=1))
    deployment.drain()
    record = backend.commands.get(stale.id)
    assert record is not None and record.status is Status.REJECTED
    assert record.error is not None and record.error.code == "CONFLICT"
    view = backend.views.get("group", group_id)
    assert view is not None and view.data is not None and view.data["description"] == "two"


def test_the_same_command_id_runs_once(deployment: Deployment) -> None:
    backend = deployment.backend
    group_id, command_id = new_id(), new_id()
    command = c.CreateGroup(id=group_id, name="once", description="only once")
    first = as_admin(backend, command, command_id=command_id)
    deployment.drain()
    second = as_admin(backend, command, command_id=command_id)
    deployment.drain()
    assert first.id == second.id == command_id
    assert second.status is Status.APPLIED
    assert len(backend.events.load(f"group#{group_id}")) == 1


def test_a_command_id_reused_for_another_command_is_refused(deployment: Deployment) -> None:
    backend = deployment.backend
    command_id = new_id()
    as_admin(backend, c.CreateGroup(id=new_id(), name="a", description="a"), command_id=command_id)
    with pytest.raises(DomainError) as refused:
        as_admin(
            backend, c.CreateGroup(id=new_id(), name="b", description="b"), command_id=command_id
        )
    assert refused.value.field == "command_id"


def test_an_email_given_up_can_be_taken_by_another_user(deployment: Deployment) -> None:
    backend = deployment.backend
    as_admin(backend, create_user("auth0|old", "shared@example.com"))
    as_admin(backend, c.UpdateUser(id="auth0|old", email="mine@example.com"))
    deployment.drain()
    taker = as_admin(backend, create_user("auth0|new", "Shared@Example.com"))
    deployment.drain()
    assert statuses(backend, [taker]) == [Status.APPLIED]


def test_consumers_in_several_processes_share_the_work_without_doing_it_twice(
    deployment: Deployment,
) -> None:
    rng = random.Random(21)
    backend = deployment.backend
    receipts = [as_admin(backend, command) for command in mixed_commands(rng, users=30)]
    consumers = [subprocess.Popen(deployment.consumer_argv) for _ in range(3)]
    more = [as_admin(backend, command) for command in mixed_commands(rng, users=10)]
    for consumer in consumers:
        assert consumer.wait(timeout=120) == 0
    deployment.drain()

    assert set(statuses(backend, receipts + more)) <= {Status.APPLIED, Status.REJECTED}
    assert_views_match_store(backend)
    assert_versions_gap_free(backend)
