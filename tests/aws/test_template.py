"""What serverless.yml promises an operator: least privilege, bounded retries, alarms, and an
event store that survives mistakes. Read from the file itself, as deployed; what Serverless
generates (Lambda permissions, the stack it creates first) from `make package`'s templates."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra.aws import resources
from infra.settings import CONNECTIONS_ENV_NAME, ENV_NAMES, PREFIX, VIEW_ENV_NAMES
from lambda_runtime.sqs_stage import REDRIVE_AFTER

TEMPLATE = resources.read("test")
PACKAGED = Path(__file__).resolve().parents[2] / ".serverless"  # `make package`, stage dev
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


def test_the_api_may_batch_read_the_events_table_for_the_checks_hints() -> None:
    """`can` reads the group tree and the name's claim from the events table in its first
    BatchGetItem (docs/design.md: the views for checks); moto does not enforce IAM."""
    events = {"Fn::GetAtt": ["EventsTable", "Arn"]}
    assert any(
        "dynamodb:BatchGetItem" in as_list(statement["Action"])
        and events in as_list(statement["Resource"])
        for role_id, statement in statements()
        if role_id == "GraphqlApiRole"
    )


@pytest.mark.parametrize("queue_id", sorted(QUEUE_CONSUMERS))
def test_a_queue_hides_a_message_six_times_its_consumers_timeout_and_gives_up_boundedly(
    queue_id: str,
) -> None:
    queue = TEMPLATE.resources[queue_id]["Properties"]
    consumer = TEMPLATE.functions[QUEUE_CONSUMERS[queue_id]]
    assert queue["FifoQueue"] is True
    assert queue["VisibilityTimeout"] >= 6 * consumer.get("timeout", PROVIDER_TIMEOUT)
    redrive = queue["RedrivePolicy"]
    # The function gives up a message on its last receive: it must know which one that is.
    assert redrive["maxReceiveCount"] == REDRIVE_AFTER
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
        "NotifierFailureQueue",
        "ReplayFailureQueue",
    }
    stream_readers = {  # Serverless's logical id of each function with a stream event
        f"{name[0].upper()}{name[1:]}LambdaFunction"
        for name, function in TEMPLATE.functions.items()
        if any("stream" in event for event in function.get("events", []))
    }
    lag_watched = {
        d["Value"]["Ref"]
        for a in alarms
        if a["Properties"]["MetricName"] == "IteratorAge"
        for d in a["Properties"]["Dimensions"]
        if d["Name"] == "FunctionName"
    }
    assert stream_readers == lag_watched == {"MediatorLambdaFunction", "NotifierLambdaFunction"}


def test_the_event_store_survives_a_mistake() -> None:
    events = TEMPLATE.resources["EventsTable"]
    assert events["DeletionPolicy"] == events["UpdateReplacePolicy"] == "Retain"
    assert events["Properties"]["DeletionProtectionEnabled"] is True
    recovery = events["Properties"]["PointInTimeRecoverySpecification"]
    assert recovery["PointInTimeRecoveryEnabled"] is True
    assert events["Properties"]["StreamSpecification"]["StreamViewType"] == "NEW_IMAGE"


@pytest.mark.parametrize("function", ["mediator", "notifier"])
def test_a_stream_mapping_retries_boundedly_bisects_and_keeps_what_it_gives_up(
    function: str,
) -> None:
    stream = TEMPLATE.event_source(function, "stream")
    assert stream["functionResponseType"] == "ReportBatchItemFailures"
    assert stream["bisectBatchOnFunctionError"] is True
    assert 0 < stream["maximumRetryAttempts"] <= 20
    assert "onFailure" in stream["destinations"]


@pytest.mark.parametrize("function", ["command", "executor"])
def test_a_queue_mapping_reports_partial_failures(function: str) -> None:
    assert TEMPLATE.event_source(function, "sqs")["functionResponseType"] == (
        "ReportBatchItemFailures"
    )


def test_every_setting_the_functions_read_is_wired_from_a_resource() -> None:
    environment = TEMPLATE.environment
    for name in [*ENV_NAMES.values(), *VIEW_ENV_NAMES.values(), CONNECTIONS_ENV_NAME]:
        value = environment[PREFIX + name]
        assert isinstance(value, dict) and value["Ref"] in TEMPLATE.resources, name


def test_the_http_api_serves_graphql_and_the_authzen_endpoints_behind_the_authorizer() -> None:
    """The GraphQL function serves the AuthZEN endpoints too (the same app behind Mangum), each
    route behind the bearer authorizer; only /healthz goes without."""
    events = [e["httpApi"] for e in TEMPLATE.functions["graphqlApi"]["events"]]
    routes = {(e["method"], e["path"]): e.get("authorizer") for e in events}
    bearer = {"name": "bearer"}
    assert routes == {
        ("POST", "/graphql"): bearer,
        ("GET", "/graphql"): bearer,
        ("POST", "/access/v1/evaluation"): bearer,
        ("POST", "/access/v1/evaluations"): bearer,
        ("GET", "/healthz"): None,
    }


def test_the_websocket_function_serves_every_route_and_the_notifier_reads_status_changes() -> None:
    routes = [e["websocket"]["route"] for e in TEMPLATE.functions["websocket"]["events"]]
    assert sorted(routes) == ["$connect", "$default", "$disconnect"]
    stream = TEMPLATE.event_source("notifier", "stream")
    assert stream["arn"] == {"Fn::GetAtt": ["CommandsTable", "StreamArn"]}
    assert stream["filterPatterns"] == [{"eventName": ["MODIFY"]}]
    commands = TEMPLATE.resources["CommandsTable"]["Properties"]
    assert commands["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


def test_subscribers_are_found_by_command_and_forgotten_with_their_connection() -> None:
    """Subscribers are listed in the table itself (read strongly consistent), not in an index,
    which could lag behind a subscription registered just before a change."""
    table = TEMPLATE.resources["ConnectionsTable"]["Properties"]
    assert "GlobalSecondaryIndexes" not in table
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    notifier = {s["Sid"]: s for _, s in statements() if s.get("Sid") == "FindSubscribers"}
    assert notifier["FindSubscribers"]["Resource"] == {"Fn::GetAtt": ["ConnectionsTable", "Arn"]}


def manage_connections() -> dict[str, list[str]]:
    """Role -> the methods on @connections it may call; each must be on the stage's own API."""
    allowed: dict[str, list[str]] = {}
    for role_id, statement in statements():
        if statement["Action"] != ["execute-api:ManageConnections"]:
            assert not any(a.startswith("execute-api:") for a in as_list(statement["Action"]))
            continue
        for resource in as_list(statement["Resource"]):
            parts = resource["Fn::Join"][1]
            assert {"Ref": "WebsocketsApi"} in parts, f"{role_id}: not this stack's API"
            stage, method, connections, which = parts[-1].strip("/").split("/")
            assert (stage, connections, which) == ("test", "@connections", "*")
            allowed.setdefault(role_id, []).append(method)
    return allowed


