"""A FIFO queue on SQS: MessageGroupId = the stream, MessageDeduplicationId = the command or
event id, a dead-letter FIFO queue beside it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from infra.sqs.fifo_ids import fifo_id
from pipeline.ports import Message, OutMessage

SEND_BATCH_MAX = 10  # SQS's limit of entries per batch request
RECEIVE_MAX = 10


class SendFailed(Exception):
    """SQS refused some entries of a batch; nothing after the first refused one is sent."""


class SqsQueue:
    def __init__(
        self,
        client: Any,
        url: str,
        dead_letter_url: str,
        *,
        wait_s: int = 0,
        visibility_s: int | None = None,
    ) -> None:
        self.client = client
        self.url = url
        self.dead_letter_url = dead_letter_url
        self.wait_s = wait_s  # long polling for receive (0: return at once)
        self.visibility_s = visibility_s  # None: the queue's own visibility timeout

    def send(self, messages: Sequence[OutMessage]) -> None:
        for start in range(0, len(messages), SEND_BATCH_MAX):
            self._send_batch(messages[start : start + SEND_BATCH_MAX])

    def _send_batch(self, batch: Sequence[OutMessage]) -> None:
        entries = [
            {
                "Id": str(i),
                "MessageBody": m.body,
                "MessageGroupId": fifo_id(m.group),
                "MessageDeduplicationId": fifo_id(m.dedup_id),
            }
            for i, m in enumerate(batch)
        ]
        response = self.client.send_message_batch(QueueUrl=self.url, Entries=entries)
        failed = response.get("Failed") or []
        if failed:
            first = min(int(f["Id"]) for f in failed)
            reasons = "; ".join(f"{f.get('Code')}: {f.get('Message')}" for f in failed)
            raise SendFailed(
                f"{len(failed)} of {len(batch)} messages refused from #{first}: {reasons}"
            )

    def receive(self, max_messages: int) -> list[Message]:
        """At most one message per group: SQS may hand out several of a group at once, but the
        port promises that a received message hides the rest of its group, so the others go
        straight back (still behind this one, as FIFO keeps them)."""
        request: dict[str, Any] = {
            "QueueUrl": self.url,
            "MaxNumberOfMessages": max(1, min(max_messages, RECEIVE_MAX)),
            "WaitTimeSeconds": self.wait_s,
            "MessageSystemAttributeNames": ["ApproximateReceiveCount", "MessageGroupId"],
        }
        if self.visibility_s is not None:
            request["VisibilityTimeout"] = self.visibility_s
        raw = self.client.receive_message(**request).get("Messages", [])
        heads: dict[str, Message] = {}
        extra = []
        for m in raw:
            message = message_of(m)
            if message.group in heads:
                extra.append(message)
            else:
                heads[message.group] = message
        self.retry_many(extra, 0)
        return list(heads.values())

    def ack(self, message: Message) -> None:
        self.client.delete_message(QueueUrl=self.url, ReceiptHandle=message.receipt)

    def ack_many(self, messages: Sequence[Message]) -> None:
        for start in range(0, len(messages), SEND_BATCH_MAX):
            entries = [
                {"Id": str(i), "ReceiptHandle": m.receipt}
                for i, m in enumerate(messages[start : start + SEND_BATCH_MAX])
            ]
            self.client.delete_message_batch(QueueUrl=self.url, Entries=entries)

    def retry(self, message: Message, delay_s: float) -> None:
        self.client.change_message_visibility(
            QueueUrl=self.url, ReceiptHandle=message.receipt, VisibilityTimeout=_seconds(delay_s)
        )

    def retry_many(self, messages: Sequence[Message], delay_s: float) -> None:
        """Give messages back to be delivered again after `delay_s`, in one request each ten."""
        for start in range(0, len(messages), SEND_BATCH_MAX):
            entries = [
                {"Id": str(i), "ReceiptHandle": m.receipt, "VisibilityTimeout": _seconds(delay_s)}
                for i, m in enumerate(messages[start : start + SEND_BATCH_MAX])
            ]
            self.client.change_message_visibility_batch(QueueUrl=self.url, Entries=entries)

    def dead_letter(self, message: Message, reason: str) -> None:
        self.send_to_dead_letter(message, reason)
        self.ack(message)

    def send_to_dead_letter(self, message: Message, reason: str) -> None:
        """A copy of the message to the dead-letter queue, with the reason it was given up.
        The original stays to be deleted by whoever received it (Lambda, on success)."""
        self.client.send_message(
            QueueUrl=self.dead_letter_url,
            MessageBody=message.body,
            MessageGroupId=fifo_id(message.group),
            MessageDeduplicationId=fifo_id(message.id),
            MessageAttributes={"reason": {"DataType": "String", "StringValue": reason[:1000]}},
        )

    def depth(self) -> tuple[int, int]:
        """(visible, in flight) messages, approximately (exact on moto)."""
        attributes = self.client.get_queue_attributes(
            QueueUrl=self.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return (
            int(attributes["ApproximateNumberOfMessages"]),
            int(attributes["ApproximateNumberOfMessagesNotVisible"]),
        )


def message_of(raw: dict[str, Any]) -> Message:
    attributes = raw.get("Attributes", {})
    return Message(
        id=raw["MessageId"],
        body=raw["Body"],
        group=attributes.get("MessageGroupId", ""),
        attempts=int(attributes.get("ApproximateReceiveCount", "1")),
        receipt=raw["ReceiptHandle"],
    )


def _seconds(delay_s: float) -> int:
    # SQS counts visibility in whole seconds; a fraction rounds up so a delay is never skipped.
    return min(max(0, math.ceil(delay_s)), 43_200)
