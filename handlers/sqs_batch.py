"""An SQS FIFO batch through one pipeline stage, the way Lambda's event source mapping wants it.

Each record runs through the pipeline's own attempt(): done, retry, or give up. Powertools'
SqsFifoPartialProcessor (skip_group_on_error) reports a failed record and every later record
of its group as failures, so a stream's messages never overtake each other, while other groups
in the batch go on. A message given up on is copied to the dead-letter queue with its reason
(its command is already FAILED) and reported as done, so Lambda deletes it and its group flows.

Lambda leaves failed records in flight for the queue's whole visibility timeout; the records
of a failed group are given back sooner, after the pipeline's backoff for that delivery.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    SqsFifoPartialProcessor,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from handlers.lambda_runtime import command_keys, logger, retry_base_s
from infra.sqs.queue import SqsQueue
from pipeline.delivery import GiveUp, Handler, Outcome, attempt, retry_delay
from pipeline.ports import Message
from pipeline.records import command_id_of


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


def process_batch(
    event: dict[str, Any], context: Any, queue: SqsQueue, handle: Handler, give_up: GiveUp
) -> dict[str, Any]:
    messages = {raw["messageId"]: message_of(raw) for raw in event.get("Records", [])}

    def record_handler(record: SQSRecord) -> None:
        message = messages[record.message_id]
        outcome, reason = attempt(message, handle, give_up)
        if outcome is Outcome.DONE:
            # One line per message: the command id is on it (command_keys), the function too.
            logger.info("handled", extra={"stream": message.group})
        elif outcome is Outcome.DEAD:
            logger.error("gave up on a message", extra={"reason": reason})
            queue.send_to_dead_letter(message, reason)
        elif outcome is Outcome.RETRY:
            raise RetryLater(reason)

    processor = _FifoProcessor()
    response = process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
    failed = [f["itemIdentifier"] for f in response.get("batchItemFailures", [])]
    _give_back(queue, [messages[message_id] for message_id in failed])
    return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}


def _give_back(queue: SqsQueue, failed: list[Message]) -> None:
    """Each failed group back after the backoff its first failed message has earned."""
    delays: dict[str, float] = {}
    by_delay: dict[float, list[Message]] = {}
    for message in failed:
        delay = delays.setdefault(message.group, retry_delay(message.attempts, retry_base_s()))
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
