from __future__ import annotations

from infra.sqlite.db import Database
from infra.sqlite.event_store import COLUMNS, record_of
from pipeline.records import RecordedEvent


class SqliteChangeFeed:
    """New events by global position after a named, durable checkpoint."""

    def __init__(self, db: Database, name: str = "mediator") -> None:
        self.db = db
        self.name = name

    def read(self, limit: int) -> list[RecordedEvent]:
        rows = self.db.conn().execute(
            f"SELECT {COLUMNS} FROM events WHERE position > coalesce("
            "(SELECT position FROM checkpoints WHERE name = ?), 0) ORDER BY position LIMIT ?",
            (self.name, limit),
        )
        return [record_of(row) for row in rows]

    def commit(self, position: int) -> None:
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO checkpoints (name, position) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET position = excluded.position",
                (self.name, position),
            )
