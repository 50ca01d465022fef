"""Stand-ins for Lambda's event source mappings, so the real handlers run on a laptop (`usermgmt
serve --backend aws`) and in tests, against moto or a real account:

- SQS: receive a batch, hand it to the command or executor handler as Lambda would, delete the
  records it did not report as failed; failed ones stay and come back.
- DynamoDB stream: read the events table's stream with the dynamodbstreams client, filter and
  batch records as serverless.yml declares, hand them to the mediator, and move the checkpoint
  past what succeeded: a failed record is retried (bounded) from where it failed.
- Replays: the command stage's asynchronous invocations of the replay function, run here.

The mappings' settings (batch sizes, filters, retries) are read from serverless.yml, so what is
tested is what is deployed.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from infra.aws.backend import AwsBackend
from infra.aws.resources import Template, TemplateError
from pipeline.records import CommandEnvelope

log = logging.getLogger("usermgmt.pollers")

LambdaHandler = Callable[[dict[str, Any], Any], Any]
_MISSING = object()


@dataclass
class LambdaContext:
    """The parts of Lambda's context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = ""
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def get_remaining_time_in_millis(self) -> int:
        return 900_000


# --- SQS --------------------------------------------------------------------------------------


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


# --- DynamoDB stream --------------------------------------------------------------------------


