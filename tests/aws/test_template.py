"""What serverless.yml promises an operator: least privilege, bounded retries, alarms, and an
event store that survives mistakes. Read from the file itself, as deployed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infra.aws import resources
from infra.aws.settings import ENV_NAMES, PREFIX, VIEW_ENV_NAMES

TEMPLATE = resources.read("test")
QUEUE_CONSUMERS = {"CommandQueue": "command", "ExecutionQueue": "executor"}
PROVIDER_TIMEOUT = 30


def of_type(kind: str) -> dict[str, Any]:
    return {k: r for k, r in TEMPLATE.resources.items() if r["Type"] == kind}


def statements() -> Iterator[tuple[str, dict[str, Any]]]:
    for role_id, role in of_type("AWS::IAM::Role").items():
        for policy in role["Properties"]["Policies"]:
            for statement in policy["PolicyDocument"]["Statement"]:
                yield role_id, statement


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_no_policy_allows_every_action_or_every_resource() -> None:
    for role_id, statement in statements():
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"{role_id}: {action}"
        for resource in as_list(statement["Resource"]):
            assert resource != "*", f"{role_id}: a statement on every resource"


def test_every_function_runs_as_a_role_of_its_own() -> None:
    roles = [f["role"] for f in TEMPLATE.functions.values()]
    assert len(set(roles)) == len(roles) == len(TEMPLATE.functions)
    assert set(roles) <= set(of_type("AWS::IAM::Role"))


def test_the_command_role_can_append_but_not_scan_and_the_api_cannot_append() -> None:
    allowed: dict[str, set[str]] = {}
    for role_id, statement in statements():
        allowed.setdefault(role_id, set()).update(as_list(statement["Action"]))
    # IAM has no TransactWriteItems action: each item of a transaction is authorised on its own.
    assert {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    } <= allowed["CommandRole"]
    every = set().union(*allowed.values())
    assert not {"dynamodb:Scan", "dynamodb:BatchWriteItem"} & every
    assert "dynamodb:UpdateItem" not in allowed["GraphqlApiRole"]
    assert allowed["AuthorizerRole"] == {"logs:CreateLogStream", "logs:PutLogEvents"}


@pytest.mark.parametrize("queue_id", sorted(QUEUE_CONSUMERS))
def test_a_queue_hides_a_message_six_times_its_consumers_timeout_and_gives_up_boundedly(
    queue_id: str,
) -> None:
    queue = TEMPLATE.resources[queue_id]["Properties"]
    consumer = TEMPLATE.functions[QUEUE_CONSUMERS[queue_id]]
    assert queue["FifoQueue"] is True
    assert queue["VisibilityTimeout"] >= 6 * consumer.get("timeout", PROVIDER_TIMEOUT)
    redrive = queue["RedrivePolicy"]
    assert 5 < redrive["maxReceiveCount"] <= 20
    dead_letter = TEMPLATE.resources[redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]]
    assert dead_letter["Properties"]["FifoQueue"] is True


def test_every_place_work_is_given_up_has_an_alarm_and_so_does_the_streams_lag() -> None:
    alarms = of_type("AWS::CloudWatch::Alarm").values()
    watched_queues = {
        d["Value"]["Fn::GetAtt"][0]
        for a in alarms
        for d in a["Properties"]["Dimensions"]
        if d["Name"] == "QueueName"
    }
    assert watched_queues == {
        "CommandDeadLetterQueue",
        "ExecutionDeadLetterQueue",
        "MediatorFailureQueue",
        "ReplayFailureQueue",
    }
    assert any(a["Properties"]["MetricName"] == "IteratorAge" for a in alarms)


def test_the_event_store_survives_a_mistake() -> None:
    events = TEMPLATE.resources["EventsTable"]
    assert events["DeletionPolicy"] == "Retain"
    assert events["Properties"]["DeletionProtectionEnabled"] is True
    recovery = events["Properties"]["PointInTimeRecoverySpecification"]
    assert recovery["PointInTimeRecoveryEnabled"] is True
    assert events["Properties"]["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"


def test_the_stream_mapping_retries_boundedly_bisects_and_keeps_what_it_gives_up() -> None:
    stream = TEMPLATE.event_source("mediator", "stream")
    assert stream["functionResponseType"] == "ReportBatchItemFailures"
    assert stream["bisectBatchOnFunctionError"] is True
    assert 0 < stream["maximumRetryAttempts"] <= 20
    assert "onFailure" in stream["destinations"]
    for function in ("command", "executor"):
        assert TEMPLATE.event_source(function, "sqs")["functionResponseType"] == (
            "ReportBatchItemFailures"
        )


def test_every_setting_the_functions_read_is_wired_from_a_resource() -> None:
    environment = TEMPLATE.environment
    for name in [*ENV_NAMES.values(), *VIEW_ENV_NAMES.values()]:
        value = environment[PREFIX + name]
        assert isinstance(value, dict) and value["Ref"] in TEMPLATE.resources, name
