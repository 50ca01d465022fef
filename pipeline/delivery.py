"""Running one queue message through a stage: done, try again later, or give up for good."""

from __future__ import annotations

import logging
from collections.abc import Callable
from enum import Enum

from pipeline.ports import Backend, Message, Queue

log = logging.getLogger("usermgmt.pipeline")

MAX_DELIVERIES = 5  # a message that fails this many times is dead-lettered and its command FAILED


class Poison(Exception):
    """A message that can never succeed (it does not parse): give up at once."""


class Outcome(Enum):
    DONE = "done"
    RETRY = "retry"
    DEAD = "dead"


Handler = Callable[[str], None]
GiveUp = Callable[[str, str], None]  # (message body, reason)
# How many times the message has failed, this failure included; asked only after a failure.
Failures = Callable[[Message], int]


def attempt(
    message: Message, handle: Handler, give_up: GiveUp, failures: Failures | None = None
) -> tuple[Outcome, str]:
    """Without `failures`, every delivery of the message is taken to have been an attempt
    that failed (true of a queue that delivers a group's messages one at a time)."""
    try:
        handle(message.body)
        return Outcome.DONE, ""
    except Poison as exc:
        reason = str(exc)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        failed = message.attempts if failures is None else failures(message)
        log.warning("attempt %d of message %s failed: %s", failed, message.id, reason)
        if failed < MAX_DELIVERIES:
            return Outcome.RETRY, reason
    give_up(message.body, reason)
    return Outcome.DEAD, reason


def pump(
    backend: Backend,
    queue: Queue,
    handle: Handler,
    give_up: GiveUp,
    limit: int,
    *,
    retry_base_s: float = 0.05,
) -> int:
    """Receive up to `limit` messages and run each, in one batch where the storage allows.
    A failed message is given back with an exponential delay from `retry_base_s`.
    Returns how many messages were received."""
    if backend.atomic_batch:
        try:
            return _all_or_nothing(backend, queue, handle, limit)
        except Exception as exc:
            log.info(
                "a batch failed (%s: %s): running it message by message", type(exc).__name__, exc
            )
    with backend.batch():
        messages = queue.receive(limit)
        for message in messages:
            outcome, reason = _run(backend, message, handle, give_up)
            if outcome is Outcome.DONE:
                queue.ack(message)
            elif outcome is Outcome.RETRY:
                queue.retry(message, retry_delay(message.attempts, retry_base_s))
            else:
                queue.dead_letter(message, reason)
    return len(messages)


def _all_or_nothing(backend: Backend, queue: Queue, handle: Handler, limit: int) -> int:
    """The batch with no savepoint around each message (each costs its statements and a copy
    of every page the handler changes): any failure undoes all of it, receipts included, and
    the caller runs it again the careful way."""
    with backend.batch():
        messages = queue.receive(limit)
        for message in messages:
            handle(message.body)
        queue.ack_many(messages)
    return len(messages)


def _run(
    backend: Backend, message: Message, handle: Handler, give_up: GiveUp
) -> tuple[Outcome, str]:
    def alone(body: str) -> None:
        # The handler in a savepoint of its own: when it fails, its writes are undone before
        # anything else happens, a retry or the give-up (which must not commit half a command
        # beside its FAILED), and the rest of the batch stands.
        with backend.batch():
            handle(body)

    return attempt(message, alone, give_up)


def retry_delay(attempts: int, base_s: float = 0.05) -> float:
    return float(min(base_s * 2**attempts, 5.0))
