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
from pipeline.authz import can_many
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


def test_a_check_and_a_group_grant_cost_the_same_with_10_or_300_users() -> None:
    """`can` for a user in 20 groups 4 levels deep is three batched reads: the user with the
    group tree and the name's owner; every group of the chains and the authorization; the
    roles. The same however many users exist. Granting a role to a group writes the group,
    never its members."""
    from bench.aws_cost import check_costs

    small, large = check_costs(10), check_costs(300)
    assert small["check"] == large["check"]
    assert small["check"] == {"dynamodb.BatchGetItem": 3}
    assert small["group_grant"]["requests"] == large["group_grant"]["requests"]
    assert "dynamodb.Scan" not in small["group_grant"]["requests"]


def test_fifty_checks_read_past_the_100_keys_of_one_batch(metered: tuple[Aws, Meter]) -> None:
    """50 users and 50 names (and the group tree) are 101 keys: more than one BatchGetItem
    may hold, so the first read is two requests, and every check is still answered."""
    aws, meter = metered
    backend = aws.backend
    auth, role = new_id(), new_id()
    for command in (
        c.CreateAuthorization(id=auth, name="Approve spend", description="d"),
        c.CreateRole(id=role, name="approver", description="d", authorization_ids=(auth,)),
        create_user("auth0|holder", "holder@example.com", role_ids=(role,)),
    ):
        as_admin(backend, command)
        aws.pollers.run_until_idle()
    others = seed_users(aws, 49)
    checks = [("auth0|holder", "approve spend")] + [
        (user, f"unknown {n}") for n, user in enumerate(others)
    ]
    with meter.counting() as counts:
        decisions = can_many(backend.views, checks)
    assert [d.allowed for d in decisions] == [True] + [False] * 49
    # two for the users, names and tree; one for the role and the authorization
    assert counts["dynamodb.BatchGetItem"] == 3, counts
