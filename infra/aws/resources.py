"""serverless.yml's tables and queues, created through the AWS API in an account that has no
CloudFormation: moto in tests, a moto_server (or LocalStack) on a laptop.

The one definition of the resources stays serverless.yml. This reads its `resources` and the
functions' environment, resolves the few Serverless variables and CloudFormation intrinsics
they use, and creates each DynamoDB table and SQS queue with the same properties, refusing
properties it does not know rather than silently dropping them. Development tool: imports
PyYAML, and is never imported by a Lambda function.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from infra.aws.clients import Clients

SERVERLESS_YML = Path(__file__).resolve().parents[2] / "serverless.yml"
# A Serverless variable has a source (`self:`, `sls:`, `param:`, `opt:`); `${Name.Attr}` in an
# Fn::Sub is CloudFormation's and stays as it is.
_VARIABLE = re.compile(r"\$\{(\w+:[^{}]+)\}")


class TemplateError(ValueError):
    """serverless.yml uses something this reader does not understand."""


@dataclass(frozen=True)
class Template:
    service: str
    stage: str
    region: str
    resources: Mapping[str, Any]  # logical id -> resource, variables resolved
    environment: Mapping[str, Any]  # provider.environment, variables resolved
    functions: Mapping[str, Any]  # function key -> its definition (events, timeout, ...)
    params: Mapping[str, Any] = field(default_factory=dict)  # the stage's params, resolved

    def event_source(self, function: str, kind: str) -> dict[str, Any]:
        """The `kind` event (sqs, stream) of a function, as declared."""
        for event in self.functions[function].get("events", []):
            if kind in event:
                return dict(event[kind])
        raise TemplateError(f"function {function} has no {kind} event")


@dataclass
class Created:
    """What the resources' intrinsics resolve to once they exist."""

    ref: dict[str, str] = field(default_factory=dict)  # logical id -> Ref (name, queue URL)
    attributes: dict[tuple[str, str], str] = field(default_factory=dict)  # (id, attr) -> value


def read(stage: str, region: str = "eu-west-1", path: Path = SERVERLESS_YML) -> Template:
    raw = _parsed(path.read_text())  # resolving builds new values: the cache stays as read
    service = raw["service"]
    params = {**raw.get("params", {}).get("default", {}), **raw.get("params", {}).get(stage, {})}
    context = {"self:service": service, "sls:stage": stage}

    def variable(name: str) -> Any:
        name = name.strip()
        if name in context:
            return context[name]
        if name.startswith("param:") and name[6:] in params:
            return params[name[6:]]
        if name.startswith("opt:stage"):
            return stage
        if name.startswith("opt:region"):
            return region
        if name.startswith("self:custom."):
            value = raw.get("custom", {})
            for key in name.removeprefix("self:custom.").split("."):
                if not isinstance(value, dict) or key not in value:
                    raise TemplateError(f"cannot resolve ${{{name}}}")
                value = value[key]
            return resolve(value)
        raise TemplateError(f"cannot resolve ${{{name}}}")

    def resolve(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, str):
            whole = _VARIABLE.fullmatch(value)
            if whole:
                return variable(whole.group(1))
            return _VARIABLE.sub(lambda m: str(variable(m.group(1))), value)
        return value

    return Template(
        service=service,
        stage=stage,
        region=region,
        resources=resolve(raw["resources"]["Resources"]),
        environment=resolve(raw["provider"].get("environment", {})),
        functions=resolve(raw.get("functions", {})),
        params=resolve(params),
    )