class Checkpoint:
    """The last sequence number handled in each shard; in a file when several processes (or
    restarts) must share it. Losing it only means records are forwarded again, which the
    execution queue and the executor make harmless."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._positions: dict[str, str] = {}
        if path is not None and path.exists():
            self._positions = json.loads(path.read_text())

    def get(self, shard: str) -> str | None:
        return self._positions.get(shard)

    def set(self, shard: str, sequence: str) -> None:
        self._positions[shard] = sequence
        if self.path is not None:
            temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(self._positions))
            temporary.replace(self.path)


class StreamPoller:
    def __init__(
        self,
        streams: Any,
        stream_arn: str,
        handler: LambdaHandler,
        function: str,
        *,
        batch_size: int = 100,
        filters: Iterable[dict[str, Any]] = (),
        max_retries: int = 10,
        bisect: bool = True,
        checkpoint: Checkpoint | None = None,
        on_failure: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.streams = streams
        self.stream_arn = stream_arn
        self.handler = handler
        self.function = function
        self.batch_size = batch_size
        self.filters = list(filters)
        self.max_retries = max_retries
        self.bisect = bisect
        self.checkpoint = checkpoint or Checkpoint()
        self.on_failure = on_failure or (lambda info: log.error("gave up on records: %s", info))
        self._limit = batch_size
        self._retries = 0
        self._finished: set[str] = set()

    def poll(self) -> int:
        return sum(self._poll_shard(shard) for shard in self._ready_shards())

    def _ready_shards(self) -> list[str]:
        """Open shards whose parent (if still listed) is read to its end: a stream's order
        holds across shard splits only if parents go first."""
        shards: list[dict[str, Any]] = []
        request: dict[str, Any] = {"StreamArn": self.stream_arn}
        while True:
            description = self.streams.describe_stream(**request)["StreamDescription"]
            shards.extend(description.get("Shards", []))
            last = description.get("LastEvaluatedShardId")
            if not last:
                break
            request["ExclusiveStartShardId"] = last
        listed = {s["ShardId"] for s in shards}
        return [
            s["ShardId"]
            for s in shards
            if s["ShardId"] not in self._finished
            and (s.get("ParentShardId") not in listed or s["ParentShardId"] in self._finished)
        ]

    def _poll_shard(self, shard: str) -> int:
        position = self.checkpoint.get(shard)
        request: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard}
        if position is None:
            request["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            request.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=position)
        # A fresh iterator each poll, from the checkpoint: iterators expire, and the checkpoint
        # is the only position that counts.
        iterator = self.streams.get_shard_iterator(**request)["ShardIterator"]
        out = self.streams.get_records(ShardIterator=iterator, Limit=self._limit)
        records = [self._record(r) for r in out.get("Records", [])]
        if not records:
            if not out.get("NextShardIterator"):
                self._finished.add(shard)
            return 0
        wanted = [
            r for r in records if not self.filters or any(matches(f, r) for f in self.filters)
        ]
        failed_at = self._invoke(wanted) if wanted else None
        if failed_at is None:
            self._succeeded(shard, records)
        else:
            self._failed(shard, records, failed_at)
        return len(records)

    def _invoke(self, records: list[dict[str, Any]]) -> str | None:
        """The sequence number to retry from, or None when the batch succeeded."""
        try:
            response = self.handler({"Records": records}, LambdaContext(self.function))
        except Exception:
            log.exception("%s failed a whole batch", self.function)
            if self.bisect:
                self._limit = max(1, len(records) // 2)
            return str(records[0]["dynamodb"]["SequenceNumber"])
        failures = (response or {}).get("batchItemFailures") or []
        if not failures:
            return None
        return min((str(f["itemIdentifier"]) for f in failures), key=int)

    def _succeeded(self, shard: str, records: list[dict[str, Any]]) -> None:
        self.checkpoint.set(shard, records[-1]["dynamodb"]["SequenceNumber"])
        self._limit, self._retries = self.batch_size, 0

    def _failed(self, shard: str, records: list[dict[str, Any]], failed_at: str) -> None:
        """Resume at the failed record; after the retries, give up that record alone (where
        Lambda's bisection ends up) and go on with the rest."""
        done = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) < int(failed_at)]
        if done:
            self.checkpoint.set(shard, done[-1]["dynamodb"]["SequenceNumber"])
            self._retries = 0
        self._retries += 1
        if self._retries > self.max_retries:
            self.on_failure({"shard": shard, "first": failed_at, "last": failed_at})
            self.checkpoint.set(shard, failed_at)
            self._limit, self._retries = self.batch_size, 0

    def _record(self, raw: dict[str, Any]) -> dict[str, Any]:
        """A stream record as Lambda delivers it."""
        dynamodb = dict(raw["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = created.timestamp()
        return {**raw, "dynamodb": dynamodb, "eventSourceARN": self.stream_arn}


def matches(pattern: dict[str, Any], value: Any) -> bool:
    """An EventBridge-style filter pattern, the subset Lambda filters use here: nested keys,
    lists of allowed values, and {"exists": bool}."""
    for key, expected in pattern.items():
        actual = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
        if isinstance(expected, dict):
            if not isinstance(actual, dict) or not matches(expected, actual):
                return False
        elif not any(_matches_one(option, actual) for option in expected):
            return False
    return True


def _matches_one(option: Any, actual: Any) -> bool:
    if isinstance(option, dict):
        if set(option) != {"exists"}:
            raise TemplateError(f"filter rule {option} is not supported here")
        return (actual is not _MISSING) == bool(option["exists"])
    return bool(actual == option)


# --- replays ----------------------------------------------------------------------------------


class ReplayInvocations:
    """Asynchronous invocations of the replay function, kept until a poll runs them."""

    def __init__(self, handler: LambdaHandler, function: str) -> None:
        self.handler = handler
        self.function = function
        self._pending: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()

    def launch(self, envelope: CommandEnvelope) -> None:
        self._pending.put(json.loads(envelope.to_json()))

    def poll(self) -> int:
        ran = 0
        while True:
            try:
                payload = self._pending.get_nowait()
            except queue.Empty:
                return ran
            try:
                self.handler(payload, LambdaContext(self.function))
            except Exception:
                log.exception("the replay function failed")
            ran += 1

    def pending(self) -> bool:
        return not self._pending.empty()


# --- all of them ------------------------------------------------------------------------------


class Pollers:
    def __init__(
        self,
        commands: SqsPoller,
        stream: StreamPoller,
        executions: SqsPoller,
        replays: ReplayInvocations,
    ) -> None:
        self.commands = commands
        self.stream = stream
        self.executions = executions
        self.replays = replays
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def step(self) -> int:
        """One poll of every mapping, in pipeline order; how much work it found."""
        return (
            self.commands.poll() + self.stream.poll() + self.executions.poll() + self.replays.poll()
        )

    def run_until_idle(self, timeout_s: float = 120.0, idle_wait_s: float = 0.05) -> None:
        """Poll until nothing is left anywhere, in flight included: a message another consumer
        received and never deleted shows again after its visibility timeout, and is waited for."""
        deadline = time.monotonic() + timeout_s
        while True:
            if self.step():
                continue
            if not self.replays.pending() and not self.commands.depth() + self.executions.depth():
                return
            if time.monotonic() > deadline:
                raise RuntimeError("the pipeline did not settle")
            time.sleep(idle_wait_s)  # no event to wait on: SQS only shows it when polled

    def start(self, idle_wait_s: float = 0.2) -> None:
        """Each mapping on a thread of its own, as Lambda runs them side by side."""
        self._stop.clear()
        sources: list[tuple[str, Callable[[], int]]] = [
            ("commands", self.commands.poll),
            ("stream", self.stream.poll),
            ("executions", self.executions.poll),
            ("replays", self.replays.poll),
        ]
        self._threads = [
            threading.Thread(
                target=self._loop, args=(poll, idle_wait_s), daemon=True, name=f"poller-{name}"
            )
            for name, poll in sources
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads = []

    def _loop(self, poll: Callable[[], int], idle_wait_s: float) -> None:
        while not self._stop.is_set():
            try:
                found = poll()
            except Exception:
                log.exception("a poller failed; trying again")
                found = 0
            if not found:
                self._stop.wait(idle_wait_s)


def open_pollers(
    backend: AwsBackend,
    template: Template,
    *,
    visibility_s: int | None = None,
    wait_s: int = 0,
    checkpoint: Checkpoint | None = None,
    retry_base_s: float | None = None,
) -> Pollers:
    """Pollers that run the real handlers on `backend`, configured as serverless.yml declares
    the mappings. The handlers are pointed at `backend`, and its replays at the pollers."""
    from handlers import command, executor, lambda_runtime, mediator, replay

    assert backend.settings is not None
    replays = ReplayInvocations(replay.handler, _function_name(template, "replay"))
    backend.launch_replay = replays.launch
    lambda_runtime.use(backend, retry_base_s=retry_base_s)
    sqs = backend.clients.sqs()
    commands_source = template.event_source("command", "sqs")
    executions_source = template.event_source("executor", "sqs")
    stream_source = template.event_source("mediator", "stream")
    events_table = backend.clients.dynamodb().describe_table(
        TableName=backend.settings.events_table
    )
    return Pollers(
        commands=SqsPoller(
            sqs,
            backend.command_queue.url,  # type: ignore[attr-defined]
            command.handler,
            _function_name(template, "command"),
            batch_size=commands_source.get("batchSize", 10),
            visibility_s=visibility_s,
            wait_s=wait_s,
        ),
        stream=StreamPoller(
            backend.clients.streams(),
            events_table["Table"]["LatestStreamArn"],
            mediator.handler,
            _function_name(template, "mediator"),
            batch_size=stream_source.get("batchSize", 100),
            filters=stream_source.get("filterPatterns", []),
            max_retries=stream_source.get("maximumRetryAttempts", 10),
            bisect=stream_source.get("bisectBatchOnFunctionError", False),
            checkpoint=checkpoint,
        ),
        executions=SqsPoller(
            sqs,
            backend.execution_queue.url,  # type: ignore[attr-defined]
            executor.handler,
            _function_name(template, "executor"),
            batch_size=executions_source.get("batchSize", 10),
            visibility_s=visibility_s,
            wait_s=wait_s,
        ),
        replays=replays,
    )


def _function_name(template: Template, function: str) -> str:
    return f"{template.service}-{template.stage}-{function}"
