"""An SQS FIFO batch through one pipeline stage, the way Lambda's event source mapping wants it.

Each record runs through the pipeline's own attempt(): done, retry, or give up. Powertools'
SqsFifoPartialProcessor (skip_group_on_error) reports a failed record and every later record
of its group as failures, so a stream's messages never overtake each other, while other groups
in the batch go on. A message given up on is copied to the dead-letter queue with its reason
(its command is already FAILED) and reported as done, so Lambda deletes it and its group flows.

SQS's ApproximateReceiveCount is no measure of a message's own failures: the followers of a
failed record are received, and counted, each time their group comes back, without being
tried. So a failed attempt is counted where it happens, on the command's item in the commands
table (one UpdateItem, on failure only: a message that goes through costs nothing more), and
only those counts are held against MAX_DELIVERIES. SQS's redrive (maxReceiveCount, the
REDRIVE_AFTER here) stays as the backstop for a function that dies before it can count; a
message on its last receive before the redrive is given up by the handler instead, if it fails
or is held back, so that it never reaches the dead-letter queue with its command unfinished.

Lambda leaves failed records in flight for the queue's whole visibility timeout; the records
of a failed group are given back sooner, after the pipeline's backoff for that delivery.

One SqsStage serves both queue-fed functions, command and executor: what differs is the stage's
handle and give-up functions and where a failure is counted (per command, or per event).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from aws_lambda_powertools.utilities.batch import (
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from lambda_runtime.log import command_keys, logger
from pipeline.delivery import MAX_DELIVERIES, GiveUp, Handler, Outcome, attempt, retry_delay
from pipeline.ports import FailureCounter, Message, RedeliveringQueue
from pipeline.records import command_id_of

# serverless.yml's maxReceiveCount of both queues (tests/aws/test_template.py checks): SQS moves
# a message received this many times to the dead-letter queue instead of delivering it again.
# A follower is received once per failed try of each message ahead of it in its group, so this
# leaves room for several messages ahead that use all their MAX_DELIVERIES, and still for the
# follower's own; a function that dies on every try (a timeout) loops this many times.
REDRIVE_AFTER = 6 * MAX_DELIVERIES

# The failures of a message so far, this one included, counted on the command's item, given
# its body; None when it cannot be counted there (no such command, or a body without one).
CountFailure = Callable[[str], int | None]


@dataclass(frozen=True)
class SqsStage:
    """A Lambda handler: one pipeline stage fed by an SQS FIFO queue."""

    queue: RedeliveringQueue
    handle: Handler
    give_up: GiveUp
    count_failure: CountFailure
    retry_base_s: float = 1.0

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return process_batch(event, context, self)


def redelivering(queue: object) -> RedeliveringQueue:
    """`queue` as a stage behind an event source mapping uses it; TypeError when it cannot give
    messages back or copy them to its dead-letter queue. Checked by what it does, not by its
    class: tests and probes hand in wrappers of the SQS queue."""
    wanted = ("retry_many", "send_to_dead_letter")
    missing = [name for name in wanted if not callable(getattr(queue, name, None))]
    if missing:
        raise TypeError(f"{type(queue).__name__} is no redelivering queue: no {missing}")
    return cast(RedeliveringQueue, queue)


def command_failures(counter: FailureCounter | None) -> CountFailure:
    """A command message's failures, counted on its command."""

    def count(body: str) -> int | None:
        command_id = command_id_of(body)
        if counter is None or command_id is None:
            return None
        return counter.count_failure(command_id, "command_failures")

    return count


def event_failures(counter: FailureCounter | None) -> CountFailure:
    """An event message's failures, counted on its command per event: a command's events are
    messages of their own."""

    def count(body: str) -> int | None:
        try:
            raw = json.loads(body)
            command_id, index = str(raw["command_id"]), int(raw.get("index", 0))
        except (ValueError, KeyError, TypeError, AttributeError):
            return None
        if counter is None:
            return None
        return counter.count_failure(command_id, f"event_{index}_failures")

    return count


