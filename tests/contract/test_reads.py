"""History and as-of reads, folded from the store."""

from __future__ import annotations

from datetime import timedelta

from domain import commands as c
from pipeline.reads import as_of, history
from tests.support.builders import as_admin, new_id
from tests.support.deployments import Deployment


def test_history_lists_events_in_version_order_and_as_of_folds_to_an_instant(
    deployment: Deployment,
) -> None:
    backend = deployment.backend
    group_id = new_id()
    as_admin(backend, c.CreateGroup(id=group_id, name="ops", description="v1"))
    deployment.drain()
    as_admin(backend, c.UpdateGroup(id=group_id, description="v2"))
    deployment.drain()
    as_admin(backend, c.DeleteGroup(id=group_id))
    deployment.drain()

    events = history(backend.events, group_id)
    assert [(e.version, e.type) for e in events] == [
        (1, "GroupCreated"),
        (2, "GroupUpdated"),
        (3, "GroupDeleted"),
    ]
    created, updated, deleted = (e.occurred_at for e in events)
    assert as_of(backend.events, "group", group_id, created - timedelta(milliseconds=1)) is None
    first = as_of(backend.events, "group", group_id, created)
    assert first is not None and first.data is not None and first.data["description"] == "v1"
    if updated < deleted:  # same millisecond would make the middle state unobservable
        second = as_of(backend.events, "group", group_id, updated)
        assert second is not None and second.data is not None
        assert second.data["description"] == "v2"
    assert as_of(backend.events, "group", group_id, deleted) is None


def test_history_of_an_unknown_id_is_empty(deployment: Deployment) -> None:
    assert history(deployment.backend.events, new_id()) == []
