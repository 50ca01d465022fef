"""One SQLite file shared by threads (a connection each) and processes (SQLite's own locks).

Writes go through `transaction()` or `write()`. The outermost takes the write lock at once
(BEGIN IMMEDIATE, so two writers never deadlock upgrading a read lock). Nested, `transaction()`
is a savepoint that can fail alone (for work that may raise half way), while `write()` simply
joins the transaction under way (for work that cannot fail half way), saving two statements.
Callbacks registered with `after_commit` run once the outermost transaction commits, so
listeners never hear of work that was rolled back; and once each, however many writes of the
transaction registered them (a group of submissions wakes the pipeline once, not per command).

Writers of other processes queue on an flock of `<file>.lock` before BEGIN IMMEDIATE: the
kernel wakes the next one as the lock is released, where SQLite's busy handler would sleep and
retry (1, 2, 5, 10 ms...), idling the file between writers.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from infra.sqlite.schema import ADDED_COLUMNS, AFTER_ADDED_COLUMNS, SCHEMA

BUSY_TIMEOUT_MS = 10_000


class Database:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()  # in-process writers queue here, not in busy-waits
        self._lock_file = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._create_schema()

    def _create_schema(self) -> None:
        conn = self.conn()
        self._lock()
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in SCHEMA.split(";\n"):
                    if statement.strip():
                        conn.execute(statement)
                _add_missing_columns(conn)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            self._unlock()

    def _lock(self) -> None:
        self._write_lock.acquire()
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        except BaseException:
            self._write_lock.release()
            raise

    def _unlock(self) -> None:
        fcntl.flock(self._lock_file, fcntl.LOCK_UN)
        self._write_lock.release()

    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
            self._local.depth = 0
            self._local.callbacks = {}  # dict: ordered, and a callback registered twice is one
            with self._all_lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self.conn()
        local = self._local
        depth: int = local.depth
        if depth == 0:
            self._lock()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except BaseException:
                self._unlock()
                raise
        else:
            conn.execute(f"SAVEPOINT s{depth}")
        local.depth = depth + 1
        mark = len(local.callbacks)
        try:
            yield conn
        except BaseException:
            local.depth = depth
            for callback in list(local.callbacks)[mark:]:  # registered by the undone work
                del local.callbacks[callback]
            if depth == 0:
                conn.execute("ROLLBACK")
                self._unlock()
            else:
                conn.execute(f"ROLLBACK TO s{depth}")
                conn.execute(f"RELEASE s{depth}")
            raise
        local.depth = depth
        if depth:
            conn.execute(f"RELEASE s{depth}")
            return
        try:
            conn.execute("COMMIT")
        finally:
            self._unlock()
        callbacks, local.callbacks = local.callbacks, {}
        for callback in callbacks:
            callback()

    def write(self) -> AbstractContextManager[sqlite3.Connection]:
        """For a write that is atomic by itself (one statement): joins the transaction under
        way without a savepoint of its own, or runs in a transaction of its own. (Not a
        generator: inside a transaction it is called several times a command, and a
        nullcontext costs a third of a generator's entry and exit.)"""
        if getattr(self._local, "depth", 0):
            return nullcontext(self._local.conn)
        return self.transaction()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` after the current transaction commits (now, outside one); an equal
        callback already registered in this transaction runs once."""
        if getattr(self._local, "depth", 0):
            self._local.callbacks.setdefault(callback)
        else:
            callback()

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
        if self._lock_file >= 0:
            os.close(self._lock_file)
            self._lock_file = -1


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Columns added to a table after files with the table were written (CREATE TABLE IF NOT
    EXISTS leaves those as they are). The rows get their values when the views are replayed."""
    for table, column in ADDED_COLUMNS:
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        if column not in have:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
    for statement in AFTER_ADDED_COLUMNS:
        conn.execute(statement)
