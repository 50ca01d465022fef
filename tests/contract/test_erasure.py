"""eraseUser and eraseMe through the pipeline, on every backend: what remains after erasure
(ids, versions, times, roles) and what does not (the person's data, their record, their claim)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

from domain import commands as c
from domain.codec import iso_datetime
from pipeline import reads
from pipeline.ports import ViewFilter
from pipeline.records import Status
from pipeline.submit import submit
from tests.support.builders import as_admin, create_role, create_user, new_id, statuses
from tests.support.deployments import Deployment

PERSON = "auth0|erasable"
EMAIL = "Zephyrine.Quillfeather@example.com"


def _erased_after_a_life(deployment: Deployment) -> tuple[str, list[str]]:
    backend = deployment.backend
    role = new_id()
    as_admin(backend, create_role(role, f"r-{role}"))
    steps = [
        as_admin(backend, create_user(PERSON, EMAIL, role_ids=[role])),
        as_admin(backend, c.UpdateUser(id=PERSON, first_name="Zephyrine", last_name="Quill")),
        as_admin(backend, c.BlockUser(id=PERSON, reason="Zephyrine broke the rules")),
        as_admin(backend, c.UnblockUser(id=PERSON)),
        as_admin(backend, c.EraseUser(id=PERSON)),
    ]
    deployment.drain()
    assert statuses(backend, steps) == [Status.APPLIED] * 5
    return role, [s.id for s in steps]


def test_an_erased_user_is_gone_from_every_read_but_their_history(
    deployment: Deployment,
) -> None:
    backend = deployment.backend
    before = backend.clock()
    role, command_ids = _erased_after_a_life(deployment)

    assert backend.views.get_many("user", [PERSON]) == {}
    assert reads.as_of(backend.events, "user", PERSON, before + timedelta(days=1)) is None
    for where in (None, ViewFilter(status="DELETED"), ViewFilter(role_id=role)):
        assert [r.id for r in backend.views.page("user", 10, None, where)] == []

    history = reads.history(backend.events, PERSON)
    assert [r.type for r in history] == [
        "UserCreated",
        "UserUpdated",
        "UserBlocked",
        "UserUnblocked",
        "UserErased",
    ]
    assert [r.version for r in history] == [1, 2, 3, 4, 5]
    assert [r.command_id for r in history] == command_ids
    created, updated, blocked = history[0], history[1], history[2]
    assert created.data["role_ids"] == [role]
    assert created.erased
    assert {f: created.data[f] for f in created.erased} == dict.fromkeys(
        ("email", "first_name", "last_name", "birth_date")
    )
    assert set(updated.erased) == {"first_name", "last_name"}
    assert blocked.erased == ("reason",) and blocked.data["reason"] is None
    assert "Zephyrine" not in repr([r.data for r in history])


def test_the_erased_id_stays_taken_and_the_email_and_role_are_released(
    deployment: Deployment,
) -> None:
    backend = deployment.backend
    role, _ = _erased_after_a_life(deployment)
    again = submit(
        backend,
        c.RegisterMe(id=PERSON, email="new@example.com", first_name="N", last_name="N"),
        actor=PERSON,
        admin=False,
    )
    restore = as_admin(backend, c.RestoreUser(id=PERSON))
    twice = as_admin(backend, c.EraseUser(id=PERSON))
    taker = as_admin(backend, create_user("auth0|taker", EMAIL.upper()))
    drop_role = as_admin(backend, c.DeleteRole(id=role))
    deployment.drain()

    assert statuses(backend, [again, restore, twice, taker, drop_role]) == [
        Status.REJECTED,
        Status.REJECTED,
        Status.REJECTED,
        Status.APPLIED,
        Status.APPLIED,
    ]
    errors = [backend.commands.get(r.id) for r in (again, restore, twice)]
    codes = [e.error.code for e in errors if e and e.error]
    assert codes == ["DUPLICATE", "NOT_FOUND", "NOT_FOUND"]


def test_erase_me_erases_a_blocked_and_a_deleted_user_alike(deployment: Deployment) -> None:
    backend = deployment.backend
    as_admin(backend, create_user("auth0|held", "held@example.com"))
    as_admin(backend, create_user("auth0|gone", "gone@example.com"))
    as_admin(backend, c.BlockUser(id="auth0|held", reason="r"))
    as_admin(backend, c.DeleteUser(id="auth0|gone"))
    deployment.drain()
    mine = submit(backend, c.EraseMe(id="auth0|held"), actor="auth0|held", admin=False)
    other = submit(backend, c.EraseMe(id="auth0|gone"), actor="auth0|held", admin=False)
    gone = as_admin(backend, c.EraseUser(id="auth0|gone"))
    deployment.drain()

    assert statuses(backend, [mine, other, gone]) == [
        Status.APPLIED,
        Status.REJECTED,
        Status.APPLIED,
    ]
    for person in ("auth0|held", "auth0|gone"):
        row = backend.views.get("user", person)
        assert row is None or row.data is None


def test_the_export_after_erasure_says_only_that_and_when(deployment: Deployment) -> None:
    from resolvers import export

    backend = deployment.backend
    _erased_after_a_life(deployment)
    erased_at = reads.history(backend.events, PERSON)[-1].occurred_at
    info: Any = SimpleNamespace(context=SimpleNamespace(backend=backend))

    out = export.export(info, PERSON, None)

    assert out.pop("exportedAt")
    assert out == {
        "format": export.FORMAT,
        "userId": PERSON,
        "erased": True,
        "erasedAt": iso_datetime(erased_at),
    }


def test_a_person_written_before_sealing_is_erased_by_redacting_their_events(
    deployment: Deployment,
) -> None:
    from datetime import UTC, datetime

    from domain.aggregate import Claim
    from domain.model import Effects
    from pipeline.records import RecordedEvent

    backend = deployment.backend
    stream = f"user#{PERSON}"
    clear = RecordedEvent(
        stream=stream,
        version=1,
        type="UserCreated",
        data={"id": PERSON, "email": EMAIL, "first_name": "Zephyrine", "last_name": "Quill"},
        occurred_at=datetime(2026, 11, 1, tzinfo=UTC),
        command_id="before-sealing",
        actor="auth0|admin",
    )
    store = getattr(backend.events, "inner", backend.events)  # as the code before wrote it
    store.append(stream, 0, [clear], Effects(take=frozenset({Claim("email", EMAIL.lower())})))
    deployment.drain()

    erased = as_admin(backend, c.EraseUser(id=PERSON))
    deployment.drain()

    assert statuses(backend, [erased]) == [Status.APPLIED]
    assert "Zephyrine" not in repr([r.data for r in store.load(stream)])
    (created, _) = reads.history(backend.events, PERSON)
    assert created.erased and created.data["email"] is None
