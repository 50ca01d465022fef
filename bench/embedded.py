"""The embedded backend on its own: raw SQLite appends (the baseline) and replay speed."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime

from bench.probes import Sizes, probe
from bench.results import Figure, figure
from domain import commands as c
from infra.sqlite import open_backend
from pipeline.replay import replay_from
from pipeline.runner import Runner
from pipeline.submit import submit

RUNS = 5


@probe("raw SQLite appends (baseline)", "local.sqlite_append_per_s")
def sqlite_appends(sizes: Sizes) -> list[Figure]:
    """Single-row inserts, a transaction each, with the embedded backend's pragmas."""
    n = sizes.pick(2_000, 10_000)
    samples = []
    for run in range(RUNS):
        path = sizes.work / f"append-{run}.db"
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(
            "CREATE TABLE events (position INTEGER PRIMARY KEY, stream TEXT, version INTEGER,"
            " data TEXT, UNIQUE (stream, version))"
        )
        start = time.perf_counter()
        for i in range(n):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute(
                "INSERT INTO events (stream, version, data) VALUES (?, 1, ?)",
                (f"user#{i}", '{"email":"x@y.io"}'),
            )
            conn.execute("COMMIT")
        samples.append(n / (time.perf_counter() - start))
        conn.close()
    return [figure("local.sqlite_append_per_s", "appends/s", samples)]


@probe("replay on SQLite", "replay.sqlite_events_per_s")
def sqlite_replay(sizes: Sizes) -> list[Figure]:
    """Rebuild every view from the store: 100,000 events (users created, then updated)."""
    events = sizes.pick(20_000, 100_000)
    backend = open_backend(sizes.work / "replay")
    users = events // 2
    for first in range(0, users, 1_000):
        with backend.batch():
            for i in range(first, min(first + 1_000, users)):
                user_id = f"auth0|bench-{i}"
                email = f"bench{i}@example.com"
                submit(
                    backend,
                    c.CreateUser(id=user_id, email=email, first_name="B", last_name="E"),
                    "bench",
                    admin=True,
                )
                submit(backend, c.UpdateUser(id=user_id, last_name="Ench"), "bench", admin=True)
        Runner(backend).run_until_idle()
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    samples: list[float] = []
    for _ in range(3):
        start = time.perf_counter()
        report = replay_from(backend, epoch)
        samples.append(report.events / (time.perf_counter() - start))
    backend.close()
    return [figure("replay.sqlite_events_per_s", "events/s", samples, goal="goal >= 20,000")]
