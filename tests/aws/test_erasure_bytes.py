"""The proof that erasure erases on AWS (moto): after a person's whole lifecycle and eraseUser,
no item of any table the stack declares and no message left in any of its queues or dead-letter
queues holds their email, names, birth date or block reason, in any case or encoding the code
writes. (A test-only Scan: the code never scans.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from domain import commands as c
from infra.aws import resources
from pipeline.records import Status
from tests.support.aws_deployment import REGION, dynamodb_deployment
from tests.support.builders import as_admin, statuses
from tests.support.byte_scan import PERSON, PERSONAL, a_life, found_in


def _strings(value: Any) -> Iterator[str]:
    """Every string and binary value of an item, as stored (not encoded once more)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, bytes):
        yield value.decode("utf-8", "replace")
    else:
        yield str(value)


def _everything(prefix: str) -> Iterator[tuple[str, str]]:
    """(where, text) for every item of the stack's tables and every message of its queues."""
    import boto3  # not our clients: they refuse Scan

    dynamodb = boto3.client("dynamodb", region_name=REGION)
    tables = [t for t in dynamodb.list_tables()["TableNames"] if t.startswith(prefix)]
    declared = [
        r["Properties"]["TableName"]
        for r in resources.read(prefix.split("-")[1], REGION).resources.values()
        if r["Type"] == "AWS::DynamoDB::Table"
    ]
    assert len(tables) == len(declared) and any(t.endswith("-keys") for t in tables)
    for table in tables:
        for page in dynamodb.get_paginator("scan").paginate(TableName=table):
            for item in page["Items"]:
                yield table, "\n".join(_strings(item))
    sqs = boto3.client("sqs", region_name=REGION)
    urls = sqs.list_queues(QueueNamePrefix=prefix).get("QueueUrls", [])
    assert any("dlq" in url for url in urls)
    for url in urls:
        while True:
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=60)
            messages: list[dict[str, Any]] = got.get("Messages", [])
            if not messages:
                break
            for message in messages:
                yield url, message["Body"]


def test_nothing_of_an_erased_person_is_left_in_any_table_or_queue(tmp_path: Path) -> None:
    with dynamodb_deployment(tmp_path) as deployment:
        backend = deployment.backend
        life = a_life()
        steps = []
        for command in life:  # each applied before the next, as an admin at a console would
            steps.append(as_admin(backend, command))
            deployment.drain()
        assert backend.settings is not None
        prefix = backend.settings.events_table.removesuffix("events")
        # The scan finds the person while they are there (their row holds them in clear) ...
        assert {where for where, text in _everything(prefix) if found_in(text.encode(), PERSONAL)}

        steps.append(as_admin(backend, c.EraseUser(id=PERSON)))
        deployment.drain()

        assert statuses(backend, steps) == [Status.APPLIED] * 5
        # ... and nowhere once they are erased.
        left = {where for where, text in _everything(prefix) if found_in(text.encode(), PERSONAL)}
        assert left == set()
