from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from domain.codec import compact_json, iso_datetime
from domain.rules import email_key, unique_key
from infra.sqlite.db import Database
from infra.sqlite.schema import VIEW_TABLES
from pipeline.ports import MEMBER_FILTERS, MEMBERSHIPS, BatchRead, ViewFilter, memberships
from pipeline.records import ViewRow

BASE = ("id", "version", "data", "created_at", "updated_at")

# Columns kept beside the JSON so that filters are index lookups. A deleted user keeps its
# data (to be listed and restored) but none of the filter columns: it holds no email, role or
# group while deleted.
INDEXED: dict[str, dict[str, Callable[[dict[str, Any]], Any]]] = {
    "user": {
        "email_key": lambda d: None if d.get("deleted") else email_key(d["email"]),
        "deleted": lambda d: 1 if d.get("deleted") else None,
    },
    "authorization": {
        "name_key": lambda d: unique_key(d["name"]),
    },
}
# A block in force at ? (its `until`, when it has one, is still ahead): ISO UTC strings sort
# as time. Unindexed: the status filter walks the users in id order.
_BLOCKED = (
    "json_extract(data, '$.block') IS NOT NULL AND (json_extract(data, '$.block.until') IS NULL"
    " OR json_extract(data, '$.block.until') > ?)"
)


class SqliteViews:
    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, kind: str, aggregate_id: str) -> ViewRow | None:
        row = (
            self.db.conn()
            .execute(f"SELECT {_select()} FROM {VIEW_TABLES[kind]} WHERE id = ?", (aggregate_id,))
            .fetchone()
        )
        return None if row is None else _row(kind, row)

    def get_many(self, kind: str, ids: Sequence[str]) -> dict[str, ViewRow]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.conn().execute(
            f"SELECT {_select()} FROM {VIEW_TABLES[kind]}"
            f" WHERE id IN ({marks}) AND data IS NOT NULL",
            list(ids),
        )
        found = (_row(kind, row) for row in rows)
        return {row.id: row for row in found if not row.deleted}

    def read_batch(
        self, ids: Mapping[str, Sequence[str]], name_keys: Sequence[str] = (), tree: bool = False
    ) -> BatchRead:
        # A local read costs little: no hints, the checks read the views as they go.
        return BatchRead({kind: self.get_many(kind, wanted) for kind, wanted in ids.items()})

    def page(
        self, kind: str, first: int, after: str | None, where: ViewFilter | None = None
    ) -> list[ViewRow]:
        return self.pages(kind, first, after, [where or ViewFilter()])[0]

    def pages(
        self, kind: str, first: int, after: str | None, wheres: Sequence[ViewFilter]
    ) -> list[list[ViewRow]]:
        """One statement: each filter's page is a subquery of its own (so each uses its index
        and its LIMIT), tagged with its place in `wheres`."""
        if not wheres:
            return []
        parts, params = [], []
        for n, where in enumerate(wheres):
            clauses, values = _clauses(kind, after, where)
            parts.append(
                f"SELECT * FROM (SELECT {n}, {_select()} FROM {VIEW_TABLES[kind]}"
                f" WHERE {' AND '.join(clauses)} ORDER BY id LIMIT ?)"
            )
            params += [*values, first]
        found: list[list[ViewRow]] = [[] for _ in wheres]
        for n, *row in self.db.conn().execute(" UNION ALL ".join(parts), params):
            found[n].append(_row(kind, tuple(row)))
        return found

    def put(
        self, row: ViewRow, expected_version: int | None, previous: ViewRow | None = None
    ) -> bool:
        columns, values = _columns(row)
        table = VIEW_TABLES[row.kind]
        with self.db.write() as conn:
            if expected_version is None:
                sql = (
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(columns)})"
                    " ON CONFLICT DO NOTHING"
                )
            else:
                sets = ", ".join(f"{c} = ?" for c in columns[1:])
                sql = f"UPDATE {table} SET {sets} WHERE id = ? AND version = ?"
                values = [*values[1:], row.id, expected_version]
            written = conn.execute(sql, values).rowcount == 1
            if written:
                _write_memberships(conn, row, _held(expected_version, previous))
            return written

    def replace(self, row: ViewRow) -> bool:
        columns, values = _columns(row)
        table = VIEW_TABLES[row.kind]
        sets = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(columns)})"
            f" ON CONFLICT (id) DO UPDATE SET {sets} WHERE excluded.version >= {table}.version"
        )
        with self.db.write() as conn:
            written = conn.execute(sql, values).rowcount == 1
            if written:
                _write_memberships(conn, row)
            return written


