"""What a command costs on AWS, counted in requests our code makes (the API's submit and the
command, mediator and executor functions; not the Lambda service's own polling): a fixed, small
number, the same however many users exist, and never a Scan. A replay reads in pages and writes
once per stream."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from domain import commands as c
from infra.dynamodb.keys import DynamoKeys
from pipeline.records import Status
from tests.support.aws_functions import SEEDED_AT, Aws, Meter, aws_harness, seed_users
from tests.support.builders import as_admin, create_user, new_id


@pytest.fixture
def metered() -> Iterator[tuple[Aws, Meter]]:
    meter = Meter()
    with aws_harness(meter) as aws:
        yield aws, meter


def cost_of(aws: Aws, meter: Meter, command: Callable[[], Any]) -> Counter[str]:
    with meter.counting() as counts:
        receipt = command()
        aws.pollers.run_until_idle()
    assert aws.status(receipt.id) is Status.APPLIED
    return counts


def command_costs(aws: Aws, meter: Meter, existing: int) -> dict[str, Counter[str]]:
    seed_users(aws, existing)
    backend = aws.backend
    # One process plays every function here: without this the executor would find the key
    # the command stage made in memory, which the executor's own container never does.
    assert isinstance(backend.keys, DynamoKeys)
    backend.keys.remember = False
    # A container reads the claims' secret once (the first command ever also makes it).
    cost_of(aws, meter, lambda: as_admin(backend, create_user(new_id(), f"{new_id()}@x.io")))
    user_id = f"auth0|{new_id()}"
    return {
        "create": cost_of(
            aws, meter, lambda: as_admin(backend, create_user(user_id, f"{new_id()}@example.com"))
        ),
        "update": cost_of(
            aws, meter, lambda: as_admin(backend, c.UpdateUser(id=user_id, first_name="Grace"))
        ),
        "delete": cost_of(aws, meter, lambda: as_admin(backend, c.DeleteUser(id=user_id))),
        "erase": cost_of(aws, meter, lambda: as_admin(backend, c.EraseUser(id=user_id))),
    }


def test_a_command_costs_the_same_few_requests_with_10_or_300_users() -> None:
    costs = {}
    for existing in (10, 300):
        meter = Meter()
        with aws_harness(meter) as aws:
            costs[existing] = command_costs(aws, meter, existing)

    assert costs[10] == costs[300]
    create = costs[10]["create"]
    # Issue 14's bound: 12, from 10. Sealing costs the command stage kms.GenerateDataKey (the
    # key is stored in the append's transaction) and the executor kms.Decrypt (the key is read
    # with the view row, in one BatchGetItem).
    assert sum(create.values()) <= 12, create
    assert create["kms.GenerateDataKey"] == 1 and create["kms.Decrypt"] == 1
    assert create["dynamodb.PutItem"] == 2  # the command's record and the view row
    assert create["dynamodb.TransactWriteItems"] == 1
    assert not any("Scan" in operation for cost in costs[10].values() for operation in cost)


def test_a_replay_reads_in_pages_and_writes_once_per_stream(metered: tuple[Aws, Meter]) -> None:
    aws, meter = metered
    streams = 200
    seed_users(aws, streams)
    with meter.counting() as counts:
        receipt = as_admin(aws.backend, c.ReplayFrom(timestamp=SEEDED_AT))
        aws.pollers.run_until_idle()
    assert aws.status(receipt.id) is Status.APPLIED
    assert counts["dynamodb.PutItem"] <= streams + 1  # a row per stream (and the command)
    assert sum(counts.values()) <= 1.1 * streams, counts