def test_only_the_websocket_functions_manage_connections_on_this_api_alone() -> None:
    assert manage_connections() == {"WebsocketRole": ["POST", "DELETE"], "NotifierRole": ["POST"]}


def packaged(stack: str) -> dict[str, Any]:
    """`make package`'s template: "create" (the stack Serverless makes first), or "update"."""
    path = PACKAGED / f"cloudformation-template-{stack}-stack.json"
    if not path.exists():
        pytest.skip("no template built: `make package` (part of `make test`) builds it")
    template: dict[str, Any] = json.loads(path.read_text())
    return template


def test_every_lambda_permission_lets_only_this_stacks_own_api_invoke_it() -> None:
    generated = packaged("update")["Resources"]
    invoked_by: dict[str, str | None] = {}
    for logical_id, resource in generated.items():
        if resource["Type"] != "AWS::Lambda::Permission":
            continue
        permission = resource["Properties"]
        function = permission["FunctionName"]["Fn::GetAtt"][0]
        apis = [
            part["Ref"]
            for part in permission.get("SourceArn", {}).get("Fn::Join", ["", []])[1]
            if isinstance(part, dict) and part.get("Ref") in generated
        ]
        assert len(apis) <= 1, logical_id
        api = generated[apis[0]]["Properties"]["ProtocolType"] if apis else None
        invoked_by[function] = api
    assert invoked_by == {
        "GraphqlApiLambdaFunction": "HTTP",
        "AuthorizerLambdaFunction": "HTTP",
        "WebsocketLambdaFunction": "WEBSOCKET",
    }


