"""What commands and a replay cost on the AWS backend, counted on moto: the DynamoDB and SQS
requests our code makes (the API's submit, the command, mediator and executor functions; not
Lambda's own polling), by operation, and the items they read. moto is for counting, not timing.

Runs in a process of its own, from the repository root (`python -m bench.aws_cost SIZE...`):
it drives the real handlers through the test suite's moto harness, and prints JSON."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from domain import commands as c
from domain import events as e
from domain.codec import to_data
from infra.dynamodb.event_items import event_item, guard_key
from infra.dynamodb.views import item_of
from pipeline.records import RecordedEvent, Status, ViewRow
from tests.aws.harness import Aws, aws_harness
from tests.support.builders import as_admin, create_user, new_id

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
T0 = datetime(2026, 1, 1, tzinfo=UTC)
# Some botocore releases route DynamoDB Streams through account endpoints moto lacks.
os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")


class Meter:
    """Requests by operation (before each call) and items read (from each answer)."""

    def __init__(self) -> None:
        self.requests: Counter[str] = Counter()
        self.items_read = 0
        self.scans = 0
        self.on = False

    def __call__(self, service: str, operation: str, params: dict[str, Any]) -> None:
        if operation == "Scan":
            self.scans += 1
        if self.on and operation not in SERVICE_SIDE:
            self.requests[f"{service}.{operation}"] += 1

    def answered(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if self.on and model.name not in SERVICE_SIDE:
            self.items_read += _items(model.name, parsed)

    @contextmanager
    def counting(self) -> Iterator[None]:
        self.requests, self.items_read, self.on = Counter(), 0, True
        try:
            yield
        finally:
            self.on = False


def _items(operation: str, parsed: dict[str, Any]) -> int:
    if operation == "GetItem":
        return 1 if "Item" in parsed else 0
    if operation in ("Query", "Scan"):
        return int(parsed.get("Count", 0))
    if operation == "BatchGetItem":
        return sum(len(items) for items in parsed.get("Responses", {}).values())
    if operation == "TransactGetItems":
        return sum(1 for r in parsed.get("Responses", []) if "Item" in r)
    return 0


def seed(aws: Aws, users: int, updates_per_user: int = 0) -> None:
    """Users as the pipeline would leave them (events, email guards, view rows), written
    directly: only the tables' sizes matter to what a command costs."""
    client = aws.backend.clients.dynamodb()
    settings = aws.backend.settings
    assert settings is not None
    for i in range(users):
        user_id, email = f"auth0|seed-{i}", f"seed{i}@example.com"
        created = to_data(e.UserCreated(id=user_id, email=email, first_name="S", last_name="E"))
        stream = f"user#{user_id}"
        for version in range(1, updates_per_user + 2):
            type_, data = "UserCreated", created
            if version > 1:
                type_, data = (
                    "UserUpdated",
                    to_data(e.UserUpdated(id=user_id, last_name=f"{version}")),
                )
            record = RecordedEvent(stream, version, type_, data, T0, new_id(), "seed")
            client.put_item(TableName=settings.events_table, Item=event_item(record))
        guard = {**guard_key("email", email), "owner": {"S": stream}}
        client.put_item(TableName=settings.events_table, Item=guard)
        row = ViewRow("user", user_id, 1, {**created, "role_id": None, "group_id": None}, T0, T0)
        client.put_item(TableName=settings.view_tables["user"], Item=item_of(row))
    _skip_stream(aws)


def _skip_stream(aws: Aws) -> None:
    """Move the stream's checkpoint past the seeds: they are in the views already."""
    stream = aws.pollers.stream
    handler, stream.handler = stream.handler, lambda event, context: None
    while stream.poll():
        pass
    stream.handler = handler


def _cost(aws: Aws, meter: Meter, send: Callable[[], Any]) -> dict[str, Any]:
    with meter.counting():
        receipt = send()
        aws.pollers.run_until_idle()
    status = aws.backend.commands.get(receipt.id)
    assert status is not None and status.status is Status.APPLIED, status
    return {"requests": dict(meter.requests), "items_read": meter.items_read}


@contextmanager
def metered() -> Iterator[tuple[Aws, Meter]]:
    meter = Meter()
    with aws_harness(meter) as aws:
        aws.backend.clients.dynamodb().meta.events.register("after-call.dynamodb", meter.answered)
        yield aws, meter


def command_costs(existing: int) -> dict[str, Any]:
    """createUser, updateUser and deleteUser of one user, among `existing` others."""
    with metered() as (aws, meter):
        seed(aws, existing)
        backend, user_id = aws.backend, f"auth0|{new_id()}"
        costs = {
            "create_user": _cost(
                aws, meter, lambda: as_admin(backend, create_user(user_id, f"{new_id()}@x.io"))
            ),
            "update_user": _cost(
                aws, meter, lambda: as_admin(backend, c.UpdateUser(id=user_id, first_name="G"))
            ),
            "delete_user": _cost(aws, meter, lambda: as_admin(backend, c.DeleteUser(id=user_id))),
        }
        return {"costs": costs, "scans": meter.scans}


def replay_cost(events: int, streams: int) -> dict[str, Any]:
    """Requests per stream of a replay of `events` events in `streams` user streams."""
    with metered() as (aws, meter):
        longer = (events - streams) // 3  # streams with three updates each, the rest with none
        seed(aws, longer, updates_per_user=3)
        _seed_more(aws, streams - longer)
        with meter.counting():
            receipt = as_admin(aws.backend, c.ReplayFrom(timestamp=T0))
            aws.pollers.run_until_idle()
        record = aws.backend.commands.get(receipt.id)
        assert record is not None and record.status is Status.APPLIED, record
        total = sum(meter.requests.values())
        return {
            "requests": dict(meter.requests),
            "per_stream": total / streams,
            "scans": meter.scans,
        }


def _seed_more(aws: Aws, users: int) -> None:
    """More single-event users, with ids apart from `seed`'s."""
    client = aws.backend.clients.dynamodb()
    settings = aws.backend.settings
    assert settings is not None
    for i in range(users):
        user_id = f"auth0|more-{i}"
        data = to_data(e.UserCreated(id=user_id, email=f"m{i}@x.io", first_name="M", last_name="O"))
        record = RecordedEvent(f"user#{user_id}", 1, "UserCreated", data, T0, new_id(), "seed")
        client.put_item(TableName=settings.events_table, Item=event_item(record))
    _skip_stream(aws)


def main(argv: list[str]) -> None:
    kind = argv[0]
    if kind == "commands":
        out = {size: command_costs(int(size)) for size in argv[1:]}
    else:
        events, streams = int(argv[1]), int(argv[2])
        out = replay_cost(events, streams)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
