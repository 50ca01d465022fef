"""History and as-of reads, folded from the store."""

from __future__ import annotations

from datetime import timedelta

from domain import commands as c
from pipeline.ports import ViewFilter
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


def test_pages_of_many_filters_are_each_filters_own_page(deployment: Deployment) -> None:
    """The members of several groups at once: each group's live members in id order, cut at
    `first` and after the cursor, as one page each would give; an empty group is empty."""
    backend = deployment.backend
    groups = [new_id() for _ in range(3)]
    for n, group_id in enumerate(groups):
        as_admin(backend, c.CreateGroup(id=group_id, name=f"pages-{n}", description="d"))
    deployment.drain()
    for n in range(5):
        for g, group_id in enumerate(groups[:2]):
            user = f"auth0|pages-{g}-{n}"
            as_admin(
                backend,
                c.CreateUser(
                    id=user,
                    email=f"p{g}{n}@example.com",
                    first_name="P",
                    last_name="G",
                    group_ids=(group_id,),
                ),
            )
    deployment.drain()
    as_admin(backend, c.DeleteUser(id="auth0|pages-0-1"))
    deployment.drain()

    wheres = [ViewFilter(group_id=g) for g in groups]
    for first, after in ((3, None), (10, None), (2, "auth0|pages-0-2"), (10, "auth0|pages-1-9")):
        pages = backend.views.pages("user", first, after, wheres)
        assert pages == [backend.views.page("user", first, after, w) for w in wheres]
    [zero, one, empty] = backend.views.pages("user", 10, None, wheres)
    assert [r.id for r in zero] == [f"auth0|pages-0-{n}" for n in (0, 2, 3, 4)]
    assert [r.id for r in one] == [f"auth0|pages-1-{n}" for n in range(5)]
    assert empty == []
    assert backend.views.pages("user", 10, None, []) == []
