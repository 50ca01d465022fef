"""A store written by the code before emails compared in NFKC (tests/fixtures/
old_email_claims.sql, made by make_old_email_claims.py at that commit), opened by today's code:
the file migrates as it opens, its users' emails block every NFKC equivalent, and deleting
them frees each email. No email locked for good, none taken twice."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain import commands as c
from infra.sqlite import open_backend
from infra.sqlite.backend import DB_FILE, EmbeddedBackend
from pipeline.records import Status
from pipeline.runner import Runner, RunnerSettings
from tests.fixtures.make_old_email_claims import FULL_WIDTH, OUT, USERS, ZERO_WIDTH
from tests.support.builders import as_admin, create_user

OWNERS = {email: user_id for user_id, email in USERS.items()}


@pytest.fixture
def old_store(tmp_path: Path) -> Iterator[EmbeddedBackend]:
    data = tmp_path / "data"
    data.mkdir()
    with sqlite3.connect(data / DB_FILE) as conn:
        conn.executescript(OUT.read_text(encoding="utf-8"))
    backend = open_backend(data)
    yield backend
    backend.close()


def settle(backend: EmbeddedBackend, command: c.Command) -> tuple[Status, str | None]:
    receipt = as_admin(backend, command)
    Runner(backend, RunnerSettings(retry_base_s=0)).run_until_idle()
    record = backend.commands.get(receipt.id)
    assert record is not None
    return record.status, record.error.code if record.error else None


EQUIVALENTS = {
    FULL_WIDTH: ["full@example.com", "Full@Example.COM", FULL_WIDTH, "\uff26ULL@example.com"],
    ZERO_WIDTH: ["zerowidth@example.com", "ZeroWidth@example.com"],
}
CASES = [(old, twin) for old, twins in EQUIVALENTS.items() for twin in twins]


@pytest.mark.parametrize(("old", "twin"), CASES)
def test_an_old_users_email_blocks_every_nfkc_equivalent(
    old_store: EmbeddedBackend, old: str, twin: str
) -> None:
    assert settle(old_store, create_user("auth0|twin", twin)) == (Status.REJECTED, "DUPLICATE")


@pytest.mark.parametrize(("old", "twin"), CASES)
def test_once_the_old_user_is_deleted_the_email_is_free(
    old_store: EmbeddedBackend, old: str, twin: str
) -> None:
    assert settle(old_store, c.DeleteUser(id=OWNERS[old])) == (Status.APPLIED, None)
    assert settle(old_store, create_user("auth0|heir", twin)) == (Status.APPLIED, None)
    assert old_store.db is not None
    left = old_store.db.conn().execute(
        "SELECT count(*) FROM claims WHERE owner = ?", (f"user#{OWNERS[old]}",)
    )
    assert left.fetchone() == (0,)


def test_the_email_filter_finds_an_old_user_by_any_equivalent(old_store: EmbeddedBackend) -> None:
    from domain.rules import email_filter
    from pipeline.ports import ViewFilter

    found = old_store.views.page("user", 10, None, ViewFilter(email_key=email_filter("FULL@x")))
    assert found == []
    key = email_filter(" Full@Example.com ")
    found = old_store.views.page("user", 10, None, ViewFilter(email_key=key))
    assert [row.id for row in found] == [OWNERS[FULL_WIDTH]]


def test_the_migration_runs_once(old_store: EmbeddedBackend, tmp_path: Path) -> None:
    assert old_store.db is not None
    conn = old_store.db.conn()
    from infra.sqlite.migrations import MIGRATIONS

    assert conn.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
    claims = conn.execute("SELECT count(*) FROM claims").fetchone()
    old_store.close()
    again = open_backend(tmp_path / "data")
    assert again.db is not None
    assert again.db.conn().execute("SELECT count(*) FROM claims").fetchone() == claims
    again.close()
