"""A moto account with serverless.yml's resources, the Lambda handlers built by the emulator's
root (the same Lambda root a container uses) with pollers playing the event source mappings,
plus port wrappers that fail on cue."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar, cast

from devtools.lambda_emulator import Pollers
from devtools.lambda_emulator.bootstrap import Emulator, build
from domain import events as e
from domain.codec import to_data
from infra.aws.backend import AwsBackend
from infra.dynamodb.event_items import event_item, guard_key
from infra.dynamodb.views import item_of
from lambda_runtime.bootstrap import LambdaFunctions
from pipeline.ports import EventStore, Views
from pipeline.records import RecordedEvent, Status, ViewRow
from tests.support.aws_deployment import Stack, moto_stack
from tests.support.builders import new_id

P = TypeVar("P")


class Switch(Generic[P]):
    """A port that forwards every call to another: the stack's own, until a test injects a
    fault (a fake passed to the root, not a part of it replaced)."""

    def __init__(self, port: P) -> None:
        self.target: Any = port  # a test's fake from then on: it need offer only what is called

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)

    def as_port(self) -> P:
        """The switch as the root takes it: it stands for its port's type, the adapter's
        extras included (a queue's url, the command log's failure counter), since
        `__getattr__` forwards every attribute to the port."""
        return cast(P, self)


def switched(backend: AwsBackend) -> tuple[AwsBackend, dict[str, Switch[Any]]]:
    events, views, commands = (
        Switch(backend.events),
        Switch(backend.views),
        Switch(backend.commands),
    )
    command_queue, execution_queue = Switch(backend.command_queue), Switch(backend.execution_queue)
    ports = replace(
        backend,
        events=events.as_port(),
        views=views.as_port(),
        commands=commands.as_port(),
        command_queue=command_queue.as_port(),
        execution_queue=execution_queue.as_port(),
    )
    switches: dict[str, Switch[Any]] = {
        "events": events,
        "views": views,
        "commands": commands,
        "command_queue": command_queue,
        "execution_queue": execution_queue,
    }
    return ports, switches


@dataclass
class Aws:
    stack: Stack
    emulator: Emulator
    switches: dict[str, Switch[Any]]

    @property
    def backend(self) -> AwsBackend:
        """The stack's own ports, as the test sees them: no fault injected."""
        return self.stack.backend

    @property
    def pollers(self) -> Pollers:
        return self.emulator.pollers

    @property
    def functions(self) -> LambdaFunctions:
        return self.emulator.functions

    def fail_with(self, **ports: Any) -> None:
        """The handlers from now on see these ports instead (a fault injected)."""
        for name, port in ports.items():
            self.switches[name].target = port

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
def aws_harness(
    observer: Any = None,
    *,
    notifier: bool = False,
    connections: Callable[[AwsBackend], Any] | None = None,
    **given: Any,
) -> Iterator[Aws]:
    """The stack, with the handlers and pollers for its mappings (the WebSocket notifier's too,
    if asked); `given`: what else the emulator's root takes (settings, verifier, gateway), and
    `connections` makes the WebSocket functions' connections table from the stack's backend."""
    with moto_stack(observer) as stack:
        if connections is not None:
            given["connections"] = connections(stack.backend)
        backend, switches = switched(stack.backend)
        emulator = build(backend, stack.template, retry_base_s=0, notifier=notifier, **given)
        yield Aws(stack, emulator, switches)


class FailingLoads:
    """An event store whose loads of one stream fail the first `times` times."""

    def __init__(self, store: EventStore, stream: str, times: int) -> None:
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

    def __init__(self, views: Views, row_id: str, version: int, times: int) -> None:
        self.views, self.row_id, self.version, self.left = views, row_id, version, times

    def __getattr__(self, name: str) -> Any:
        return getattr(self.views, name)

    def put(
        self, row: ViewRow, expected_version: int | None, previous: ViewRow | None = None
    ) -> bool:
        if (row.id, row.version) == (self.row_id, self.version) and self.left > 0:
            self.left -= 1
            raise OSError("throttled")
        return bool(self.views.put(row, expected_version, previous))


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


SEEDED_AT = datetime(2026, 1, 1, tzinfo=UTC)  # the time of every seeded event


def seed_users(aws: Aws, count: int, updates_per_user: int = 0) -> list[str]:
    """`count` users as the pipeline would leave them (their events, email guard and view row),
    written directly: only the tables' sizes matter to what a command costs. Their ids."""
    client = aws.backend.clients.dynamodb()
    settings = aws.backend.settings
    assert settings is not None
    ids = []
    for i in range(count):
        user_id, email = f"auth0|seed-{i}", f"seed{i}@example.com"
        created = to_data(e.UserCreated(id=user_id, email=email, first_name="S", last_name="E"))
        stream = f"user#{user_id}"
        for version in range(1, updates_per_user + 2):
            type_, data = "UserCreated", created
            if version > 1:
                updated = e.UserUpdated(id=user_id, last_name=f"{version}")
                type_, data = "UserUpdated", to_data(updated)
            record = RecordedEvent(stream, version, type_, data, SEEDED_AT, new_id(), "seed")
            client.put_item(TableName=settings.events_table, Item=event_item(record))
        guard = {**guard_key("email", email), "owner": {"S": stream}}
        client.put_item(TableName=settings.events_table, Item=guard)
        row = ViewRow(
            "user", user_id, 1, {**created, "role_ids": [], "group_ids": []}, SEEDED_AT, SEEDED_AT
        )
        client.put_item(TableName=settings.view_tables["user"], Item=item_of(row))
        ids.append(user_id)
    skip_stream(aws)
    return ids


def skip_stream(aws: Aws) -> None:
    """Move the stream's checkpoint past what is there: seeds are in the views already."""
    stream = aws.pollers.stream
    handler, stream.handler = stream.handler, lambda event, context: None
    while stream.poll():
        pass
    stream.handler = handler


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
