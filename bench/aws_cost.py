"""What commands and a replay cost on the AWS backend, counted on moto: the DynamoDB, SQS and KMS
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
from typing import Any

from domain import commands as c
from domain import events as e
from domain.codec import to_data
from infra.dynamodb.event_items import event_item, guard_key, refs_key
from infra.dynamodb.keys import DynamoKeys
from infra.dynamodb.views import item_of, member_item
from pipeline.authz import can
from pipeline.records import RecordedEvent, Status, ViewRow
from tests.support import aws_functions as harness
from tests.support.aws_functions import SEEDED_AT, Aws, aws_harness, seed_users, skip_stream
from tests.support.builders import as_admin, create_user, new_id

# Some botocore releases route DynamoDB Streams through account endpoints moto lacks.
os.environ.setdefault("AWS_ACCOUNT_ID_ENDPOINT_MODE", "disabled")


class Meter(harness.Meter):
    """The test suite's request meter, also counting the items read (from each answer) and the
    Scans (always)."""

    def __init__(self) -> None:
        super().__init__()
        self.items_read = 0
        self.scans = 0

    def __call__(self, service: str, operation: str, params: dict[str, Any]) -> None:
        if operation == "Scan":
            self.scans += 1
        super().__call__(service, operation, params)

    def answered(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        if self.on and model.name not in harness.SERVICE_SIDE:
            self.items_read += _items(model.name, parsed)

    @contextmanager
    def counting(self) -> Iterator[Counter[str]]:
        self.items_read = 0
        with super().counting() as counts:
            yield counts


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


def _cost(aws: Aws, meter: Meter, send: Callable[[], Any]) -> dict[str, Any]:
    with meter.counting():
        receipt = send()
        aws.pollers.run_until_idle()
    status = aws.backend.commands.get(receipt.id)
    assert status is not None and status.status is Status.APPLIED, status
    return {"requests": dict(meter.counts), "items_read": meter.items_read}


@contextmanager
def metered() -> Iterator[tuple[Aws, Meter]]:
    meter = Meter()
    with aws_harness(meter) as aws:
        aws.backend.clients.dynamodb().meta.events.register("after-call.dynamodb", meter.answered)
        yield aws, meter


def command_costs(existing: int) -> dict[str, Any]:
    """createUser, updateUser and deleteUser of one user, among `existing` others."""
    with metered() as (aws, meter):
        seed_users(aws, existing)
        backend, user_id = aws.backend, f"auth0|{new_id()}"
        # Each function's container meets the user's key for the first time (one process plays
        # them all here, and would otherwise find it in memory).
        if isinstance(backend.keys, DynamoKeys):
            backend.keys.remember = False
        # A container reads the claims' secret once (the first command ever also makes it).
        _cost(aws, meter, lambda: as_admin(backend, create_user(new_id(), f"{new_id()}@x.io")))
        costs = {
            "create_user": _cost(
                aws, meter, lambda: as_admin(backend, create_user(user_id, f"{new_id()}@x.io"))
            ),
            "update_user": _cost(
                aws, meter, lambda: as_admin(backend, c.UpdateUser(id=user_id, first_name="G"))
            ),
            "delete_user": _cost(aws, meter, lambda: as_admin(backend, c.DeleteUser(id=user_id))),
            "erase_user": _cost(aws, meter, lambda: as_admin(backend, c.EraseUser(id=user_id))),
        }
        return {"costs": costs, "scans": meter.scans}


def replay_cost(events: int, streams: int) -> dict[str, Any]:
    """Requests per stream of a replay of `events` events in `streams` user streams."""
    with metered() as (aws, meter):
        longer = (events - streams) // 3  # streams with three updates each, the rest with none
        seed_users(aws, longer, updates_per_user=3)
        _seed_more(aws, streams - longer)
        with meter.counting():
            receipt = as_admin(aws.backend, c.ReplayFrom(timestamp=SEEDED_AT))
            aws.pollers.run_until_idle()
        record = aws.backend.commands.get(receipt.id)
        assert record is not None and record.status is Status.APPLIED, record
        total = sum(meter.counts.values())
        return {
            "requests": dict(meter.counts),
            "per_stream": total / streams,
            "scans": meter.scans,
        }


def _seed_more(aws: Aws, users: int) -> None:
    """More single-event users (events only), with ids apart from `seed_users`'."""
    client = aws.backend.clients.dynamodb()
    settings = aws.backend.settings
    assert settings is not None
    for i in range(users):
        user_id = f"auth0|more-{i}"
        data = to_data(e.UserCreated(id=user_id, email=f"m{i}@x.io", first_name="M", last_name="O"))
        stream = f"user#{user_id}"
        record = RecordedEvent(stream, 1, "UserCreated", data, SEEDED_AT, new_id(), "seed")
        client.put_item(TableName=settings.events_table, Item=event_item(record))
    skip_stream(aws)


