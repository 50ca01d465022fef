"""A store written before issue 13 (one roleId and groupId per user, groups without parents or
roles) keeps working after the upgrade: its events are upcast as they are read, a replay from
the beginning rebuilds the new views from them, and new commands run against it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from domain import commands as c
from infra.sqlite import open_backend
from pipeline.authz import Grant, can, effective_permissions
from pipeline.ports import ViewFilter
from pipeline.replay import replay_from
from pipeline.runner import Runner, RunnerSettings
from tests.support.builders import as_admin, statuses

FIXTURE = Path(__file__).parent.parent / "fixtures" / "store_before_issue13.sql"
READ, APPROVE = "a0000000-0000-4000-8000-000000000001", "a0000000-0000-4000-8000-000000000002"
READER, APPROVER = "b0000000-0000-4000-8000-000000000001", "b0000000-0000-4000-8000-000000000002"
FINANCE, SALES = "c0000000-0000-4000-8000-000000000001", "c0000000-0000-4000-8000-000000000002"


def test_an_old_store_replays_into_the_new_views_and_takes_new_commands(tmp_path: Path) -> None:
    backend = open_backend(tmp_path)
    assert backend.db is not None
    with backend.db.transaction() as conn:  # the store's tables, as the old code left them
        for line in FIXTURE.read_text().splitlines():
            if line.startswith("INSERT"):
                conn.execute(line)

    report = replay_from(backend, datetime(2000, 1, 1, tzinfo=UTC))
    assert report.streams == 11

    def data(kind: str, aggregate_id: str) -> dict[str, object]:
        row = backend.views.get(kind, aggregate_id)
        assert row is not None and row.data is not None
        return row.data

    # Old UserCreated (v2) and UserUpdated (v1) shapes, upcast: one id becomes a list of one.
    assert (data("user", "auth0|ada")["role_ids"], data("user", "auth0|ada")["group_ids"]) == (
        [APPROVER],
        [FINANCE],
    )
    assert (data("user", "auth0|bob")["role_ids"], data("user", "auth0|bob")["group_ids"]) == (
        [],
        [SALES],
    )
    assert (data("user", "auth0|cy")["role_ids"], data("user", "auth0|cy")["group_ids"]) == (
        [READER],
        [],
    )
    assert data("user", "auth0|dee")["role_ids"] == []  # UserRegistered never had them
    assert data("group", FINANCE)["parent_id"] is None and data("group", FINANCE)["role_ids"] == []
    gone = backend.views.get("user", "auth0|gone")
    assert gone is not None and gone.deleted

    # The new views answer filters and checks.
    views = backend.views
    assert [r.id for r in views.page("user", 10, None, ViewFilter(role_id=READER))] == ["auth0|cy"]
    assert [r.id for r in views.page("user", 10, None, ViewFilter(group_id=SALES))] == ["auth0|bob"]
    assert can(views, "auth0|ada", "approve SPEND").via == (Grant(APPROVER),)
    assert not can(views, "auth0|bob", "read reports").allowed
    assert [p.authorization_id for p in effective_permissions(views, "auth0|cy")] == [READ]

    # New commands against the old store: its reference counts carried over.
    receipts = [
        as_admin(backend, c.UpdateGroup(id=SALES, parent_id=FINANCE, role_ids=(READER,))),
        as_admin(backend, c.DeleteRole(id=READER)),  # held by cy and now by Sales
        as_admin(backend, c.DeleteGroup(id=FINANCE)),  # ada is a member; Sales is below it
    ]
    Runner(backend, RunnerSettings(retry_base_s=0)).run_until_idle()
    assert statuses(backend, receipts) == ["APPLIED", "REJECTED", "REJECTED"]
    assert can(views, "auth0|bob", "read reports").via == (Grant(READER, (SALES,)),)
    backend.close()