def _held(expected_version: int | None, previous: ViewRow | None) -> set[tuple[str, str]] | None:
    """The memberships a row held before a put: none when it is new (view rows are never
    deleted), its previous row's when the caller read it, else not known (None)."""
    if expected_version is None:
        return set()
    return None if previous is None else memberships(previous.kind, previous.data)


def _write_memberships(conn: Any, row: ViewRow, before: set[tuple[str, str]] | None = None) -> None:
    """The row's references as view_member rows, in the row's own write. With `before` (the
    memberships the row had), only what changed is written: most writes change none."""
    if row.kind not in MEMBERSHIPS:
        return
    after = memberships(row.kind, row.data)
    if before is None:
        conn.execute("DELETE FROM view_member WHERE kind = ? AND id = ?", (row.kind, row.id))
        before = set()
    if gone := before - after:
        conn.executemany(
            "DELETE FROM view_member WHERE kind = ? AND via = ? AND target = ? AND id = ?",
            [(row.kind, via, target, row.id) for via, target in gone],
        )
    if added := after - before:
        conn.executemany(
            "INSERT INTO view_member (kind, via, target, id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            [(row.kind, via, target, row.id) for via, target in added],
        )


def _select() -> str:
    return ", ".join(BASE)


def _marks(columns: Sequence[str]) -> str:
    return ", ".join("?" * len(columns))


def _clauses(kind: str, after: str | None, where: ViewFilter) -> tuple[list[str], list[Any]]:
    clauses, params = ["data IS NOT NULL"], []
    if kind == "user":
        clauses.append("deleted = 1" if where.status == "DELETED" else "deleted IS NULL")
        if where.status in ("BLOCKED", "ACTIVE"):
            assert where.now is not None
            clauses.append(_BLOCKED if where.status == "BLOCKED" else f"NOT ({_BLOCKED})")
            params.append(iso_datetime(where.now))
    if after is not None:
        clauses.append("id > ?")
        params.append(after)
    for column in ("email_key", "name_key"):
        value = getattr(where, column)
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    for via in MEMBER_FILTERS:
        value = getattr(where, via)
        if value is not None:
            clauses.append(
                "id IN (SELECT id FROM view_member WHERE kind = ? AND via = ? AND target = ?)"
            )
            params += [kind, via, value]
    return clauses, params


def _columns(row: ViewRow) -> tuple[list[str], list[Any]]:
    columns = list(BASE)
    values: list[Any] = [
        row.id,
        row.version,
        None if row.data is None else compact_json(row.data),
        None if row.created_at is None else iso_datetime(row.created_at),
        iso_datetime(row.updated_at),
    ]
    for column, derive in INDEXED.get(row.kind, {}).items():
        columns.append(column)
        values.append(None if row.data is None else derive(row.data))
    return columns, values


def _row(kind: str, row: tuple[Any, ...]) -> ViewRow:
    aggregate_id, version, data, created_at, updated_at = row
    return ViewRow(
        kind=kind,
        id=aggregate_id,
        version=version,
        data=None if data is None else json.loads(data),
        created_at=None if created_at is None else datetime.fromisoformat(created_at),
        updated_at=datetime.fromisoformat(updated_at),
    )