def references(value: Any) -> set[str]:
    """The logical ids `value` refers to (Ref, Fn::GetAtt, Fn::Sub), pseudo parameters aside."""
    found: set[str] = set()
    if isinstance(value, list):
        for item in value:
            found |= references(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == "Ref" and not item.startswith("AWS::"):
                found.add(item)
            elif key == "Fn::GetAtt":
                found.add(item[0] if isinstance(item, list) else item.split(".")[0])
            elif key == "Fn::Sub":
                found.add("Fn::Sub")  # whatever it names: an imported resource may use none
            else:
                found |= references(item)
    return found


def test_a_stage_redeployed_after_its_stack_was_deleted_can_adopt_its_retained_resources(
    tmp_path: Path,
) -> None:
    """README, "Runbook: redeploying a stage after its stack was deleted": create the stack
    Serverless would create first, import the table into it, then deploy as usual."""
    from devtools.adopt_events import adoption

    create, update = packaged("create"), packaged("update")
    template, to_import = adoption(create, update, "1234abcd-12ab-34cd-56ef-1234567890ab")
    retained = {"EventsTable", "KeysTable", "DataKeysKmsKey", "DataKeysKmsAlias"}

    # An import may change nothing else in the stack, its outputs included.
    assert {k: r for k, r in template["Resources"].items() if k not in retained} == (
        create["Resources"]
    )
    assert template.get("Outputs") == create.get("Outputs")
    for logical_id in retained:
        resource = template["Resources"][logical_id]
        # Imported only with a deletion policy; needing nothing imported without it. And
        # exactly as the full template has it, so the deploy after leaves it be.
        assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
        assert references(resource) <= retained
        assert resource == update["Resources"][logical_id]
    assert to_import == [
        {
            "ResourceType": "AWS::DynamoDB::Table",
            "LogicalResourceId": "EventsTable",
            "ResourceIdentifier": {"TableName": "usermgmt-dev-events"},
        },
        {
            "ResourceType": "AWS::DynamoDB::Table",
            "LogicalResourceId": "KeysTable",
            "ResourceIdentifier": {"TableName": "usermgmt-dev-keys"},
        },
        {
            "ResourceType": "AWS::KMS::Key",
            "LogicalResourceId": "DataKeysKmsKey",
            "ResourceIdentifier": {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
        },
        {
            "ResourceType": "AWS::KMS::Alias",
            "LogicalResourceId": "DataKeysKmsAlias",
            "ResourceIdentifier": {"AliasName": "alias/usermgmt-dev-data-keys"},
        },
    ]
    # The deploy that follows keeps the deployment bucket the first step made.
    for logical_id, resource in create["Resources"].items():
        assert update["Resources"][logical_id] == resource
    path = tmp_path / "adopt.json"
    path.write_text(json.dumps(template))
    lint = subprocess.run(
        [Path(sys.executable).with_name("cfn-lint"), "--", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_the_keys_are_kept_like_the_events_and_only_their_users_may_use_the_kms_key() -> None:
    keys = TEMPLATE.resources["KeysTable"]
    assert keys["DeletionPolicy"] == keys["UpdateReplacePolicy"] == "Retain"
    assert keys["Properties"]["DeletionProtectionEnabled"] is True
    assert keys["Properties"]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"]
    for kms in ("DataKeysKmsKey", "DataKeysKmsAlias"):
        resource = TEMPLATE.resources[kms]
        assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"
    kms_users: dict[str, set[str]] = {}
    for role_id, statement in statements():
        actions = {a for a in as_list(statement["Action"]) if a.startswith("kms:")}
        if actions:
            assert as_list(statement["Resource"]) == [{"Fn::GetAtt": ["DataKeysKmsKey", "Arn"]}], (
                role_id
            )
            kms_users.setdefault(role_id, set()).update(actions)
    assert kms_users == {
        "CommandRole": {"kms:GenerateDataKey", "kms:Decrypt"},
        "ExecutorRole": {"kms:Decrypt"},
        "ReplayRole": {"kms:Decrypt"},
        "GraphqlApiRole": {"kms:Decrypt"},
    }
