"""The proof that erasure erases on the embedded backend: after a person's whole lifecycle and
eraseUser, no byte of the data directory (database, WAL, shm) holds their email, names, birth
date or block reason, in any case or encoding the code writes."""

from __future__ import annotations

from pathlib import Path

from domain import commands as c
from infra.sqlite import open_backend
from infra.sqlite.event_store import SqliteEventStore
from pipeline.records import Status
from pipeline.runner import Runner, RunnerSettings
from tests.support.builders import as_admin, statuses
from tests.support.byte_scan import PERSON, PERSONAL, a_life, found_in, found_in_files


def test_nothing_of_an_erased_person_is_left_in_any_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    backend = open_backend(data)
    runner = Runner(backend, RunnerSettings(retry_base_s=0))
    life = a_life()
    steps = [as_admin(backend, command) for command in life]
    runner.run_until_idle()
    # The scan finds the person while they are there (their row holds them in clear) ...
    assert found_in_files(data, PERSONAL)

    steps.append(as_admin(backend, c.EraseUser(id=PERSON)))
    runner.run_until_idle()

    assert statuses(backend, steps) == [Status.APPLIED] * 5
    # ... and nowhere once they are erased, while the server still runs: not in the events,
    # the row, the claims, the queues' deleted messages, free pages or the WAL.
    assert found_in_files(data, PERSONAL) == {}
    backend.close()


def test_a_live_persons_events_and_claims_hold_their_data_only_sealed_or_hashed(
    tmp_path: Path,
) -> None:
    backend = open_backend(tmp_path)
    as_admin(backend, c.CreateUser(id=PERSON, email=PERSONAL[0], first_name="A", last_name="B"))
    as_admin(backend, c.BlockUser(id=PERSON, reason=PERSONAL[6]))
    Runner(backend, RunnerSettings(retry_base_s=0)).run_until_idle()
    assert backend.db is not None

    stored = SqliteEventStore(backend.db).load(f"user#{PERSON}")

    assert [r.type for r in stored] == ["UserCreated", "UserBlocked"]
    assert not found_in(repr([r.data for r in stored]).encode(), PERSONAL)
    claims = backend.db.conn().execute("SELECT value FROM claims").fetchall()
    assert claims and not found_in(repr(claims).encode(), PERSONAL)  # keyed hashes only
    opened = backend.events.load(f"user#{PERSON}")  # as every reader sees them
    assert (opened[0].data["email"], opened[1].data["reason"]) == (PERSONAL[0], PERSONAL[6])
    backend.close()
