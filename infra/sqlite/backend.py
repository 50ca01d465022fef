from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from infra.sqlite.change_feed import SqliteChangeFeed
from infra.sqlite.command_log import SqliteCommandLog
from infra.sqlite.db import Database
from infra.sqlite.event_store import SqliteEventStore
from infra.sqlite.keys import SqliteKeys
from infra.sqlite.queue import DEFAULT_VISIBILITY_S, SqliteQueue, reclaim_orphans
from infra.sqlite.views import SqliteViews
from infra.unwritable import Unwritable
from pipeline.ports import Backend
from pipeline.runner import queue_replay
from pipeline.sealing import SealedEventStore

DB_FILE = "usermgmt.db"


@dataclass
class EmbeddedBackend(Backend):
    db: Database | None = None

    def on_work(
        self, callback: Callable[[], None], replays: Callable[[], None] | None = None
    ) -> None:
        """Call `callback` after a command is queued in this process, and `replays` (by
        default `callback` too) after a replay is."""
        for queue, listener in ((self.command_queue, callback), (self.replays, replays)):
            assert isinstance(queue, SqliteQueue)
            queue.listeners.append(listener or callback)

    def on_status(self, callback: Callable[[str], None]) -> None:
        """Call `callback(command_id)` after a status change commits in this process."""
        assert isinstance(self.commands, SqliteCommandLog)
        self.commands.listeners.append(callback)


def open_backend(data_dir: Path, visibility_s: float = DEFAULT_VISIBILITY_S) -> EmbeddedBackend:
    """Every port on `data_dir`/usermgmt.db, created if missing. Messages left in flight by a
    process that died are handed out again."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(data_dir / DB_FILE)
    except (OSError, sqlite3.OperationalError) as error:  # a read-only or full disk
        raise Unwritable.of(f"the database {DB_FILE}", data_dir, error) from error
    try:
        reclaim_orphans(db)
    except sqlite3.OperationalError as error:
        db.close()
        raise Unwritable.of(f"the database {DB_FILE}", data_dir, error) from error
    replays = SqliteQueue(db, "replays", max(visibility_s, 900.0))
    keys = SqliteKeys(db)
    store = SqliteEventStore(db)
    return EmbeddedBackend(
        events=SealedEventStore(store, keys, db.scrub, clear_claims=store.holds_clear_claims),
        keys=keys,
        on_erase=db.scrub,
        views=SqliteViews(db),
        commands=SqliteCommandLog(db),
        command_queue=SqliteQueue(db, "commands", visibility_s),
        execution_queue=SqliteQueue(db, "executions", visibility_s),
        replays=replays,
        launch_replay=partial(queue_replay, replays),
        change_feed=SqliteChangeFeed(db),
        batch=db.transaction,
        atomic_batch=True,
        close=db.close,
        db=db,
    )