class RetryLater(Exception):
    """The record failed this time; its group waits and it comes back."""


class _FifoProcessor(SqsFifoPartialProcessor):
    """Logs through our JSON logger, with the record's command id on every line, the
    processor's own (a failure, a follower held back) included."""

    def __init__(self) -> None:
        super().__init__(skip_group_on_error=True, logger=logger)  # type: ignore[arg-type]
        # A batch that failed whole is reported record by record like any other, so its
        # records come back after their backoff rather than the whole visibility timeout.
        self.raise_on_entire_batch_failure = False

    def _process_record(self, record: dict[str, Any]) -> Any:
        with command_keys(command_id_of(record.get("body", ""))):
            return super()._process_record(record)  # type: ignore[no-untyped-call]


def process_batch(event: dict[str, Any], context: Any, stage: SqsStage) -> dict[str, Any]:
    queue, handle, give_up = stage.queue, stage.handle, stage.give_up
    messages = {raw["messageId"]: message_of(raw) for raw in event.get("Records", [])}
    tried: set[str] = set()

    def failures(message: Message) -> int:
        if message.attempts >= REDRIVE_AFTER:
            return MAX_DELIVERIES  # SQS would not deliver it again: this failure is its last
        try:
            counted = stage.count_failure(message.body)
        except Exception:
            logger.exception("could not count a failure; counting its deliveries instead")
            counted = None
        return message.attempts if counted is None else counted

    def dead(message: Message, reason: str) -> None:
        logger.error("gave up on a message", extra={"reason": reason})
        queue.send_to_dead_letter(message, reason)

    def record_handler(record: SQSRecord) -> None:
        message = messages[record.message_id]
        tried.add(message.id)
        outcome, reason = attempt(message, handle, give_up, failures)
        if outcome is Outcome.DONE:
            # One line per message: the command id is on it (command_keys), the function too.
            logger.info("handled", extra={"stream": message.group})
        elif outcome is Outcome.DEAD:
            dead(message, reason)
        elif outcome is Outcome.RETRY:
            raise RetryLater(reason)

    processor = _FifoProcessor()
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    failed = [f["itemIdentifier"] for f in response.get("batchItemFailures", [])]
    failed = [m for m in failed if not _held_back_too_long(messages[m], tried, give_up, dead)]
    _give_back(queue, [messages[message_id] for message_id in failed], stage.retry_base_s)
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def _held_back_too_long(
    message: Message, tried: set[str], give_up: GiveUp, dead: Callable[[Message, str], None]
) -> bool:
    """A follower held back on its last receive before SQS's redrive is given up here, so its
    command is FAILED, not left unfinished by the redrive; True when it was."""
    if message.id in tried or message.attempts < REDRIVE_AFTER:
        return False
    reason = f"held back behind failing messages of its stream for {message.attempts} deliveries"
    with command_keys(command_id_of(message.body)):
        try:
            give_up(message.body, reason)
            dead(message, reason)
        except Exception:
            logger.exception("could not give up a message held back too long")
            return False
    return True


def _give_back(queue: RedeliveringQueue, failed: list[Message], retry_base_s: float) -> None:
    """Each failed group back after the backoff its first failed message has earned."""
    delays: dict[str, float] = {}
    by_delay: dict[float, list[Message]] = {}
    for message in failed:
        delay = delays.setdefault(message.group, retry_delay(message.attempts, retry_base_s))
        by_delay.setdefault(delay, []).append(message)
    for delay, messages in by_delay.items():
        try:
            queue.retry_many(messages, delay)
        except Exception:
            # They come back after the visibility timeout anyway; a slower retry, nothing lost.
            logger.exception("could not shorten the visibility of failed messages")


def message_of(raw: dict[str, Any]) -> Message:
    attributes = raw.get("attributes", {})
    return Message(
        id=raw["messageId"],
        body=raw["body"],
        group=attributes.get("MessageGroupId", ""),
        attempts=int(attributes.get("ApproximateReceiveCount", "1")),
        receipt=raw["receiptHandle"],
    )
