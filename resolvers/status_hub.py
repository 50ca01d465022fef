"""Tells subscriptions about each status change of the commands they follow.

The pipeline runs on its own thread and reports each committed status change with `notify`. For
a command someone watches, the hub reads its record right there, on the thread that made the
change and before it makes the next one, so a watcher sees every status in turn, not only the
latest; the record reaches the event loop by call_soon_threadsafe. When the pipeline runs in
another process (`serve --workers`), that process reads the record and sends it here, to
`deliver`; the hub tells it which commands are watched through `on_watch`. Changes made by any
other process are not reported: watchers also look again every `poll_s`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterator

from pipeline.records import CommandRecord

POLL_S = 1.0

Reader = Callable[[str], CommandRecord | None]
WatchListener = Callable[[str, bool], None]  # (command id, watched now)


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
        self.on_watch: WatchListener | None = None  # told when a command gains or loses watchers

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    @property
    def loop(self) -> asyncio.AbstractEventLoop | None:
        return self._loop

    def notify(self, command_id: str) -> None:
        """Called from any thread after a status change of `command_id` commits."""
        loop = self._loop
        if loop is None or loop.is_closed() or command_id not in self._watches:
            return
        record = self.read(command_id) if self.read is not None else None
        loop.call_soon_threadsafe(self.deliver, command_id, record)

    def deliver(self, command_id: str, record: CommandRecord | None) -> None:
        """On the event loop: hand a status change to the command's watchers."""
        for watch in self._watches.get(command_id, ()):
            watch.put(record)

    @contextlib.contextmanager
    def watch(self, command_id: str) -> Iterator[Watch]:
        """Watch from before the first read, so no change between read and wait is missed."""
        watch = Watch()
        watchers = self._watches.setdefault(command_id, set())
        watchers.add(watch)
        if len(watchers) == 1 and self.on_watch is not None:
            self.on_watch(command_id, True)
        try:
            yield watch
        finally:
            remaining = self._watches.get(command_id)
            if remaining is not None:
                remaining.discard(watch)
                if not remaining:
                    del self._watches[command_id]
                    if self.on_watch is not None:
                        self.on_watch(command_id, False)
