"""The persons' data keys, in their own table of the SQLite file (locally there is no KMS: the
file's protection is the keys' protection). Deleted rows are overwritten (secure_delete)."""

from __future__ import annotations

from infra.sqlite.db import Database
from pipeline.sealing import new_key


class SqliteKeys:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, owner: str) -> bytes | None:
        row = self.db.conn().execute("SELECT key FROM data_keys WHERE owner = ?", (owner,))
        found = row.fetchone()
        return None if found is None else bytes(found[0])

    def get_or_create(self, owner: str) -> bytes:
        key = new_key()
        with self.db.write() as conn:
            if conn.execute(
                "INSERT INTO data_keys (owner, key) VALUES (?, ?) ON CONFLICT DO NOTHING",
                (owner, key),
            ).rowcount:
                return key
            (held,) = conn.execute("SELECT key FROM data_keys WHERE owner = ?", (owner,)).fetchone()
        return bytes(held)

    def delete(self, owner: str) -> None:
        with self.db.write() as conn:
            conn.execute("DELETE FROM data_keys WHERE owner = ?", (owner,))
