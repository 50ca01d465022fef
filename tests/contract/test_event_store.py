"""The event store's promises, on every backend."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from domain.aggregate import Claim
from domain.model import Effects
from pipeline.ports import ClaimTaken, TargetMissing, TargetReferenced, VersionConflict
from pipeline.records import RecordedEvent
from tests.support.builders import new_id
from tests.support.deployments import Deployment

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def group_created(group_id: str, command_id: str, at: datetime = T0) -> RecordedEvent:
    return RecordedEvent(
        stream=f"group#{group_id}",
        version=1,
        type="GroupCreated",
        data={"id": group_id, "name": "g", "description": "d"},
        occurred_at=at,
        command_id=command_id,
        actor="tester",
    )


def test_two_writers_of_the_same_version_exactly_one_wins(deployment: Deployment) -> None:
    store = deployment.backend.events
    group_id = new_id()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def write(command_id: str) -> None:
        barrier.wait()
        try:
            store.append(f"group#{group_id}", 0, [group_created(group_id, command_id)], Effects())
            outcomes.append("won")
        except VersionConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=write, args=(f"c{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "won"]
    assert len(store.load(f"group#{group_id}")) == 1


def test_a_stale_expected_version_is_a_conflict(deployment: Deployment) -> None:
    store = deployment.backend.events
    group_id = new_id()
    store.append(f"group#{group_id}", 0, [group_created(group_id, "a")], Effects())
    with pytest.raises(VersionConflict):
        store.append(f"group#{group_id}", 0, [group_created(group_id, "b")], Effects())


def test_a_stale_append_is_a_conflict_even_when_its_claim_is_taken(
    deployment: Deployment,
) -> None:
    """The lost race comes first: the command stage decides again on a conflict, and its new
    decision may not need the claim it was refused (here, its own stream holds it)."""
    store = deployment.backend.events
    group_id = new_id()
    claim = Effects(take=frozenset({Claim("group-name", "admins")}))
    store.append(f"group#{group_id}", 0, [group_created(group_id, "a")], claim)
    with pytest.raises(VersionConflict):
        store.append(f"group#{group_id}", 0, [group_created(group_id, "b")], claim)
    assert len(store.load(f"group#{group_id}")) == 1


def test_a_taken_claim_refuses_the_whole_append(deployment: Deployment) -> None:
    store = deployment.backend.events
    first, second = new_id(), new_id()
    claim = Effects(take=frozenset({Claim("group-name", "admins")}))
    store.append(f"group#{first}", 0, [group_created(first, "a")], claim)
    with pytest.raises(ClaimTaken):
        store.append(f"group#{second}", 0, [group_created(second, "b")], claim)
    assert store.load(f"group#{second}") == []


def test_a_released_claim_can_be_taken_by_another(deployment: Deployment) -> None:
    store = deployment.backend.events
    first, second = new_id(), new_id()
    claim = Claim("group-name", "admins")
    store.append(f"group#{first}", 0, [group_created(first, "a")], Effects(take=frozenset({claim})))
    deleted = RecordedEvent(
        stream=f"group#{first}",
        version=2,
        type="GroupDeleted",
        data={"id": first},
        occurred_at=T0,
        command_id="b",
        actor="tester",
    )
    store.append(f"group#{first}", 1, [deleted], Effects(release=frozenset({claim})))
    store.append(
        f"group#{second}", 0, [group_created(second, "c")], Effects(take=frozenset({claim}))
    )
    assert len(store.load(f"group#{second}")) == 1


def test_references_need_a_target_and_block_its_deletion(deployment: Deployment) -> None:
    store = deployment.backend.events
    target, holder = new_id(), new_id()
    with pytest.raises(TargetMissing):
        store.append(
            f"group#{holder}",
            0,
            [group_created(holder, "x")],
            Effects(reference=frozenset({f"group#{target}"})),
        )
    store.append(
        f"group#{target}",
        0,
        [group_created(target, "t")],
        Effects(create_target=f"group#{target}"),
    )
    store.append(
        f"group#{holder}",
        0,
        [group_created(holder, "h")],
        Effects(reference=frozenset({f"group#{target}"})),
    )
    deleted = RecordedEvent(
        stream=f"group#{target}",
        version=2,
        type="GroupDeleted",
        data={"id": target},
        occurred_at=T0,
        command_id="d",
        actor="tester",
    )
    with pytest.raises(TargetReferenced) as refused:
        store.append(f"group#{target}", 1, [deleted], Effects(delete_target=f"group#{target}"))
    assert refused.value.count == 1
    assert len(store.load(f"group#{target}")) == 1


def test_histories_since_lists_whole_streams_touched_at_or_after(deployment: Deployment) -> None:
    store = deployment.backend.events
    old, touched = new_id(), new_id()
    store.append(f"group#{old}", 0, [group_created(old, "o", T0)], Effects())
    store.append(f"group#{touched}", 0, [group_created(touched, "t", T0)], Effects())
    later = T0 + timedelta(hours=1)
    update = RecordedEvent(
        stream=f"group#{touched}",
        version=2,
        type="GroupUpdated",
        data={"id": touched, "name": "renamed"},
        occurred_at=later,
        command_id="u",
        actor="t",
    )
    store.append(f"group#{touched}", 1, [update], Effects())
    histories = list(store.histories_since(later))
    assert [[r.version for r in h] for h in histories] == [[1, 2]]
    assert histories[0][0].stream == f"group#{touched}"


def test_histories_since_come_in_stream_order_and_resume_after_a_stream(
    deployment: Deployment,
) -> None:
    store = deployment.backend.events
    ids = [new_id() for _ in range(4)]
    for group_id in ids:
        store.append(f"group#{group_id}", 0, [group_created(group_id, group_id, T0)], Effects())
    mine = {f"group#{group_id}" for group_id in ids}
    streams = [h[0].stream for h in store.histories_since(T0) if h[0].stream in mine]
    assert streams == sorted(mine)
    rest = [h[0].stream for h in store.histories_since(T0, streams[1]) if h[0].stream in mine]
    assert rest == streams[2:]
