"""One command can be followed across functions: every line each stage logs is JSON and carries
the command id, the pipeline's own warnings and the batch processor's included."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from domain import commands as c
from handlers.lambda_runtime import logger
from tests.aws.harness import FailingLoads, aws_harness
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
    assert {line["function_name"] for line in lines} == {f"usermgmt-{aws.stack.stage}-command"}
