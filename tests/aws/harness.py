"""A moto account with serverless.yml's resources and pollers playing the event source mappings,
plus port wrappers that fail on cue."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from handlers import lambda_runtime
from handlers.pollers import Pollers, open_pollers
from infra.aws.backend import AwsBackend
from pipeline.records import RecordedEvent, Status, ViewRow
from tests.support.aws_deployment import Stack, moto_stack


@dataclass
class Aws:
    stack: Stack
    pollers: Pollers

    @property
    def backend(self) -> AwsBackend:
        return self.stack.backend

    def fail_with(self, **ports: Any) -> None:
        """The handlers from now on see these ports instead (a fault injected)."""
        lambda_runtime.use(replace(self.backend, **ports), retry_base_s=0)

    def status(self, command_id: str) -> Status:
        record = self.backend.commands.get(command_id)
        assert record is not None
        return record.status

    def queue_url(self, env_name: str) -> str:
        return self.stack.environment[env_name]

    def receive_all(self, env_name: str) -> list[dict[str, Any]]:
        sqs = self.backend.clients.sqs()
        messages: list[dict[str, Any]] = sqs.receive_message(
            QueueUrl=self.queue_url(env_name),
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        return messages


@contextmanager
def aws_harness(observer: Any = None, *, notifier: bool = False) -> Iterator[Aws]:
    """The stack, with pollers for its mappings (the WebSocket notifier's too, if asked)."""
    with moto_stack(observer) as stack:
        pollers = open_pollers(stack.backend, stack.template, retry_base_s=0, notifier=notifier)
        try:
            yield Aws(stack, pollers)
        finally:
            lambda_runtime.use(None)


class FailingLoads:
    """An event store whose loads of one stream fail the first `times` times."""

    def __init__(self, store: Any, stream: str, times: int) -> None:
        self.store, self.stream, self.left = store, stream, times

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def load(self, stream: str) -> list[RecordedEvent]:
        if stream == self.stream and self.left > 0:
            self.left -= 1
            raise OSError("the disk is on fire")
        return list(self.store.load(stream))


class FailingPuts:
    """Views whose writes of one row at one version fail the first `times` times."""

    def __init__(self, views: Any, row_id: str, version: int, times: int) -> None:
        self.views, self.row_id, self.version, self.left = views, row_id, version, times

    def __getattr__(self, name: str) -> Any:
        return getattr(self.views, name)

    def put(self, row: ViewRow, expected_version: int | None) -> bool:
        if (row.id, row.version) == (self.row_id, self.version) and self.left > 0:
            self.left -= 1
            raise OSError("throttled")
        return bool(self.views.put(row, expected_version))


# What Lambda itself does around our functions (receive, delete, read the stream), and the
# pollers' bookkeeping: not requests our code makes.
SERVICE_SIDE = {
    "ReceiveMessage",
    "DeleteMessageBatch",
    "GetQueueAttributes",
    "DescribeStream",
    "GetShardIterator",
    "GetRecords",
    "DescribeTable",
}


class Meter:
    """An observer of every request: counts those our code makes, while counting."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.on = False

    def __call__(self, service: str, operation: str, params: dict[str, Any]) -> None:
        if self.on and operation not in SERVICE_SIDE:
            self.counts[f"{service}.{operation}"] += 1

    @contextmanager
    def counting(self) -> Iterator[Counter[str]]:
        self.counts = Counter()
        self.on = True
        try:
            yield self.counts
        finally:
            self.on = False


class FailingGets:
    """A command log whose reads of some commands fail, each command its own number of times
    (None: every time); `tries` counts the reads of each."""

    def __init__(self, commands: Any, failures: dict[str, int | None]) -> None:
        self.commands, self.failures = commands, dict(failures)
        self.tries: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.commands, name)

    def get(self, command_id: str) -> Any:
        self.tries[command_id] += 1
        left = self.failures.get(command_id, 0)
        if left is None or left > 0:
            if left is not None:
                self.failures[command_id] = left - 1
            raise OSError(f"could not read command {command_id}")
        return self.commands.get(command_id)