@functools.lru_cache(maxsize=4)
def _parsed(text: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when there is one
    return yaml.load(text, Loader=loader)


def create_all(template: Template, clients: Clients) -> Created:
    """Create every table, queue and KMS key of the template (other resource types are the
    cloud's business: alarms, roles, topics). Queues a queue's redrive policy names come first."""
    created = Created()
    pending = {
        logical_id: resource
        for logical_id, resource in template.resources.items()
        if resource["Type"] in CREATORS
    }
    while pending:
        ready = [
            lid for lid, res in pending.items() if _needs(res["Properties"]) <= set(created.ref)
        ]
        if not ready:
            raise TemplateError(f"unresolvable references among {sorted(pending)}")
        for logical_id in ready:
            resource = pending.pop(logical_id)
            CREATORS[resource["Type"]](clients, template, logical_id, resource, created)
    return created


def ensure_all(template: Template, clients: Clients) -> Created:
    """Like create_all, leaving alone the tables that exist (queues are created idempotently)."""
    client = clients.dynamodb()
    existing: set[str] = set()
    request: dict[str, Any] = {}
    while True:
        page = client.list_tables(**request)
        existing.update(page.get("TableNames", []))
        if "LastEvaluatedTableName" not in page:
            break
        request["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]
    missing = {
        logical_id: resource
        for logical_id, resource in template.resources.items()
        if resource["Type"] != "AWS::DynamoDB::Table"
        or resource["Properties"]["TableName"] not in existing
    }
    return create_all(replace(template, resources=missing), clients)


def environment(template: Template, created: Created) -> dict[str, str]:
    """The functions' environment variables, as a deployed function would see them."""
    return {name: str(intrinsic(value, created)) for name, value in template.environment.items()}


def intrinsic(value: Any, created: Created) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        ((name, argument),) = value.items()
        if name == "Ref":
            return created.ref[argument]
        if name == "Fn::GetAtt":
            return created.attributes[(argument[0], argument[1])]
        if name == "Fn::Join":
            separator, parts = argument
            return separator.join(str(intrinsic(p, created)) for p in parts)
        if name == "Fn::Sub":
            return re.sub(
                r"\$\{(\w+)\.(\w+)\}", lambda m: created.attributes[(m[1], m[2])], argument
            )
        if name.startswith("Fn::"):
            raise TemplateError(f"{name} is not supported here")
    if isinstance(value, dict):
        return {k: intrinsic(v, created) for k, v in value.items()}
    if isinstance(value, list):
        return [intrinsic(v, created) for v in value]
    return value


def _needs(value: Any) -> set[str]:
    """Logical ids that `value` refers to (not pseudo parameters such as AWS::AccountId)."""
    if isinstance(value, dict):
        if "Ref" in value and len(value) == 1:
            return set() if value["Ref"].startswith("AWS::") else {value["Ref"]}
        if "Fn::GetAtt" in value and len(value) == 1:
            return {value["Fn::GetAtt"][0]}
        return set().union(*(_needs(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_needs(v) for v in value)) if value else set()
    return set()


# --- DynamoDB ---------------------------------------------------------------------------------

_TABLE_AS_IS = (
    "TableName",
    "AttributeDefinitions",
    "KeySchema",
    "GlobalSecondaryIndexes",
    "BillingMode",
    "DeletionProtectionEnabled",
)
_TABLE_AFTER = (
    "StreamSpecification",
    "TimeToLiveSpecification",
    "PointInTimeRecoverySpecification",
)


def _create_table(
    clients: Clients, template: Template, logical_id: str, resource: Any, created: Created
) -> None:
    props = resource["Properties"]
    unknown = set(props) - set(_TABLE_AS_IS) - set(_TABLE_AFTER)
    if unknown:
        raise TemplateError(f"{logical_id}: table properties not supported here: {unknown}")
    client = clients.dynamodb()
    request = {k: props[k] for k in _TABLE_AS_IS if k in props}
    if "StreamSpecification" in props:
        request["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    description = client.create_table(**request)["TableDescription"]
    name = props["TableName"]
    if "TimeToLiveSpecification" in props:
        client.update_time_to_live(
            TableName=name, TimeToLiveSpecification=props["TimeToLiveSpecification"]
        )
    if "PointInTimeRecoverySpecification" in props:
        client.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification=props["PointInTimeRecoverySpecification"],
        )
    created.ref[logical_id] = name
    created.attributes[(logical_id, "Arn")] = description["TableArn"]
    if "LatestStreamArn" in description:
        created.attributes[(logical_id, "StreamArn")] = description["LatestStreamArn"]


# --- SQS --------------------------------------------------------------------------------------

_QUEUE_ATTRIBUTES = (
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "DelaySeconds",
    "ReceiveMessageWaitTimeSeconds",
    "RedrivePolicy",
)


def _create_queue(
    clients: Clients, template: Template, logical_id: str, resource: Any, created: Created
) -> None:
    props = resource["Properties"]
    unknown = set(props) - {"QueueName", *_QUEUE_ATTRIBUTES}
    if unknown:
        raise TemplateError(f"{logical_id}: queue properties not supported here: {unknown}")
    attributes = {
        k: _attribute(intrinsic(props[k], created)) for k in _QUEUE_ATTRIBUTES if k in props
    }
    client = clients.sqs()
    url = client.create_queue(QueueName=props["QueueName"], Attributes=attributes)["QueueUrl"]
    arn = client.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    created.ref[logical_id] = url
    created.attributes[(logical_id, "Arn")] = arn
    created.attributes[(logical_id, "QueueName")] = props["QueueName"]


def _attribute(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


# --- KMS --------------------------------------------------------------------------------------


def _create_kms_key(
    clients: Clients, template: Template, logical_id: str, resource: Any, created: Created
) -> None:
    """The key and its alias (declared as its own resource): a key found under the alias is
    the one already made (ensure_all on a running moto_server), as a deployed stack keeps it."""
    props = resource["Properties"]
    unknown = set(props) - {"Description", "EnableKeyRotation", "PendingWindowInDays", "KeyPolicy"}
    if unknown:
        raise TemplateError(f"{logical_id}: KMS key properties not supported here: {unknown}")
    aliases = [
        r["Properties"]["AliasName"]
        for r in template.resources.values()
        if r["Type"] == "AWS::KMS::Alias" and r["Properties"]["TargetKeyId"] == {"Ref": logical_id}
    ]
    client = clients.kms()
    for alias in aliases:
        try:
            found = client.describe_key(KeyId=alias)["KeyMetadata"]
        except client.exceptions.NotFoundException:
            continue
        created.ref[logical_id] = found["KeyId"]
        created.attributes[(logical_id, "Arn")] = found["Arn"]
        return
    made = client.create_key(Description=props.get("Description", ""))["KeyMetadata"]
    if props.get("EnableKeyRotation"):
        client.enable_key_rotation(KeyId=made["KeyId"])
    for alias in aliases:
        client.create_alias(AliasName=alias, TargetKeyId=made["KeyId"])
    created.ref[logical_id] = made["KeyId"]
    created.attributes[(logical_id, "Arn")] = made["Arn"]


def _create_kms_alias(
    clients: Clients, template: Template, logical_id: str, resource: Any, created: Created
) -> None:
    created.ref[logical_id] = resource["Properties"]["AliasName"]  # made with its key


CREATORS = {
    "AWS::DynamoDB::Table": _create_table,
    "AWS::SQS::Queue": _create_queue,
    "AWS::KMS::Key": _create_kms_key,
    "AWS::KMS::Alias": _create_kms_alias,
}
