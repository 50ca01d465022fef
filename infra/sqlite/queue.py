from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from infra.sqlite.db import Database
from pipeline.ports import Message, OutMessage

DEFAULT_VISIBILITY_S = 30.0

# The head of each group that no earlier message of its group is ahead of: FIFO per group.
_RECEIVE = """
SELECT id, grp, body, attempts FROM messages AS m
WHERE queue = ? AND visible_at <= ?
  AND NOT EXISTS (
    SELECT 1 FROM messages AS p WHERE p.queue = m.queue AND p.grp = m.grp AND p.id < m.id)
ORDER BY id LIMIT ?
"""


ROWS_PER_STATEMENT = 500  # at most 2,000 parameters, far under SQLite's limit of 32,766


class SqliteQueue:
    """A durable FIFO-per-group queue in the `messages` table. A received message stays, hidden
    and blocking its group, until acknowledged; if its receiver dies it shows again after the
    visibility timeout, or at once when `reclaim_orphans` finds its receiver's process gone."""

    def __init__(self, db: Database, name: str, visibility_s: float = DEFAULT_VISIBILITY_S) -> None:
        self.db = db
        self.name = name
        self.visibility_s = visibility_s
        self.listeners: list[Callable[[], None]] = []  # told after messages commit

    def send(self, messages: Sequence[OutMessage]) -> None:
        if not messages:
            return
        with self.db.write() as conn:
            _rows(
                conn,
                "INSERT INTO messages (queue, grp, dedup, body, visible_at) VALUES {rows}"
                " ON CONFLICT (queue, dedup) DO NOTHING",
                "(?, ?, ?, ?, 0)",
                [(self.name, m.group, m.dedup_id, m.body) for m in messages],
            )
            for listener in self.listeners:
                self.db.after_commit(listener)

    def receive(self, max_messages: int) -> list[Message]:
        now = time.time()
        receipt = uuid.uuid4().hex  # one per receive: with the id it names one delivery
        with self.db.write() as conn:
            rows = conn.execute(_RECEIVE, (self.name, now, max_messages)).fetchall()
            if rows:
                marks = ",".join("?" * len(rows))
                conn.execute(
                    "UPDATE messages SET visible_at = ?, attempts = attempts + 1, receipt = ?,"
                    f" owner = ? WHERE id IN ({marks})",
                    (now + self.visibility_s, receipt, os.getpid(), *(row[0] for row in rows)),
                )
        return [
            Message(str(id_), body, group, attempts + 1, receipt)
            for id_, group, body, attempts in rows
        ]

    def ack(self, message: Message) -> None:
        self.ack_many([message])

    def ack_many(self, messages: Sequence[Message]) -> None:
        if not messages:
            return
        with self.db.write() as conn:
            _rows(
                conn,
                "DELETE FROM messages WHERE (id, receipt) IN (VALUES {rows})",
                "(?, ?)",
                [(int(m.id), m.receipt) for m in messages],
            )

    def retry(self, message: Message, delay_s: float) -> None:
        with self.db.write() as conn:
            conn.execute(
                "UPDATE messages SET visible_at = ? WHERE id = ? AND receipt = ?",
                (time.time() + delay_s, int(message.id), message.receipt),
            )

    def dead_letter(self, message: Message, reason: str) -> None:
        with self.db.write() as conn:
            moved = conn.execute(
                "INSERT INTO dead_letters (queue, grp, dedup, body, attempts, reason, failed_at)"
                " SELECT queue, grp, dedup, body, attempts, ?, ? FROM messages"
                " WHERE id = ? AND receipt = ?",
                (reason, time.time(), int(message.id), message.receipt),
            ).rowcount
            if moved:
                conn.execute("DELETE FROM messages WHERE id = ?", (int(message.id),))

    def depth(self) -> int:
        (count,) = (
            self.db.conn()
            .execute("SELECT count(*) FROM messages WHERE queue = ?", (self.name,))
            .fetchone()
        )
        return int(count)

    def dead_letters(self) -> list[tuple[str, str]]:
        """(body, reason) of every message given up on, oldest first."""
        rows = self.db.conn().execute(
            "SELECT body, reason FROM dead_letters WHERE queue = ? ORDER BY id", (self.name,)
        )
        return [(body, reason) for body, reason in rows]


def reclaim_orphans(db: Database) -> int:
    """Make visible again every in-flight message whose receiving process is gone."""
    now = time.time()
    rows = db.conn().execute(
        "SELECT DISTINCT owner FROM messages WHERE visible_at > ? AND owner IS NOT NULL", (now,)
    )
    gone = [pid for (pid,) in rows if pid != os.getpid() and not _alive(pid)]
    if not gone:
        return 0
    with db.write() as conn:
        marks = ",".join("?" * len(gone))
        return conn.execute(
            f"UPDATE messages SET visible_at = 0, owner = NULL"
            f" WHERE visible_at > ? AND owner IN ({marks})",
            (now, *gone),
        ).rowcount


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _rows(conn: sqlite3.Connection, sql: str, row: str, values: Sequence[tuple[Any, ...]]) -> None:
    """`sql` with `{rows}` standing for one `row` of placeholders per tuple of `values`, run
    ROWS_PER_STATEMENT rows at a time. Rows in one statement, not one statement a row: each is a
    round trip through the sqlite3 module that gives up the GIL, while the writer holds the
    store's lock."""
    for start in range(0, len(values), ROWS_PER_STATEMENT):
        chunk = values[start : start + ROWS_PER_STATEMENT]
        marks = ", ".join([row] * len(chunk))
        conn.execute(sql.format(rows=marks), [v for one in chunk for v in one])
