"""Tells subscriptions about each status change of the commands they follow.

The pipeline runs on its own thread and reports each committed status change with `notify`. For
a command someone watches, the hub reads its record right there, on the thread that made the
change and before it makes the next one, so a watcher sees every status in turn, not only the
latest; the record reaches the event loop by call_soon_threadsafe. Other processes' changes are
not reported: watchers also look again every `poll_s`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator

from pipeline.records import CommandRecord

POLL_S = 1.0

Reader = Callable[[str], CommandRecord | None]


class Watch:
    def __init__(self) -> None:
        self._records: asyncio.Queue[CommandRecord | None] = asyncio.Queue()

    def put(self, record: CommandRecord | None) -> None:
        self._records.put_nowait(record)

    async def next(self, timeout_s: float) -> CommandRecord | None:
        """The next record reported, or None when the caller should read it itself (nothing
        was reported within `timeout_s`, or the report carried no record)."""
        try:
            return await asyncio.wait_for(self._records.get(), timeout_s)
        except TimeoutError:
            return None


class StatusHub:
    def __init__(self, read: Reader | None = None, poll_s: float = POLL_S) -> None:
        self.read = read
        self.poll_s = poll_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watches: dict[str, set[Watch]] = {}

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def notify(self, command_id: str) -> None:
        """Called from any thread after a status change of `command_id` commits."""
        loop = self._loop
        if loop is None or loop.is_closed() or command_id not in self._watches:
            return
        record = self.read(command_id) if self.read is not None else None
        loop.call_soon_threadsafe(self._deliver, command_id, record)

    def _deliver(self, command_id: str, record: CommandRecord | None) -> None:
        for watch in self._watches.get(command_id, ()):
            watch.put(record)

    @contextlib.contextmanager
    def watch(self, command_id: str) -> Iterator[Watch]:
        """Watch from before the first read, so no change between read and wait is missed."""
        watch = Watch()
        self._watches.setdefault(command_id, set()).add(watch)
        try:
            yield watch
        finally:
            watchers = self._watches.get(command_id)
            if watchers is not None:
                watchers.discard(watch)
                if not watchers:
                    del self._watches[command_id]
