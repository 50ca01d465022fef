"""replayFrom on AWS: the command stage invokes the replay function asynchronously, which reports
through the command's status, FAILED with the reason when the rebuild fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from domain import commands as c
from handlers import replay
from handlers.pollers import LambdaContext
from infra.aws.replay import LambdaReplayLauncher
from pipeline.records import CommandEnvelope, RecordedEvent, Status
from tests.aws.harness import aws_harness
from tests.support.builders import ADMIN, as_admin, new_id
from tests.support.views import EPOCH


class FakeLambda:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **request: Any) -> dict[str, Any]:
        self.calls.append(request)
        return {"StatusCode": 202}


def test_the_command_stage_invokes_the_replay_function_asynchronously_with_the_command() -> None:
    client = FakeLambda()
    launch = LambdaReplayLauncher(lambda: client, "usermgmt-prod-replay")
    envelope = CommandEnvelope(new_id(), c.ReplayFrom(timestamp=EPOCH), ADMIN, True, EPOCH)
    launch(envelope)
    (call,) = client.calls
    assert (call["FunctionName"], call["InvocationType"]) == ("usermgmt-prod-replay", "Event")
    assert CommandEnvelope.from_json(call["Payload"].decode()) == envelope


class BrokenHistories:
    def __init__(self, store: Any) -> None:
        self.store = store

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    def histories_since(self, timestamp: datetime) -> Iterator[list[RecordedEvent]]:
        raise OSError("the index is gone")


def test_a_failed_rebuild_ends_failed_with_its_reason_and_a_retry_does_nothing() -> None:
    with aws_harness() as aws:
        backend = aws.backend
        invocations: list[dict[str, Any]] = []
        backend.launch_replay = lambda envelope: invocations.append(json.loads(envelope.to_json()))
        receipt = as_admin(backend, c.ReplayFrom(timestamp=EPOCH))
        aws.pollers.commands.poll()
        assert aws.status(receipt.id) is Status.ACCEPTED
        (payload,) = invocations
        aws.fail_with(events=BrokenHistories(backend.events))

        replay.handler(payload, LambdaContext("replay"))
        replay.handler(payload, LambdaContext("replay"))  # Lambda's retry of an async invoke

        record = backend.commands.get(receipt.id)
        assert record is not None and record.status is Status.FAILED
        assert record.error is not None and "the index is gone" in record.error.message
