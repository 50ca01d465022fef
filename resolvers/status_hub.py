"""Wakes subscriptions when a command's status changes.

The pipeline runs on its own thread and reports each committed status change with `notify`; the
hub hands it to the event loop (call_soon_threadsafe) only when someone watches that command.
Changes made by other processes are not reported: watchers also look again every `poll_s`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

POLL_S = 1.0


class Watch:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    def set(self) -> None:
        self._event.set()

    async def changed(self, timeout_s: float) -> None:
        """Return when the command may have changed: a notification, or the poll interval."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout_s)
        self._event.clear()


class StatusHub:
    def __init__(self, poll_s: float = POLL_S) -> None:
        self.poll_s = poll_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watches: dict[str, set[Watch]] = {}

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def notify(self, command_id: str) -> None:
        """Called from any thread after a status change of `command_id` commits."""
        loop = self._loop
        if loop is not None and command_id in self._watches and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake, command_id)

    def _wake(self, command_id: str) -> None:
        for watch in self._watches.get(command_id, ()):
            watch.set()

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
