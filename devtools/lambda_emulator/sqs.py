"""Lambda's SQS event source mapping: receive a batch, hand it to the function as Lambda would,
delete the records it did not report as failed; failed ones stay and come back."""

from __future__ import annotations

import logging
from typing import Any

from devtools.lambda_emulator.lambda_context import LambdaContext, LambdaHandler

log = logging.getLogger("usermgmt.pollers")


class SqsPoller:
    def __init__(
        self,
        sqs: Any,
        url: str,
        handler: LambdaHandler,
        function: str,
        *,
        batch_size: int = 10,
        visibility_s: int | None = None,
        wait_s: int = 0,
    ) -> None:
        self.sqs = sqs
        self.url = url
        self.handler = handler
        self.function = function
        self.batch_size = batch_size
        self.visibility_s = visibility_s  # None: the queue's own, as Lambda uses
        self.wait_s = wait_s
        self._arn: str | None = None

    def poll(self) -> int:
        request: dict[str, Any] = {
            "QueueUrl": self.url,
            "MaxNumberOfMessages": self.batch_size,
            "WaitTimeSeconds": self.wait_s,
            "MessageSystemAttributeNames": ["All"],
            "MessageAttributeNames": ["All"],
        }
        if self.visibility_s is not None:
            request["VisibilityTimeout"] = self.visibility_s
        received = self.sqs.receive_message(**request).get("Messages", [])
        if not received:
            return 0
        failed = self._invoke({"Records": [self._record(m) for m in received]})
        self._delete([m for m in received if m["MessageId"] not in failed])
        return len(received)

    def depth(self) -> int:
        """Messages visible or in flight."""
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return sum(int(v) for v in attributes.values())

    def _invoke(self, event: dict[str, Any]) -> set[str]:
        """The ids of the records that failed: those reported, or all when the function did."""
        try:
            response = self.handler(event, LambdaContext(self.function))
        except Exception:
            log.exception("%s failed a whole batch", self.function)
            return {r["messageId"] for r in event["Records"]}
        return {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])}

    def _delete(self, done: list[dict[str, Any]]) -> None:
        for start in range(0, len(done), 10):
            entries = [
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                for i, m in enumerate(done[start : start + 10])
            ]
            response = self.sqs.delete_message_batch(QueueUrl=self.url, Entries=entries)
            for failure in response.get("Failed", []):
                log.warning("could not delete a processed message: %s", failure)

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._queue_arn(),
            "awsRegion": self._queue_arn().split(":")[3],
        }

    def _queue_arn(self) -> str:
        if self._arn is None:
            attributes = self.sqs.get_queue_attributes(
                QueueUrl=self.url, AttributeNames=["QueueArn"]
            )
            self._arn = str(attributes["Attributes"]["QueueArn"])
        return self._arn
