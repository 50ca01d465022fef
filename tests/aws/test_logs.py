"""One command can be followed across functions: every line each stage logs is JSON and carries
the command id, the pipeline's own warnings and the batch processor's included."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from devtools.lambda_emulator.lambda_context import LambdaContext
from domain import commands as c
from lambda_runtime.log import logged, logger
from tests.support.aws_functions import FailingLoads, aws_harness
from tests.support.builders import as_admin, new_id


@contextmanager
def captured_log() -> Iterator[io.StringIO]:
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def test_every_line_logged_while_a_command_fails_and_recovers_carries_its_id() -> None:
    with aws_harness() as aws, captured_log() as log:
        backend = aws.backend
        group_id = new_id()
        receipt = as_admin(backend, c.CreateGroup(id=group_id, name="logged", description="d"))
        aws.fail_with(events=FailingLoads(backend.events, f"group#{group_id}", times=1))
        aws.pollers.run_until_idle()

    lines = [json.loads(line) for line in log.getvalue().splitlines()]
    assert len(lines) >= 2
    assert {line.get("command_id") for line in lines} == {receipt.id}
    warnings = [line["message"] for line in lines if line["level"] == "WARNING"]
    assert any("disk is on fire" in message for message in warnings)
    failing = {line["function_name"] for line in lines if line["level"] != "INFO"}
    assert failing == {f"usermgmt-{aws.stack.stage}-command"}


# Each stage a command goes through, and the function that runs it.
STAGES = {"graphqlApi", "command", "mediator", "executor", "notifier"}


def api_event(query: str, sub: str, *, admin: bool) -> dict[str, Any]:
    """An HTTP API (payload 2.0) POST /graphql, the caller named by the authorizer."""
    return {
        "version": "2.0",
        "routeKey": "POST /graphql",
        "rawPath": "/graphql",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "api.usermgmt.test"},
        "requestContext": {
            "http": {
                "method": "POST",
                "path": "/graphql",
                "protocol": "HTTP/1.1",
                "sourceIp": "192.0.2.1",
            },
            "authorizer": {"lambda": {"sub": sub, "admin": admin}},
            "stage": "$default",
            "requestId": new_id(),
        },
        "body": json.dumps({"query": query}),
        "isBase64Encoded": False,
    }


def test_one_command_is_followed_by_its_id_through_every_stage_it_passes() -> None:
    """A createGroup that succeeds: the API's submit, the command stage, the mediator, the
    executor and the WebSocket notifier (its status changes) each log an INFO line with its id,
    and one line per item, not more."""
    query = 'mutation { createGroup(input: {name: "followed", description: "d"}) { commandId } }'
    with aws_harness(notifier=True) as aws, captured_log() as log:
        context = LambdaContext(f"usermgmt-{aws.stack.stage}-graphqlApi")
        reply = aws.functions.graphql_api(api_event(query, "auth0|admin", admin=True), context)
        assert reply["statusCode"] == 200, reply
        command_id = json.loads(reply["body"])["data"]["createGroup"]["commandId"]
        aws.pollers.run_until_idle()
        assert aws.status(command_id).value == "APPLIED"

    lines = [json.loads(line) for line in log.getvalue().splitlines()]
    ours = [line for line in lines if line.get("command_id") == command_id]
    prefix = f"usermgmt-{aws.stack.stage}-"
    by_stage: dict[str, list[dict[str, Any]]] = {}
    for line in ours:
        by_stage.setdefault(line["function_name"].removeprefix(prefix), []).append(line)
    assert set(by_stage) == STAGES
    assert all(line["level"] == "INFO" for line in ours), ours
    # One event (GroupCreated): one line each; the notifier sees QUEUED -> ACCEPTED -> APPLIED.
    counts = {stage: len(found) for stage, found in by_stage.items()}
    assert counts == {"graphqlApi": 1, "command": 1, "mediator": 1, "executor": 1, "notifier": 2}


def test_an_invocations_keys_stay_with_it_while_other_threads_log() -> None:
    """On a laptop the stand-in functions run on threads of one process: a line logged on
    another thread while a function runs carries none of that function's keys."""
    inside, finish = threading.Event(), threading.Event()

    def executor(event: dict[str, Any], context: Any) -> None:
        inside.set()
        finish.wait(10)
        logger.info("from the executor")

    function = logged(executor)
    context = LambdaContext("usermgmt-t-executor")
    thread = threading.Thread(target=function, args=({}, context))
    with captured_log() as log:
        thread.start()
        assert inside.wait(10)
        logger.info("from the app")
        finish.set()
        thread.join(10)

    lines = {line["message"]: line for line in map(json.loads, log.getvalue().splitlines())}
    assert "function_name" not in lines["from the app"]
    worker = lines["from the executor"]
    assert worker["function_name"] == "usermgmt-t-executor"
    assert worker["function_request_id"] == context.aws_request_id