def check_costs(users: int) -> dict[str, Any]:
    """One `can` for a user in 20 groups nested 4 deep, and granting a role to a group of
    `users` members, among `users` users."""
    with metered() as (aws, meter):
        backend = aws.backend
        auth, role, granted = new_id(), new_id(), new_id()
        setup: list[c.Command] = [
            c.CreateAuthorization(id=auth, name="Approve spend", description="d"),
            c.CreateRole(id=role, name="approver", description="d", authorization_ids=(auth,)),
            c.CreateRole(id=granted, name="granted", description="d"),
        ]
        # A tree 4 levels deep: 1 group, 2 below it, 4 below those, 20 at the bottom; the role is
        # granted at the top and the user is a member of the 20 at the bottom.
        levels: list[list[str]] = []
        for width in (1, 2, 4, 20):
            above = levels[-1] if levels else [None]
            level = [new_id() for _ in range(width)]
            for n, group_id in enumerate(level):
                setup.append(
                    c.CreateGroup(
                        id=group_id,
                        name=f"g{len(levels)}-{n}",
                        description="d",
                        parent_id=above[n % len(above)],
                        role_ids=(role,) if not levels else (),
                    )
                )
            levels.append(level)
        leaves = levels[-1]
        big = new_id()
        setup.append(c.CreateGroup(id=big, name="everyone", description="d"))
        for command in setup:
            as_admin(backend, command)
            aws.pollers.run_until_idle()
        _seed_members(aws, big, users)
        checker = "auth0|checker"
        as_admin(backend, create_user(checker, "checker@x.io", group_ids=tuple(leaves)))
        aws.pollers.run_until_idle()
        with meter.counting():
            decision = can(backend.views, checker, "approve spend")
        assert decision.allowed, decision
        check = dict(meter.counts)
        grant = _cost(
            aws, meter, lambda: as_admin(backend, c.UpdateGroup(id=big, role_ids=(granted,)))
        )
        return {"check": check, "group_grant": grant}


def _seed_members(aws: Aws, group_id: str, count: int) -> None:
    """`count` users in the group, as the pipeline would leave them: events, email guards,
    view rows with their member items, and the group's reference count."""
    client = aws.backend.clients.dynamodb()
    settings = aws.backend.settings
    assert settings is not None
    for i in range(count):
        user_id, email = f"auth0|member-{i}", f"member{i}@example.com"
        created = to_data(
            e.UserCreated(
                id=user_id, email=email, first_name="M", last_name="E", group_ids=(group_id,)
            )
        )
        stream = f"user#{user_id}"
        record = RecordedEvent(stream, 1, "UserCreated", created, SEEDED_AT, new_id(), "seed")
        client.put_item(TableName=settings.events_table, Item=event_item(record))
        guard = {**guard_key("email", email), "owner": {"S": stream}}
        client.put_item(TableName=settings.events_table, Item=guard)
        row = ViewRow("user", user_id, 1, created, SEEDED_AT, SEEDED_AT)
        # Plain puts of the row and its member item, as views.put's transaction leaves them:
        # moto copies every table for each transaction, which at 10,000 users took 14 GB.
        for item in (item_of(row), member_item(row, "group_id", group_id)):
            client.put_item(TableName=settings.view_tables["user"], Item=item)
    client.update_item(
        TableName=settings.events_table,
        Key=refs_key(f"group#{group_id}"),
        UpdateExpression="SET #refs = #refs + :n",
        ExpressionAttributeNames={"#refs": "refs"},
        ExpressionAttributeValues={":n": {"N": str(count)}},
    )
    skip_stream(aws)


def main(argv: list[str]) -> None:
    kind = argv[0]
    if kind == "commands":
        out = {size: command_costs(int(size)) for size in argv[1:]}
    elif kind == "checks":
        out = {size: check_costs(int(size)) for size in argv[1:]}
    else:
        events, streams = int(argv[1]), int(argv[2])
        out = replay_cost(events, streams)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
