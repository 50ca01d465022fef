from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from domain.codec import iso_datetime
from domain.rules import email_key
from infra.sqlite.db import Database
from infra.sqlite.schema import VIEW_TABLES
from pipeline.ports import ViewFilter
from pipeline.records import ViewRow

BASE = ("id", "version", "data", "created_at", "updated_at")

# Columns kept beside the JSON so that filters are index lookups.
INDEXED: dict[str, dict[str, Callable[[dict[str, Any]], Any]]] = {
    "user": {
        "email_key": lambda d: email_key(d["email"]),
        "role_id": lambda d: d.get("role_id"),
        "group_id": lambda d: d.get("group_id"),
    },
}


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
        return {row[0]: _row(kind, row) for row in rows}

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
            clauses, values = _clauses(after, where)
            parts.append(
                f"SELECT * FROM (SELECT {n}, {_select()} FROM {VIEW_TABLES[kind]}"
                f" WHERE {' AND '.join(clauses)} ORDER BY id LIMIT ?)"
            )
            params += [*values, first]
        found: list[list[ViewRow]] = [[] for _ in wheres]
        for n, *row in self.db.conn().execute(" UNION ALL ".join(parts), params):
            found[n].append(_row(kind, tuple(row)))
        return found

    def put(self, row: ViewRow, expected_version: int | None) -> bool:
        columns, values = _columns(row)
        table = VIEW_TABLES[row.kind]
        with self.db.write() as conn:
            if expected_version is None:
                sql = (
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(columns)})"
                    " ON CONFLICT DO NOTHING"
                )
                return conn.execute(sql, values).rowcount == 1
            sets = ", ".join(f"{c} = ?" for c in columns[1:])
            sql = f"UPDATE {table} SET {sets} WHERE id = ? AND version = ?"
            return conn.execute(sql, [*values[1:], row.id, expected_version]).rowcount == 1

    def replace(self, row: ViewRow) -> bool:
        columns, values = _columns(row)
        table = VIEW_TABLES[row.kind]
        sets = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({_marks(columns)})"
            f" ON CONFLICT (id) DO UPDATE SET {sets} WHERE excluded.version >= {table}.version"
        )
        with self.db.write() as conn:
            return conn.execute(sql, values).rowcount == 1


def _select() -> str:
    return ", ".join(BASE)


def _marks(columns: Sequence[str]) -> str:
    return ", ".join("?" * len(columns))


def _clauses(after: str | None, where: ViewFilter) -> tuple[list[str], list[Any]]:
    clauses, params = ["data IS NOT NULL"], []
    if after is not None:
        clauses.append("id > ?")
        params.append(after)
    for column in ("email_key", "role_id", "group_id"):
        value = getattr(where, column)
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return clauses, params


def _columns(row: ViewRow) -> tuple[list[str], list[Any]]:
    columns = list(BASE)
    values: list[Any] = [
        row.id,
        row.version,
        None if row.data is None else json.dumps(row.data, separators=(",", ":")),
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
