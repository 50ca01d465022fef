from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from domain.codec import iso_datetime
from infra.sqlite.db import Database
from pipeline.record_codec import FIELDS, error_values, record_from_values, record_values
from pipeline.records import ADVANCES_FROM, CommandError, CommandRecord, Status

COLUMNS = ", ".join(FIELDS)  # the table's columns are the codec's fields, in its order
_INSERT = (
    f"INSERT INTO commands ({COLUMNS}) VALUES ({', '.join('?' * len(FIELDS))})"
    " ON CONFLICT DO NOTHING"
)

StatusListener = Callable[[str], None]


def _advance_sql(status: Status) -> str:
    """The statement that moves a command to `status` from a status allowed to reach it."""
    allowed = ", ".join(f"'{s.value}'" for s in sorted(ADVANCES_FROM[status]))
    return (
        f"UPDATE commands SET status = '{status.value}', updated_at = ?,"
        " version = coalesce(?, version), error_code = ?, error_message = ?, error_field = ?"
        f" WHERE id = ? AND status IN ({allowed or 'NULL'})"
    )


_ADVANCE = {status: _advance_sql(status) for status in Status}


class SqliteCommandLog:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.listeners: list[StatusListener] = []  # told a command's id after its status commits

    def record(self, record: CommandRecord) -> CommandRecord:
        with self.db.write() as conn:
            inserted = conn.execute(_INSERT, record_values(record)).rowcount
            if inserted:
                self._changed(record.id)
                return record
            stored = self.get(record.id)
        assert stored is not None
        return stored

    def get(self, command_id: str) -> CommandRecord | None:
        row = (
            self.db.conn()
            .execute(f"SELECT {COLUMNS} FROM commands WHERE id = ?", (command_id,))
            .fetchone()
        )
        return None if row is None else record_from_values(row)

    def about(self, aggregate_id: str, limit: int) -> list[CommandRecord]:
        rows = self.db.conn().execute(
            f"SELECT {COLUMNS} FROM commands WHERE aggregate_id = ?"
            " ORDER BY submitted_at, id LIMIT ?",
            (aggregate_id, limit),
        )
        return [record_from_values(row) for row in rows]

    def advance(
        self,
        command_id: str,
        status: Status,
        at: datetime,
        version: int | None = None,
        error: CommandError | None = None,
    ) -> bool:
        with self.db.write() as conn:
            moved = conn.execute(
                _ADVANCE[status],
                (iso_datetime(at), version, *error_values(error), command_id),
            ).rowcount
            if moved:
                self._changed(command_id)
        return bool(moved)

    def _changed(self, command_id: str) -> None:
        for listener in self.listeners:
            self.db.after_commit(partial(listener, command_id))
