"""Block, restore and the export's reads through the pipeline, on every backend."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from domain import commands as c
from pipeline.ports import ViewFilter
from pipeline.records import Status
from tests.support.builders import as_admin, create_role, create_user, new_id, statuses
from tests.support.deployments import Deployment


def test_a_restore_retakes_the_email_and_only_the_references_that_still_exist(
    deployment: Deployment,
) -> None:
    backend = deployment.backend
    role, group = new_id(), new_id()
    as_admin(backend, create_role(role, f"r-{role}"))
    as_admin(backend, c.CreateGroup(id=group, name=f"g-{group}", description="g"))
    as_admin(
        backend, create_user("auth0|back", "back@example.com", role_ids=[role], group_ids=[group])
    )
    as_admin(backend, c.DeleteUser(id="auth0|back"))
    deployment.drain()
    dropped = as_admin(backend, c.DeleteRole(id=role))  # nobody refers to it while deleted
    restored = as_admin(backend, c.RestoreUser(id="auth0|back"))
    taker = as_admin(backend, create_user("auth0|twin", "BACK@example.com"))
    deployment.drain()

    assert statuses(backend, [dropped, restored, taker]) == [
        Status.APPLIED,
        Status.APPLIED,
        Status.REJECTED,
    ]
    row = backend.views.get("user", "auth0|back")
    assert row is not None and row.data is not None and not row.deleted
    assert (row.data["role_ids"], row.data["group_ids"]) == ([], [group])
    members = backend.views.page("user", 10, None, ViewFilter(group_id=group))
    assert [r.id for r in members] == ["auth0|back"]
    # The group is referenced again: it cannot be deleted under the user.
    refused = as_admin(backend, c.DeleteGroup(id=group))
    deployment.drain()
    assert statuses(backend, [refused]) == [Status.REJECTED]


def test_deleted_and_blocked_users_are_filtered_by_status(deployment: Deployment) -> None:
    backend = deployment.backend
    for name in ("live", "gone", "held", "over"):
        as_admin(backend, create_user(f"auth0|{name}", f"{name}@example.com"))
    as_admin(backend, c.DeleteUser(id="auth0|gone"))
    as_admin(backend, c.BlockUser(id="auth0|held", reason="r"))
    now = backend.clock()
    as_admin(backend, c.BlockUser(id="auth0|over", reason="r", until=now + timedelta(hours=1)))
    deployment.drain()

    def ids(where: ViewFilter | None) -> list[str]:
        return [r.id for r in backend.views.page("user", 10, None, where)]

    assert ids(None) == ["auth0|held", "auth0|live", "auth0|over"]
    assert ids(ViewFilter(status="DELETED")) == ["auth0|gone"]
    assert ids(ViewFilter(status="BLOCKED", now=now)) == ["auth0|held", "auth0|over"]
    later = now + timedelta(hours=2)
    assert ids(ViewFilter(status="BLOCKED", now=later)) == ["auth0|held"]
    assert ids(ViewFilter(status="ACTIVE", now=later)) == ["auth0|live", "auth0|over"]
    email = ViewFilter(email_key="gone@example.com")
    assert ids(email) == [] and ids(dataclasses.replace(email, status="DELETED")) == []
    assert backend.views.get_many("user", ["auth0|gone", "auth0|live"]).keys() == {"auth0|live"}


def test_a_users_commands_are_listed_by_an_index(deployment: Deployment) -> None:
    backend = deployment.backend
    first = as_admin(backend, create_user("auth0|cmds", "cmds@example.com"))
    second = as_admin(backend, c.BlockUser(id="auth0|cmds", reason="r"))
    as_admin(backend, create_user("auth0|other", "other@example.com"))
    deployment.drain()
    found = backend.commands.about("auth0|cmds", 10)
    assert {r.id for r in found} == {first.id, second.id}  # oldest first; one ms may hold both
    assert found[0].submitted_at <= found[1].submitted_at
    assert len(backend.commands.about("auth0|cmds", 1)) == 1


def test_a_user_deleted_before_rows_kept_their_data_is_restored_from_the_store(
    deployment: Deployment,
) -> None:
    backend = deployment.backend
    as_admin(backend, create_user("auth0|old", "old@example.com"))
    as_admin(backend, c.DeleteUser(id="auth0|old"))
    deployment.drain()
    row = backend.views.get("user", "auth0|old")
    assert row is not None
    backend.views.replace(dataclasses.replace(row, data=None, created_at=None))  # as it was
    restored = as_admin(backend, c.RestoreUser(id="auth0|old"))
    deployment.drain()
    assert statuses(backend, [restored]) == [Status.APPLIED]
    back = backend.views.get("user", "auth0|old")
    assert back is not None and back.data is not None and back.data["email"] == "old@example.com"
    assert not back.deleted and back.created_at is not None


def test_the_export_pages_its_events_on_the_cursor(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resolvers import export

    backend = deployment.backend
    as_admin(backend, create_user("auth0|long", "long@example.com"))
    for n in range(3):
        as_admin(backend, c.BlockUser(id="auth0|long", reason=f"r{n}"))
        as_admin(backend, c.UnblockUser(id="auth0|long"))
    deployment.drain()
    monkeypatch.setattr(export, "EVENTS_PAGE", 3)
    info: Any = SimpleNamespace(context=SimpleNamespace(backend=backend))

    pages = [export.export(info, "auth0|long", None)]
    while pages[-1]["next"] is not None:
        pages.append(export.export(info, "auth0|long", pages[-1]["next"]))

    assert [[e["version"] for e in p["events"]] for p in pages] == [[1, 2, 3], [4, 5, 6], [7]]
    assert pages[0]["user"]["status"] == "ACTIVE" and len(pages[0]["commands"]) == 7
    assert all("user" not in p and "commands" not in p for p in pages[1:])
