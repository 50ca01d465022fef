"""A person written before sealing (tests/fixtures/clear_events.sql, made by the code before
it: their events and claim hold their data in clear), opened by today's code: their claim
still holds, and erasing them redacts their old events in place, so the data directory passes
the same byte scan as for a person sealed from the start."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain import commands as c
from infra.sqlite import open_backend
from infra.sqlite.backend import DB_FILE, EmbeddedBackend
from pipeline import reads
from pipeline.records import Status
from pipeline.runner import Runner, RunnerSettings
from tests.fixtures.make_clear_events import OUT, PERSON, PERSONAL
from tests.support.builders import as_admin, create_user, statuses
from tests.support.byte_scan import found_in_files


@pytest.fixture
def data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / DB_FILE) as conn:
        conn.executescript(OUT.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def store(data: Path) -> Iterator[EmbeddedBackend]:
    backend = open_backend(data)
    yield backend
    backend.close()


def test_a_person_written_in_clear_is_erased_by_redaction(
    data: Path, store: EmbeddedBackend
) -> None:
    runner = Runner(store, RunnerSettings(retry_base_s=0))
    assert found_in_files(data, PERSONAL)  # the fixture holds them in clear
    twin = as_admin(store, create_user("auth0|twin", PERSONAL[0].upper()))
    runner.run_until_idle()

    erased = as_admin(store, c.EraseUser(id=PERSON))
    runner.run_until_idle()
    assert found_in_files(data, PERSONAL) == {}
    heir = as_admin(store, create_user("auth0|heir", PERSONAL[0]))
    runner.run_until_idle()

    # The clear claim held until the erasure, which released it.
    assert statuses(store, [twin, erased, heir]) == [
        Status.REJECTED,
        Status.APPLIED,
        Status.APPLIED,
    ]
    history = reads.history(store.events, PERSON)
    assert [r.type for r in history] == ["UserCreated", "UserBlocked", "UserUpdated", "UserErased"]
    assert [r.version for r in history] == [1, 2, 3, 4]
    assert history[1].erased == ("reason",) and history[1].data["blocked_by"] == "auth0|admin"
    assert "Oldwyn" not in repr([r.data for r in history])
