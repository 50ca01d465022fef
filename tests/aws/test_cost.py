"""What a command costs on AWS, counted in requests our code makes (the API's submit and the
command, mediator and executor functions; not the Lambda service's own polling): a fixed, small
number, the same however many users exist, and never a Scan. A replay reads in pages and writes
once per stream."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from domain import commands as c
from domain.codec import to_data
from infra.dynamodb.event_items import event_item, guard_key
from infra.dynamodb.views import item_of
from pipeline.records import RecordedEvent, Status, ViewRow
from tests.aws.harness import Aws, Meter, aws_harness
from tests.support.builders import as_admin, create_user, new_id

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def metered() -> Iterator[tuple[Aws, Meter]]:
    meter = Meter()
    with aws_harness(meter) as aws:
        yield aws, meter


def seed_users(aws: Aws, count: int) -> list[str]:
    """`count` users as the pipeline would leave them (event, email guard, view row), written
    directly: only the tables' sizes matter here."""
    client = aws.backend.clients.dynamodb()
    settings = aws.backend.settings
    assert settings is not None
    ids = []
    for i in range(count):
        user_id = f"auth0|seed-{i}"
        email = f"seed{i}@example.com"
        data = to_data(c.CreateUser(id=user_id, email=email, first_name="S", last_name="Eed"))
        data.pop("expected_version", None)
        record = RecordedEvent(f"user#{user_id}", 1, "UserCreated", data, T0, new_id(), "seed")
        client.put_item(TableName=settings.events_table, Item=event_item(record))
        guard = {**guard_key("email", email), "owner": {"S": record.stream}}
        client.put_item(TableName=settings.events_table, Item=guard)
        row = ViewRow("user", user_id, 1, {**data, "role_id": None, "group_id": None}, T0, T0)
        client.put_item(TableName=settings.view_tables["user"], Item=item_of(row))
        ids.append(user_id)
    skip_stream(aws)
    return ids


def skip_stream(aws: Aws) -> None:
    """Move the stream's checkpoint past what is there: the seeds are in the views already."""
    stream = aws.pollers.stream
    handler, stream.handler = stream.handler, lambda event, context: None
    while stream.poll():
        pass
    stream.handler = handler


def cost_of(aws: Aws, meter: Meter, command: Callable[[], Any]) -> Counter[str]:
    with meter.counting() as counts:
        receipt = command()
        aws.pollers.run_until_idle()
    assert aws.status(receipt.id) is Status.APPLIED
    return counts


def command_costs(aws: Aws, meter: Meter, existing: int) -> dict[str, Counter[str]]:
    seed_users(aws, existing)
    backend = aws.backend
    user_id = f"auth0|{new_id()}"
    return {
        "create": cost_of(
            aws, meter, lambda: as_admin(backend, create_user(user_id, f"{new_id()}@example.com"))
        ),
        "update": cost_of(
            aws, meter, lambda: as_admin(backend, c.UpdateUser(id=user_id, first_name="Grace"))
        ),
        "delete": cost_of(aws, meter, lambda: as_admin(backend, c.DeleteUser(id=user_id))),
    }


def test_a_command_costs_the_same_few_requests_with_10_or_300_users() -> None:
    costs = {}
    for existing in (10, 300):
        meter = Meter()
        with aws_harness(meter) as aws:
            costs[existing] = command_costs(aws, meter, existing)

    assert costs[10] == costs[300]
    create = costs[10]["create"]
    assert sum(create.values()) <= 10, create
    assert create["dynamodb.TransactWriteItems"] == 1
    assert not any("Scan" in operation for cost in costs[10].values() for operation in cost)


def test_a_replay_reads_in_pages_and_writes_once_per_stream(metered: tuple[Aws, Meter]) -> None:
    aws, meter = metered
    streams = 200
    seed_users(aws, streams)
    with meter.counting() as counts:
        receipt = as_admin(aws.backend, c.ReplayFrom(timestamp=T0))
        aws.pollers.run_until_idle()
    assert aws.status(receipt.id) is Status.APPLIED
    assert counts["dynamodb.PutItem"] <= streams + 1  # a row per stream (and the command)
    assert sum(counts.values()) <= 1.1 * streams, counts
