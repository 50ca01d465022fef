"""Run one packaged Lambda handler on a real-shaped event, with nothing importable but the
unpacked zip, the runtime's boto3 and the standard library (python -I -S, paths given first).
In-memory ports stand in for DynamoDB and SQS: what is checked is that the code paths a real
event takes find every module they import in the package.

    python -I -S package_probe.py <package dir> <runtime dir> <command|mediator|graphql_api>
"""

from __future__ import annotations

import json
import sys
from typing import Any

sys.path[:0] = sys.argv[1:3]

from pipeline.ports import Backend, Message, OutMessage  # noqa: E402
from pipeline.records import CommandRecord, RecordedEvent  # noqa: E402


class Context:
    function_name = "probe"
    memory_limit_in_mb = 128
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:probe"
    aws_request_id = "probe"


class Commands:
    def __init__(self) -> None:
        self.advanced: list[tuple[str, str]] = []

    def record(self, record: CommandRecord) -> CommandRecord:
        return record

    def get(self, command_id: str) -> None:
        return None

    def advance(self, command_id: str, status: Any, *args: Any, **kwargs: Any) -> bool:
        self.advanced.append((command_id, status.value))
        return True


class Queue:
    def __init__(self) -> None:
        self.sent: list[OutMessage] = []
        self.dead: list[tuple[Message, str]] = []

    def send(self, messages: list[OutMessage]) -> None:
        self.sent.extend(messages)

    def send_to_dead_letter(self, message: Message, reason: str) -> None:
        self.dead.append((message, reason))

    def retry_many(self, messages: list[Message], delay_s: float) -> None:
        pass


class Views:
    def get(self, kind: str, aggregate_id: str) -> None:
        return None

    def get_many(self, kind: str, ids: Any) -> dict[str, Any]:
        return {}


def backend() -> Backend:
    return Backend(
        events=None,  # type: ignore[arg-type]
        views=Views(),  # type: ignore[arg-type]
        commands=Commands(),  # type: ignore[arg-type]
        command_queue=Queue(),  # type: ignore[arg-type]
        execution_queue=Queue(),  # type: ignore[arg-type]
    )


def probe_command() -> None:
    """A poison message: given up, its command FAILED, a copy for the dead-letter queue."""
    from handlers import command, lambda_runtime

    ports = backend()
    lambda_runtime.use(ports, retry_base_s=0)
    body = json.dumps({"command_id": "c1", "name": "NoSuchCommand"})
    record = {
        "messageId": "m1",
        "receiptHandle": "r1",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "MessageGroupId": "group#g"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:q.fifo",
        "awsRegion": "eu-west-1",
    }
    assert command.handler({"Records": [record]}, Context()) == {"batchItemFailures": []}
    assert ports.commands.advanced == [("c1", "FAILED")]  # type: ignore[attr-defined]
    assert len(ports.command_queue.dead) == 1  # type: ignore[attr-defined]


def probe_mediator() -> None:
    """An event INSERT forwarded to the execution queue."""
    from datetime import UTC, datetime

    from handlers import lambda_runtime, mediator
    from infra.dynamodb.event_items import event_item

    ports = backend()
    lambda_runtime.use(ports)
    event = RecordedEvent(
        "group#g", 1, "GroupCreated", {"id": "g"}, datetime.now(UTC), "c1", "probe"
    )
    record = {
        "eventID": "1",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {"NewImage": event_item(event), "SequenceNumber": "100"},
    }
    assert mediator.handler({"Records": [record]}, Context()) == {"batchItemFailures": []}
    assert [m.group for m in ports.execution_queue.sent] == ["group#g"]  # type: ignore[attr-defined]


def probe_graphql_api() -> None:
    """A query through Mangum, Starlette and Strawberry, the caller from the authorizer."""
    from handlers import graphql_api, lambda_runtime
    from infra.settings import Settings

    lambda_runtime.use(backend(), app_settings=Settings(environment="production"))
    event = {
        "version": "2.0",
        "routeKey": "POST /graphql",
        "rawPath": "/graphql",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "api.example.com"},
        "requestContext": {
            "http": {
                "method": "POST",
                "path": "/graphql",
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
            },
            "authorizer": {"lambda": {"sub": "auth0|probe", "admin": False}},
            "stage": "$default",
            "requestId": "probe",
        },
        "body": json.dumps({"query": "{ me { id } }"}),
        "isBase64Encoded": False,
    }
    reply = graphql_api.handler(event, Context())
    assert reply["statusCode"] == 200, reply
    assert json.loads(reply["body"]) == {"data": {"me": None}}, reply


PROBES = {
    "command": probe_command,
    "mediator": probe_mediator,
    "graphql_api": probe_graphql_api,
}

if __name__ == "__main__":
    PROBES[sys.argv[3]]()
    unwanted = {"strawberry", "starlette", "mangum"} if sys.argv[3] != "graphql_api" else set()
    unwanted |= {"cryptography"}
    assert not unwanted & sys.modules.keys(), unwanted & sys.modules.keys()
    print("ok")
