"""The line between an HTTP worker and the process that runs the pipeline (`serve --workers`).

One socket pair per worker, lines of text both ways:
- worker -> pipeline: `w` (commands were queued: wake the runner), `+ID` / `-ID` (a
  subscription started / stopped following command ID);
- pipeline -> worker: the JSON of a watched command's record (pipeline/record_codec.py), read
  right after each of its status changes commits (so a subscriber sees every status in turn, as
  in one process), and once when the watch starts (so a change that committed just before it is
  not missed).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from typing import Any

from pipeline.ports import Backend
from pipeline.record_codec import record_from_json, record_to_json
from resolvers.status_hub import StatusHub

log = logging.getLogger("usermgmt.link")


class _Line:
    """A blocking socket written whole lines at a time from any thread."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._lock = threading.Lock()

    def send(self, text: str) -> None:
        try:
            with self._lock:
                self.sock.sendall(text.encode() + b"\n")
        except OSError:
            pass  # the other end is gone; its reader sees EOF and acts on it

    def lines(self) -> Any:
        return self.sock.makefile("r", encoding="utf-8", newline="\n")


class WorkerLink:
    """The worker's end: wakes the pipeline after its submits commit, keeps it told which
    commands are watched, and hands the records it sends to the hub. When the pipeline
    process goes away, the worker stops (SIGTERM to itself: uvicorn's graceful shutdown)."""

    def __init__(self, sock: socket.socket, hub: StatusHub) -> None:
        self.line = _Line(sock)
        self.hub = hub
        hub.on_watch = self.watched
        self._reader: threading.Thread | None = None
        self._stopping = False

    def wake(self) -> None:
        self.line.send("w")

    def watched(self, command_id: str, watched: bool) -> None:
        self.line.send(("+" if watched else "-") + command_id)

    def start(self) -> None:
        self._reader = threading.Thread(target=self._read, daemon=True, name="usermgmt-link")
        self._reader.start()

    def stop(self) -> None:
        self._stopping = True
        with contextlib.suppress(OSError):
            self.line.sock.shutdown(socket.SHUT_RDWR)  # wakes the reader
        if self._reader is not None:
            self._reader.join(5.0)
        self.line.sock.close()

    def _read(self) -> None:
        try:
            for text in self.line.lines():
                record = record_from_json(text)
                loop = self.hub.loop
                if loop is not None and not loop.is_closed():
                    loop.call_soon_threadsafe(self.hub.deliver, record.id, record)
        except (OSError, ValueError):
            pass  # shut by stop(), or the pipeline process died mid-line
        if not self._stopping:  # the pipeline process is gone
            log.error("the pipeline process has gone; stopping this worker")
            os.kill(os.getpid(), signal.SIGTERM)


class WorkerLinks:
    """The pipeline process's ends, one per worker."""

    def __init__(self, backend: Backend, wake: Callable[[], None]) -> None:
        self.backend = backend
        self.wake = wake
        self._watchers: dict[str, set[_Line]] = {}
        self._lock = threading.Lock()
        self._readers: list[threading.Thread] = []

    def add(self, sock: socket.socket) -> None:
        line = _Line(sock)
        reader = threading.Thread(
            target=self._read, args=(line,), daemon=True, name="usermgmt-worker-link"
        )
        self._readers.append(reader)
        reader.start()

    def notify(self, command_id: str) -> None:
        """After a status change of `command_id` commits, on the thread that made it."""
        with self._lock:
            lines = tuple(self._watchers.get(command_id, ()))
        if lines:
            self._send(command_id, lines)

    def join(self, timeout: float) -> None:
        for reader in self._readers:
            reader.join(timeout)

    def _send(self, command_id: str, lines: tuple[_Line, ...]) -> None:
        record = self.backend.commands.get(command_id)
        if record is not None:
            text = record_to_json(record)
            for line in lines:
                line.send(text)

    def _read(self, line: _Line) -> None:
        try:
            for text in line.lines():
                kind, command_id = text[0], text[1:].rstrip("\n")
                if kind == "w":
                    self.wake()
                elif kind == "+":
                    with self._lock:
                        self._watchers.setdefault(command_id, set()).add(line)
                    self._send(command_id, (line,))  # what it is now, in case it just changed
                elif kind == "-":
                    self._forget(command_id, line)
        except OSError:
            pass
        finally:
            with self._lock:
                for command_id in [c for c, lines in self._watchers.items() if line in lines]:
                    self._watchers[command_id].discard(line)
                    if not self._watchers[command_id]:
                        del self._watchers[command_id]
            line.sock.close()

    def _forget(self, command_id: str, line: _Line) -> None:
        with self._lock:
            lines = self._watchers.get(command_id)
            if lines is not None:
                lines.discard(line)
                if not lines:
                    del self._watchers[command_id]
