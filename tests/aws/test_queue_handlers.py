"""The command and executor functions on SQS FIFO batches, as Lambda delivers them: a failure
holds back only its own stream, a poison message ends in the dead-letter queue with its command
FAILED, and a redelivered record changes nothing twice."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from devtools.lambda_emulator import LambdaContext
from domain import commands as c
from lambda_runtime.sqs_stage import REDRIVE_AFTER
from pipeline.delivery import MAX_DELIVERIES
from pipeline.ports import OutMessage
from pipeline.records import Status, command_id_of
from tests.support.aws_functions import Aws, FailingGets, FailingLoads, FailingPuts, aws_harness
from tests.support.builders import as_admin, new_id, queued_record
from tests.support.views import assert_views_match_store

COMMAND_QUEUE = "USERMGMT_COMMAND_QUEUE_URL"
COMMAND_DLQ = "USERMGMT_COMMAND_DLQ_URL"
EXECUTION_QUEUE = "USERMGMT_EXECUTION_QUEUE_URL"


@pytest.fixture
def aws() -> Iterator[Aws]:
    with aws_harness() as harness:
        yield harness


def id_of(body: str) -> str:
    """The command id of a message the pipeline sent (so it parses)."""
    command_id = command_id_of(body)
    assert command_id is not None, body
    return command_id


def test_a_failed_record_holds_back_its_stream_while_other_streams_flow(aws: Aws) -> None:
    backend = aws.backend
    a, b = new_id(), new_id()
    create_a = as_admin(backend, c.CreateGroup(id=a, name="a", description="one"))
    update_a = as_admin(backend, c.UpdateGroup(id=a, description="two"))
    create_b = as_admin(backend, c.CreateGroup(id=b, name="b", description="one"))
    aws.fail_with(events=FailingLoads(backend.events, f"group#{a}", times=1))

    assert aws.pollers.commands.poll() == 3  # one batch, two streams
    assert [aws.status(r.id) for r in (create_a, update_a, create_b)] == [
        Status.QUEUED,
        Status.QUEUED,  # held back behind the failed create, not decided before it
        Status.ACCEPTED,
    ]
    assert aws.pollers.commands.poll() == 2  # both back at once (no backoff here), in order
    assert [aws.status(r.id) for r in (create_a, update_a)] == [Status.ACCEPTED] * 2
    aws.pollers.run_until_idle()
    view = backend.views.get("group", a)
    assert view is not None and view.data is not None and view.data["description"] == "two"


def test_a_poison_message_goes_to_the_dead_letter_queue_and_its_command_fails(aws: Aws) -> None:
    backend = aws.backend
    garbled = backend.commands.record(queued_record())
    body = json.dumps({"command_id": garbled.id, "name": "NoSuchCommand"})
    backend.command_queue.send([OutMessage(body, "group#g", garbled.id)])
    fine = as_admin(backend, c.CreateGroup(id=new_id(), name="fine", description="flows"))

    aws.pollers.run_until_idle()

    assert [aws.status(garbled.id), aws.status(fine.id)] == [Status.FAILED, Status.APPLIED]
    (dead,) = aws.receive_all(COMMAND_DLQ)
    assert dead["Body"] == body
    assert "unreadable" in dead["MessageAttributes"]["reason"]["StringValue"]
    assert aws.receive_all(COMMAND_QUEUE) == []


def test_a_message_failing_every_delivery_is_given_up_and_others_flow(aws: Aws) -> None:
    backend = aws.backend
    doomed_id = new_id()
    doomed = as_admin(backend, c.CreateGroup(id=doomed_id, name="doomed", description="x"))
    fine = as_admin(backend, c.CreateGroup(id=new_id(), name="fine", description="x"))
    aws.fail_with(events=FailingLoads(backend.events, f"group#{doomed_id}", times=10**6))

    deliveries = 0
    while aws.status(doomed.id) is Status.QUEUED:
        deliveries += 1
        aws.pollers.commands.poll()
        assert deliveries <= MAX_DELIVERIES

    assert deliveries == MAX_DELIVERIES
    assert [aws.status(doomed.id), aws.status(fine.id)] == [Status.FAILED, Status.ACCEPTED]
    (dead,) = aws.receive_all(COMMAND_DLQ)
    assert "disk is on fire" in dead["MessageAttributes"]["reason"]["StringValue"]


def test_a_record_delivered_again_changes_nothing_twice(aws: Aws) -> None:
    backend = aws.backend
    group_id = new_id()
    receipt = as_admin(backend, c.CreateGroup(id=group_id, name="once", description="d"))
    aws.pollers.commands.poll()
    aws.pollers.stream.poll()
    raw = aws.receive_all(EXECUTION_QUEUE)
    event = {"Records": [aws.pollers.executions._record(m) for m in raw]}

    # As if Lambda's delete after the first delivery were lost: the same batch, twice.
    first = aws.functions.executor(event, LambdaContext("executor"))
    applied_row = backend.views.get("group", group_id)
    applied_command = backend.commands.get(receipt.id)
    second = aws.functions.executor(event, LambdaContext("executor"))

    assert first == second == {"batchItemFailures": []}
    assert applied_row is not None and applied_row.version == 1
    assert backend.views.get("group", group_id) == applied_row
    assert backend.commands.get(receipt.id) == applied_command
    assert applied_command is not None and applied_command.status is Status.APPLIED


def test_after_a_partial_batch_failure_the_failed_event_is_applied_once_and_in_order(
    aws: Aws,
) -> None:
    backend = aws.backend
    group_id = new_id()
    as_admin(backend, c.CreateGroup(id=group_id, name="g", description="one"))
    update = as_admin(backend, c.UpdateGroup(id=group_id, description="two"))
    aws.pollers.commands.poll()
    aws.pollers.stream.poll()
    aws.fail_with(views=FailingPuts(backend.views, group_id, version=2, times=1))

    assert aws.pollers.executions.poll() == 2
    row = backend.views.get("group", group_id)
    assert row is not None and row.version == 1
    assert aws.status(update.id) is Status.ACCEPTED
    assert aws.pollers.executions.poll() == 1  # only the failed one came back
    assert aws.status(update.id) is Status.APPLIED
    settings = backend.settings
    assert settings is not None
    item = backend.clients.dynamodb().get_item(
        TableName=settings.commands_table, Key={"id": {"S": update.id}}
    )["Item"]
    assert item["event_0_failures"] == {"N": "1"}  # its one failure, counted on its command
    assert_views_match_store(backend)


def test_a_follower_held_back_behind_a_failing_message_has_all_its_own_deliveries(
    aws: Aws,
) -> None:
    """Held back, a follower is received (and counted by SQS) each time its group is retried;
    only its own failures count toward giving it up."""
    backend = aws.backend
    group_id = new_id()
    as_admin(backend, c.CreateGroup(id=group_id, name="g", description="one"))
    aws.pollers.run_until_idle()
    doomed = as_admin(backend, c.UpdateGroup(id=group_id, description="never"))
    follower = as_admin(backend, c.UpdateGroup(id=group_id, description="two"))
    faults = FailingGets(backend.commands, {doomed.id: None, follower.id: 1})
    aws.fail_with(commands=faults)

    aws.pollers.run_until_idle()

    assert faults.tries[doomed.id] == MAX_DELIVERIES
    assert faults.tries[follower.id] == 2  # its one failure, then done
    assert [aws.status(doomed.id), aws.status(follower.id)] == [Status.FAILED, Status.APPLIED]
    view = backend.views.get("group", group_id)
    assert view is not None and view.data is not None and view.data["description"] == "two"
    assert [command_id_of(m["Body"]) for m in aws.receive_all(COMMAND_DLQ)] == [doomed.id]


def test_a_message_behind_three_failing_ones_is_processed_not_redriven(aws: Aws) -> None:
    backend = aws.backend
    group_id = new_id()
    as_admin(backend, c.CreateGroup(id=group_id, name="g", description="one"))
    aws.pollers.run_until_idle()
    doomed = [
        as_admin(backend, c.UpdateGroup(id=group_id, description=f"never {i}")) for i in range(3)
    ]
    good = as_admin(backend, c.UpdateGroup(id=group_id, description="good"))
    faults = FailingGets(backend.commands, {d.id: None for d in doomed})
    aws.fail_with(commands=faults)

    aws.pollers.run_until_idle()

    assert [faults.tries[d.id] for d in doomed] == [MAX_DELIVERIES] * 3
    assert [aws.status(d.id) for d in doomed] == [Status.FAILED] * 3
    assert aws.status(good.id) is Status.APPLIED
    dead = aws.receive_all(COMMAND_DLQ)
    assert sorted(id_of(m["Body"]) for m in dead) == sorted(d.id for d in doomed)
    assert all(
        "could not read command" in m["MessageAttributes"]["reason"]["StringValue"] for m in dead
    )


def test_on_its_last_receive_before_the_redrive_a_message_is_given_up_not_left_queued(
    aws: Aws,
) -> None:
    """SQS's redrive would move it to the dead-letter queue with its command QUEUED: the
    handler gives it up itself, whether it fails or is held back."""
    backend = aws.backend
    a, b = new_id(), new_id()
    head = as_admin(backend, c.CreateGroup(id=a, name="a", description="one"))
    follower = as_admin(backend, c.UpdateGroup(id=a, description="two"))
    last = as_admin(backend, c.CreateGroup(id=b, name="b", description="one"))
    aws.fail_with(commands=FailingGets(backend.commands, {head.id: None, last.id: 1}))
    raw = aws.receive_all(COMMAND_QUEUE)
    records = [aws.pollers.commands._record(m) for m in raw]
    receives = {head.id: 3, follower.id: REDRIVE_AFTER, last.id: REDRIVE_AFTER}
    for record in records:
        record["attributes"]["ApproximateReceiveCount"] = str(receives[id_of(record["body"])])

    response = aws.functions.command({"Records": records}, LambdaContext("command"))

    failed = [f["itemIdentifier"] for f in response["batchItemFailures"]]
    assert [command_id_of(r["body"]) for r in records if r["messageId"] in failed] == [head.id]
    assert [aws.status(r.id) for r in (head, follower, last)] == [
        Status.QUEUED,  # its first failure: it comes back
        Status.FAILED,
        Status.FAILED,
    ]
    dead = {command_id_of(m["Body"]): m for m in aws.receive_all(COMMAND_DLQ)}
    assert set(dead) == {follower.id, last.id}
    reason = dead[follower.id]["MessageAttributes"]["reason"]["StringValue"]
    assert "held back" in reason
