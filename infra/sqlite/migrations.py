"""Changes to what an existing file holds, each run once (SQLite's `user_version` counts them),
inside the transaction that opens the file, so every process sees all of them or none."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from domain.rules import email_key


def email_claims_in_nfkc(conn: sqlite3.Connection) -> None:
    """Emails compare in NFKC since 2026-12. A user's claim under the key before it
    (`legacy_email_key`) gets a twin under today's key, so it blocks every NFKC equivalent;
    the user's claims name both, so both go with the user. A key already held by another user
    (two users the new rule calls twins) is left to that user: such pairs were allowed before,
    and neither loses its own claim. The email filter's column is recomputed the same way."""
    claims = conn.execute("SELECT value, owner FROM claims WHERE kind = 'email'").fetchall()
    conn.executemany(
        "INSERT INTO claims (kind, value, owner) VALUES ('email', ?, ?) ON CONFLICT DO NOTHING",
        [(email_key(value), owner) for value, owner in claims if email_key(value) != value],
    )
    rows = conn.execute("SELECT id, data FROM view_user WHERE data IS NOT NULL").fetchall()
    conn.executemany(
        "UPDATE view_user SET email_key = ? WHERE id = ?",
        [(email_key(json.loads(data)["email"]), user_id) for user_id, data in rows],
    )


def deleted_users_listed(conn: sqlite3.Connection) -> None:
    """Deleted users keep their row's data since 2026-12 (to be restored), marked in the
    `deleted` column; older tombstones (data NULL) need no mark. A new file has the column."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(view_user)")}
    if "deleted" not in columns:
        conn.execute("ALTER TABLE view_user ADD COLUMN deleted INTEGER")
    conn.execute("CREATE INDEX IF NOT EXISTS view_user_deleted ON view_user (deleted, id)")


def authorizations_by_name(conn: sqlite3.Connection) -> None:
    """Checks find an authorization by its name's key since issue 13. A file made before has
    no such column: added here, and filled when the views are replayed (README: upgrading)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(view_authorization)")}
    if "name_key" not in columns:
        conn.execute("ALTER TABLE view_authorization ADD COLUMN name_key TEXT")
    conn.execute(
        "CREATE INDEX IF NOT EXISTS view_authorization_by_name ON view_authorization (name_key)"
    )


# In order; a file at user_version n has had the first n.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    email_claims_in_nfkc,
    deleted_users_listed,
    authorizations_by_name,
)


def migrate(conn: sqlite3.Connection) -> None:
    """Run the migrations the file has not had, in the caller's transaction."""
    (done,) = conn.execute("PRAGMA user_version").fetchone()
    for step in MIGRATIONS[done:]:
        step(conn)
    if done < len(MIGRATIONS):
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
