from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from domain.codec import compact_json, iso_datetime
from domain.model import Effects, TreeWrite
from infra.sqlite.db import Database
from pipeline.ports import (
    AppendError,
    ClaimTaken,
    GroupTree,
    TargetMissing,
    TargetReferenced,
    TreeMoved,
    VersionConflict,
)
from pipeline.records import RecordedEvent
from pipeline.sealing import HASHED, HASHED_CLAIMS, is_clear_claim

COLUMNS = (
    "position, stream, version, type, schema_version, data, occurred_at, command_id, actor,"
    " idx, last"
)
STREAMS_PER_READ = 500


def record_of(row: tuple[Any, ...]) -> RecordedEvent:
    position, stream, version, type_, schema, data, at, command_id, actor, idx, last = row
    return RecordedEvent(
        stream=stream,
        version=version,
        type=type_,
        schema_version=schema,
        data=json.loads(data),
        occurred_at=datetime.fromisoformat(at),
        command_id=command_id,
        actor=actor,
        index=idx,
        last=bool(last),
        position=position,
    )


class SqliteEventStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._clear_claims: bool | None = None  # not looked yet

    def load(self, stream: str) -> list[RecordedEvent]:
        rows = self.db.conn().execute(
            f"SELECT {COLUMNS} FROM events WHERE stream = ? ORDER BY version", (stream,)
        )
        return [record_of(row) for row in rows]

    def holds_clear_claims(self) -> bool:
        """Whether an email claim taken before claims were hashed (pipeline/sealing.py) may
        still be held: one was there when the file was opened, or was taken since (only by
        code older than hashing, or a test playing it)."""
        if self._clear_claims is None:
            self._clear_claims = _any_clear_claim(self.db.conn())
        return self._clear_claims

    def group_tree(self) -> GroupTree:
        row = self.db.conn().execute("SELECT version, parents FROM group_tree").fetchone()
        return GroupTree() if row is None else GroupTree(row[0], json.loads(row[1]))

    def append(
        self,
        stream: str,
        expected_version: int,
        events: Sequence[RecordedEvent],
        effects: Effects,
    ) -> None:
        if not self._clear_claims and any(is_clear_claim(c) for c in effects.take):
            self._clear_claims = True
        with self.db.transaction() as conn:
            try:
                _apply_effects(conn, stream, effects)
                _insert(conn, events)
            except sqlite3.IntegrityError as error:
                if "events.stream, events.version" not in str(error):
                    raise
                raise VersionConflict(f"{stream} moved past {expected_version}") from None
            except AppendError:
                # A race lost on the stream comes first: retried, the command may not need
                # what it was refused. (The head is read only here: on success the unique
                # version is the check.)
                _check_head(conn, stream, expected_version)
                raise

    def redact(self, stream: str, version: int, data: dict[str, Any]) -> None:
        with self.db.write() as conn:
            conn.execute(
                "UPDATE events SET data = ? WHERE stream = ? AND version = ?",
                (compact_json(data), stream, version),
            )

    def histories_since(
        self, timestamp: datetime, after: str = ""
    ) -> Iterator[list[RecordedEvent]]:
        conn = self.db.conn()
        streams = [
            s
            for (s,) in conn.execute(
                "SELECT DISTINCT stream FROM events WHERE occurred_at >= ? AND stream > ?"
                " ORDER BY stream",
                (iso_datetime(timestamp), after),
            )
        ]
        for start in range(0, len(streams), STREAMS_PER_READ):
            chunk = streams[start : start + STREAMS_PER_READ]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT {COLUMNS} FROM events WHERE stream IN ({marks}) ORDER BY stream, version",
                chunk,
            ).fetchall()
            history: list[RecordedEvent] = []
            for row in rows:
                record = record_of(row)
                if history and history[-1].stream != record.stream:
                    yield history
                    history = []
                history.append(record)
            if history:
                yield history


def _check_head(conn: sqlite3.Connection, stream: str, expected_version: int) -> None:
    (head,) = conn.execute(
        "SELECT coalesce(max(version), 0) FROM events WHERE stream = ?", (stream,)
    ).fetchone()
    if head != expected_version:
        raise VersionConflict(f"{stream} is at {head}, not {expected_version}")


def _insert(conn: sqlite3.Connection, events: Sequence[RecordedEvent]) -> None:
    conn.executemany(
        "INSERT INTO events (stream, version, type, schema_version, data, occurred_at,"
        " command_id, actor, idx, last) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                r.stream,
                r.version,
                r.type,
                r.schema_version,
                compact_json(r.data),
                iso_datetime(r.occurred_at),
                r.command_id,
                r.actor,
                r.index,
                r.last,
            )
            for r in events
        ],
    )


def _write_tree(conn: sqlite3.Connection, tree: TreeWrite) -> None:
    parents = compact_json(dict(sorted(tree.parents.items())))
    if tree.expected == 0:
        written = conn.execute(
            "INSERT INTO group_tree (id, version, parents) VALUES (1, 1, ?) ON CONFLICT DO NOTHING",
            (parents,),
        ).rowcount
    else:
        written = conn.execute(
            "UPDATE group_tree SET version = version + 1, parents = ? WHERE version = ?",
            (parents, tree.expected),
        ).rowcount
    if not written:
        raise TreeMoved(f"the group tree moved past version {tree.expected}")


def _any_clear_claim(conn: sqlite3.Connection) -> bool:
    """A claim of a hashed kind whose value is not HASHED-prefixed: two probes of the claims'
    key per kind (below the prefix, and past every value that starts with it), not a scan."""
    past = HASHED[:-1] + chr(ord(HASHED[-1]) + 1)
    for kind in HASHED_CLAIMS:
        (found,) = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM claims WHERE kind = ? AND value < ?)"
            " OR EXISTS (SELECT 1 FROM claims WHERE kind = ? AND value >= ?)",
            (kind, HASHED, kind, past),
        ).fetchone()
        if found:
            return True
    return False


def _apply_effects(conn: sqlite3.Connection, stream: str, effects: Effects) -> None:
    if effects.tree is not None:
        _write_tree(conn, effects.tree)
    for claim in effects.release:
        conn.execute(
            "DELETE FROM claims WHERE kind = ? AND value = ? AND owner = ?",
            (claim.kind, claim.value, stream),
        )
    for claim in effects.vacant:
        holder = conn.execute(
            "SELECT owner FROM claims WHERE kind = ? AND value = ?", (claim.kind, claim.value)
        ).fetchone()
        if holder is not None and holder[0] != stream:
            raise ClaimTaken(claim)
    for claim in effects.take:
        taken = conn.execute(
            "INSERT INTO claims (kind, value, owner) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (claim.kind, claim.value, stream),
        ).rowcount
        if not taken:
            raise ClaimTaken(claim)
    for target in effects.reference:
        if not conn.execute(
            "UPDATE targets SET refs = refs + 1 WHERE stream = ?", (target,)
        ).rowcount:
            raise TargetMissing(target)
    for target in effects.unreference:
        conn.execute("UPDATE targets SET refs = refs - 1 WHERE stream = ?", (target,))
    if effects.create_target:
        conn.execute(
            "INSERT INTO targets (stream, refs) VALUES (?, 0) ON CONFLICT DO NOTHING",
            (effects.create_target,),
        )
    if effects.delete_target:
        row = conn.execute(
            "SELECT refs FROM targets WHERE stream = ?", (effects.delete_target,)
        ).fetchone()
        if row and row[0] > 0:
            raise TargetReferenced(effects.delete_target, int(row[0]))
        conn.execute("DELETE FROM targets WHERE stream = ?", (effects.delete_target,))
