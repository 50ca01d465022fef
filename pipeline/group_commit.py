"""Submissions from an event loop, committed by one writer thread, many per transaction.

A submit needs the store's write lock, which the pipeline holds for a whole batch: taken on the
event loop, every request waits behind it. Here callers only hand their command over and await;
the writer thread takes whatever has gathered, records it all in one transaction, and resolves
every caller's future after the commit: a receipt still means the command is durably QUEUED.
One caller's error, such as a reused commandId, undoes only its submission and reaches only that
caller: when anything in a group fails, the group is undone and written again with each
submission in a savepoint of its own.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass

from domain.commands import Command
from pipeline.ports import Backend
from pipeline.records import CommandRecord
from pipeline.submit import Prepared, prepare, write, write_unguarded

log = logging.getLogger("usermgmt.submit")

MAX_GROUP = 256  # submissions per transaction: bounds how long one commit holds the lock


SubmitResult = CommandRecord | BaseException  # a submission's record, or the error it raised
Settled = tuple["asyncio.Future[CommandRecord]", SubmitResult]


class SubmitterStopped(RuntimeError):
    """The submitter was stopped: nothing of this submission was written."""


@dataclass(frozen=True)
class _Submission:
    command: Command
    actor: str
    admin: bool
    command_id: str | None
    future: asyncio.Future[CommandRecord]


class GroupCommitSubmitter:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._pending: list[_Submission] = []
        self._changed = threading.Condition()
        self.stopping = threading.Event()  # set by stop(): later submissions are refused
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.stopping.clear()
        self._thread = threading.Thread(target=self._run, daemon=True, name="usermgmt-submit")
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Commit what was handed over before the call, then end the writer thread."""
        with self._changed:
            self.stopping.set()
            self._changed.notify()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    async def __call__(
        self, command: Command, actor: str, admin: bool, command_id: str | None = None
    ) -> CommandRecord:
        """The command's record once it is committed; the errors `submit` raises, raised here."""
        future: asyncio.Future[CommandRecord] = asyncio.get_running_loop().create_future()
        with self._changed:
            if self.stopping.is_set() or self._thread is None:
                raise SubmitterStopped("the server is stopping")
            self._pending.append(_Submission(command, actor, admin, command_id, future))
            self._changed.notify()
        return await future

    def _run(self) -> None:
        while True:
            with self._changed:
                while not self._pending and not self.stopping.is_set():
                    self._changed.wait()
                if not self._pending:
                    return  # stopping, and everything handed over is committed
                group, self._pending = self._pending[:MAX_GROUP], self._pending[MAX_GROUP:]
            self._commit(group)

    def _commit(self, group: list[_Submission]) -> None:
        # Prepared before the write lock is taken: every process waits while it is held.
        ready = [self._prepare(s) for s in group]
        results = self._all_or_nothing(ready) if self.backend.atomic_batch else None
        _resolve(group, self._one_by_one(ready) if results is None else results)

    def _all_or_nothing(self, ready: list[Prepared | BaseException]) -> list[SubmitResult] | None:
        """The group with no savepoint around each submission (each costs its statements and a
        copy of every page it changes), on a store that undoes a failed batch whole; None when
        something failed, and nothing was written."""
        try:
            with self.backend.batch():
                ok = [p for p in ready if isinstance(p, Prepared)]
                stored = iter(write_unguarded(self.backend, ok))
            return [next(stored) if isinstance(p, Prepared) else p for p in ready]
        except Exception as exc:
            log.info("a group of submissions failed (%s): writing them one by one", exc)
            return None

    def _one_by_one(self, ready: list[Prepared | BaseException]) -> list[SubmitResult]:
        try:
            with self.backend.batch():
                return [self._write(p) for p in ready]
        except Exception as exc:  # the commit itself failed: nobody's submission is stored
            log.exception("a group of %d submissions failed to commit", len(ready))
            return [exc] * len(ready)

    def _prepare(self, s: _Submission) -> Prepared | BaseException:
        try:
            return prepare(self.backend, s.command, s.actor, s.admin, s.command_id)
        except Exception as exc:
            return exc

    def _write(self, prepared: Prepared | BaseException) -> SubmitResult:
        # Each submission writes in a batch of its own, a savepoint inside this transaction: a
        # failure undoes this submission alone.
        if isinstance(prepared, BaseException):
            return prepared
        try:
            return write(self.backend, prepared)
        except Exception as exc:
            return exc


def _resolve(group: list[_Submission], results: list[SubmitResult]) -> None:
    """Hand each caller its result on its event loop: one call per loop for the whole group,
    since each call_soon_threadsafe wakes the loop with a write to its self-pipe (a system call
    a submission, on this thread, when it was one per caller)."""
    by_loop: dict[asyncio.AbstractEventLoop, list[Settled]] = {}
    for s, result in zip(group, results, strict=True):
        by_loop.setdefault(s.future.get_loop(), []).append((s.future, result))
    for loop, settled in by_loop.items():
        if not loop.is_closed():
            loop.call_soon_threadsafe(_settle, settled)


def _settle(settled: list[Settled]) -> None:
    for future, result in settled:
        if future.done():  # the caller may have gone (a cancelled request)
            continue
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)
