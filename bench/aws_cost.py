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
from infra.dynamodb.event_items import event_item
from infra.dynamodb.keys import DynamoKeys
from pipeline.records import RecordedEvent, Status
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
