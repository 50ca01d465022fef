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

Every connection has `secure_delete` on (deleted content is overwritten with zeros, not left in
free pages), and `scrub()` empties the WAL, so that erased data leaves the files.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path

from infra.sqlite.migrations import migrate
from infra.sqlite.schema import SCHEMA

BUSY_TIMEOUT_MS = 10_000
SCRUB_TRIES = 100  # each waits up to BUSY_TIMEOUT_MS for readers: a reader cannot hold it off

log = logging.getLogger("usermgmt.sqlite")


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
                migrate(conn)
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
            conn.execute("PRAGMA secure_delete=ON")
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

    def scrub(self) -> None:
        """Once the current transaction commits: copy the WAL into the file and truncate it
        (its page images still hold what was overwritten), retried until it completes."""
        self.after_commit(self._checkpoint)

    def _checkpoint(self) -> None:
        conn = self.conn()
        for attempt in range(SCRUB_TRIES):
            self._lock()  # no writer of this process between; readers are waited for
            try:
                (busy, _, _) = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                self._unlock()
            if not busy:
                return
            time.sleep(min(0.001 * 2**attempt, 0.1))
        log.error("the WAL could not be emptied after an erasure; it will be at the next one")

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
        if self._lock_file >= 0:
            os.close(self._lock_file)
            self._lock_file = -1
