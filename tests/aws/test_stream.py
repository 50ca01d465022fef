"""The mediator on the events table's stream: only new events travel on, in order, and a batch
that fails part way is retried from the first record not forwarded, boundedly."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from devtools.lambda_emulator import StreamPoller, matches
from domain import commands as c
from infra.aws import resources
from pipeline.ports import OutMessage
from tests.support.aws_functions import Aws, aws_harness
from tests.support.builders import as_admin, create_role, create_user, new_id

EXECUTION_QUEUE = "USERMGMT_EXECUTION_QUEUE_URL"


@pytest.fixture
def aws() -> Iterator[Aws]:
    with aws_harness() as harness:
        yield harness


def unfiltered(aws: Aws, handler: Any = None, **options: Any) -> StreamPoller:
    """The stream read with no filter: every record reaches the handler (default: the
    mediator's)."""
    poller = aws.pollers.stream
    handler = handler or aws.functions.mediator
    return StreamPoller(poller.streams, poller.stream_arn, handler, "mediator", **options)


def forwarded(aws: Aws) -> list[dict[str, Any]]:
    bodies = []
    while messages := aws.receive_all(EXECUTION_QUEUE):
        for m in messages:
            bodies.append(json.loads(m["Body"]))
            aws.backend.clients.sqs().delete_message(
                QueueUrl=aws.queue_url(EXECUTION_QUEUE), ReceiptHandle=m["ReceiptHandle"]
            )
    return bodies


def test_only_new_events_are_forwarded_not_guards_counts_or_removals(aws: Aws) -> None:
    backend = aws.backend
    role_id = new_id()
    as_admin(backend, create_role(role_id, "ops"))  # a name guard and a reference count
    as_admin(backend, create_user("auth0|u", "u@example.com", role_ids=(role_id,)))  # count + 1
    as_admin(backend, c.DeleteUser(id="auth0|u"))  # a guard released, count - 1
    while aws.pollers.commands.poll():
        pass

    assert unfiltered(aws).poll() > 3  # guards, counts and their removals are in the stream too
    assert [(e["stream"], e["version"], e["type"]) for e in forwarded(aws)] == [
        (f"role#{role_id}", 1, "RoleCreated"),
        ("user#auth0|u", 1, "UserCreated"),
        ("user#auth0|u", 2, "UserDeleted"),
    ]


class FailingSends:
    """A queue whose `fail_call`-th send fails."""

    def __init__(self, queue: Any, fail_call: int) -> None:
        self.queue, self.calls, self.fail_call = queue, 0, fail_call

    def __getattr__(self, name: str) -> Any:
        return getattr(self.queue, name)

    def send(self, messages: Sequence[OutMessage]) -> None:
        self.calls += 1
        if self.calls == self.fail_call:
            raise OSError("SQS is unavailable")
        self.queue.send(messages)


def test_a_batch_failing_part_way_resumes_at_the_first_record_not_forwarded(aws: Aws) -> None:
    backend = aws.backend
    groups = [new_id() for _ in range(15)]
    for i, group_id in enumerate(groups):
        as_admin(backend, c.CreateGroup(id=group_id, name=f"g{i}", description="d"))
    while aws.pollers.commands.poll():
        pass
    sends = FailingSends(backend.execution_queue, fail_call=2)  # the second ten fail
    aws.fail_with(execution_queue=sends)
    responses: list[dict[str, Any]] = []

    def recording(event: dict[str, Any], context: Any) -> Any:
        responses.append(aws.functions.mediator(event, context))
        return responses[-1]

    poller = aws.pollers.stream
    poller.handler = recording
    while poller.poll():
        pass

    (failure,) = responses[0]["batchItemFailures"]
    assert responses[1:] == [{"batchItemFailures": []}]
    created = [e for e in forwarded(aws) if e["type"] == "GroupCreated"]
    assert sorted(e["stream"] for e in created) == sorted(f"group#{g}" for g in groups)
    assert failure["itemIdentifier"], "the failure names a sequence number to resume from"


def test_a_record_that_keeps_failing_is_given_up_after_the_retries_and_the_rest_flows(
    aws: Aws,
) -> None:
    backend = aws.backend
    for i in range(3):
        as_admin(backend, c.CreateGroup(id=new_id(), name=f"g{i}", description="d"))
    while aws.pollers.commands.poll():
        pass
    seen: list[list[str]] = []
    given_up: list[dict[str, Any]] = []

    def fails_on_second(event: dict[str, Any], context: Any) -> dict[str, Any]:
        sequences = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        seen.append(sequences)
        poison = [s for s in sequences if s == second]
        return {"batchItemFailures": [{"itemIdentifier": s} for s in poison]}

    probe = unfiltered(aws, handler=lambda event, context: None)
    everything = probe.streams.get_records(
        ShardIterator=probe.streams.get_shard_iterator(
            StreamArn=probe.stream_arn,
            ShardId=probe._ready_shards()[0],
            ShardIteratorType="TRIM_HORIZON",
        )["ShardIterator"]
    )["Records"]
    second = everything[1]["dynamodb"]["SequenceNumber"]
    poller = unfiltered(aws, handler=fails_on_second, max_retries=2, on_failure=given_up.append)
    while poller.poll():
        pass

    assert seen[0][:2] == [everything[0]["dynamodb"]["SequenceNumber"], second]  # first try
    assert [batch[0] for batch in seen[1:3]] == [second] * 2  # two retries from it, no more
    assert seen[3][0] != second
    assert len(given_up) == 1 and given_up[0]["first"] == second
    assert seen[-1][-1] == everything[-1]["dynamodb"]["SequenceNumber"]  # and then onwards


def test_the_declared_filter_passes_event_inserts_only() -> None:
    (pattern,) = resources.read("test").event_source("mediator", "stream")["filterPatterns"]
    event = {"type": {"S": "GroupCreated"}, "stream": {"S": "group#g"}}
    guard = {"stream": {"S": "unique#group-name#ops"}, "owner": {"S": "group#g"}}
    assert matches(pattern, {"eventName": "INSERT", "dynamodb": {"NewImage": event}})
    assert not matches(pattern, {"eventName": "INSERT", "dynamodb": {"NewImage": guard}})
    assert not matches(pattern, {"eventName": "MODIFY", "dynamodb": {"NewImage": event}})
    assert not matches(pattern, {"eventName": "REMOVE", "dynamodb": {}})
