"""replayFrom on AWS: the command stage invokes the replay function asynchronously, which reports
through the command's status, FAILED with the reason when the rebuild fails. A replay longer
than an invocation may run is carried on by further invocations, page boundary to page
boundary, and only the last one marks it APPLIED."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import pytest

from devtools.lambda_emulator import LambdaContext
from domain import commands as c
from infra.aws.replay import LambdaReplayLauncher
from infra.dynamodb import event_store
from pipeline import replay as replay_stage
from pipeline.records import (
    RESUME_AFTER,
    CommandEnvelope,
    CommandRecord,
    RecordedEvent,
    Status,
)
from tests.support.aws_functions import Aws, aws_harness
from tests.support.builders import ADMIN, as_admin, create_user, new_id
from tests.support.views import EPOCH, assert_views_match_store, folded_rows


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

    def histories_since(
        self, timestamp: datetime, after: str = ""
    ) -> Iterator[list[RecordedEvent]]:
        raise OSError("the index is gone")


def test_a_failed_rebuild_ends_failed_with_its_reason_and_a_retry_does_nothing() -> None:
    with aws_harness() as aws:
        backend = aws.backend
        receipt = as_admin(backend, c.ReplayFrom(timestamp=EPOCH))
        aws.pollers.commands.poll()
        assert aws.status(receipt.id) is Status.ACCEPTED
        (payload,) = aws.pollers.replays.take()  # the invocation, kept rather than run
        aws.fail_with(events=BrokenHistories(backend.events))

        aws.functions.replay(payload, LambdaContext("replay"))
        aws.functions.replay(payload, LambdaContext("replay"))  # Lambda's retry of an async invoke

        record = backend.commands.get(receipt.id)
        assert record is not None and record.status is Status.FAILED
        assert record.error is not None and "the index is gone" in record.error.message


def test_the_replay_function_may_invoke_itself_and_no_other_function() -> None:
    from infra.aws import resources

    template = resources.read("test")
    policies = template.resources["ReplayRole"]["Properties"]["Policies"]
    (invoke,) = [
        st
        for policy in policies
        for st in policy["PolicyDocument"]["Statement"]
        if "lambda:InvokeFunction" in st["Action"]
    ]
    assert invoke["Action"] == ["lambda:InvokeFunction"]
    arn = invoke["Resource"]["Fn::Join"][1]
    assert arn[-1] == f":function:{template.service}-{template.stage}-replay"
    # Lambda tries an async invocation 1 + maximumRetryAttempts times; a chunk's last try
    # must be one that reports a chunk whose earlier tries died.
    assert template.functions["replay"]["maximumRetryAttempts"] + 1 > replay_stage.CHUNK_TRIES


PAGE = 3  # streams a page, in these tests: small, so a few users make many pages


@dataclass
class RunningOut(LambdaContext):
    """An invocation whose time runs low once it has done `pages` pages (Lambda's context is
    asked once a page)."""

    pages: int = 2
    asked: int = 0

    def get_remaining_time_in_millis(self) -> int:
        self.asked += 1
        return 900_000 if self.asked < self.pages else 30_000


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replay_stage, "BATCH_STREAMS", PAGE)
    monkeypatch.setattr(event_store, "STREAMS_PER_FETCH", PAGE)


def damaged_users(aws: Aws, count: int) -> None:
    """`count` users through the pipeline, some updated, then every view row garbled and one
    put ahead of the store."""
    backend = aws.backend
    for i in range(count):
        user_id = f"auth0|chunk-{i:02}"
        as_admin(backend, create_user(user_id, f"chunk{i}@example.com"))
        if i % 3 == 0:
            as_admin(backend, c.UpdateUser(id=user_id, first_name=f"Up{i}"))
    aws.pollers.run_until_idle()
    rows = list(folded_rows(backend).values())
    for row in rows:
        assert row.data is not None
        backend.views.replace(replace(row, data={**row.data, "first_name": "garbage"}))
    backend.views.replace(replace(rows[0], version=rows[0].version + 40))


def test_a_replay_that_runs_out_of_time_is_carried_on_until_every_stream_is_rebuilt(
    small_pages: None,
) -> None:
    users = 14
    with aws_harness() as aws:
        damaged_users(aws, users)
        ran: list[dict[str, Any]] = []
        run = aws.functions.replay

        def recorded(payload: dict[str, Any], context: Any) -> None:
            ran.append(payload)
            run(payload, context)

        aws.pollers.replays.handler = recorded
        aws.pollers.replays.context = lambda function: RunningOut(function, pages=2)

        receipt = as_admin(aws.backend, c.ReplayFrom(timestamp=EPOCH))
        aws.pollers.run_until_idle()

        assert aws.status(receipt.id) is Status.APPLIED
        assert_views_match_store(aws.backend)
        chunks = [payload.get(RESUME_AFTER) for payload in ran]
        # Two pages a chunk: ceil(14 / 6) chunks, each after the last stream of the one before.
        assert len(chunks) == 3, chunks
        streams = sorted(f"user#auth0|chunk-{i:02}" for i in range(users))
        assert chunks == [None, streams[2 * PAGE - 1], streams[4 * PAGE - 1]]


def replay_with_launches_kept(aws: Aws) -> tuple[CommandRecord, Launched]:
    """Submit a ReplayFrom and let the command stage start it; the replay function's
    invocations are kept, in order, for the test to run, rather than run."""
    receipt = as_admin(aws.backend, c.ReplayFrom(timestamp=EPOCH))
    aws.pollers.commands.poll()
    return receipt, Launched(aws)


class Launched:
    """The replay function's invocations so far, in order (taken from the pollers, never run
    by them)."""

    def __init__(self, aws: Aws) -> None:
        self.aws = aws
        self.taken: list[dict[str, Any]] = []

    def _all(self) -> list[dict[str, Any]]:
        self.taken += self.aws.pollers.replays.take()
        return self.taken

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, index: int) -> dict[str, Any]:
        return self._all()[index]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._all())


def test_a_chunk_delivered_twice_changes_nothing_twice(small_pages: None) -> None:
    with aws_harness() as aws:
        damaged_users(aws, 8)
        backend = aws.backend
        receipt, launched = replay_with_launches_kept(aws)
        (first,) = launched

        aws.functions.replay(first, RunningOut("replay", pages=1))  # one page, then hands on
        assert len(launched) == 2 and aws.status(receipt.id) is Status.ACCEPTED
        second = launched[1]
        assert second[RESUME_AFTER]

        # Garble a row of the first page again: a late copy of the first chunk must not redo it,
        # nor hand on a second time.
        (row,) = [r for r in folded_rows(backend).values() if r.id == "auth0|chunk-00"]
        assert row.data is not None
        garbled = replace(row, data={**row.data, "first_name": "garbage"})
        backend.views.replace(garbled)
        aws.functions.replay(first, RunningOut("replay", pages=1))
        assert len(launched) == 2 and backend.views.get("user", row.id) == garbled

        aws.functions.replay(second, RunningOut("replay", pages=99))  # the rest: done
        assert aws.status(receipt.id) is Status.APPLIED
        aws.functions.replay(second, RunningOut("replay", pages=99))  # delivered twice
        aws.functions.replay(first, RunningOut("replay", pages=99))
        assert len(launched) == 2 and aws.status(receipt.id) is Status.APPLIED
        assert backend.views.get("user", row.id) == garbled  # stale copies wrote nothing


def test_a_chunk_whose_tries_all_time_out_ends_failed() -> None:
    with aws_harness() as aws:
        backend = aws.backend
        receipt, launched = replay_with_launches_kept(aws)
        (payload,) = launched
        # Lambda's first two tries die without a word (timed out): each counts itself first.
        progress = backend.replay_progress  # the command log, on AWS
        assert progress is not None
        for _ in range(replay_stage.CHUNK_TRIES):
            assert progress.start_replay_chunk(receipt.id, "") is not None
        assert aws.status(receipt.id) is Status.ACCEPTED

        aws.functions.replay(payload, LambdaContext("replay"))  # the last try

        record = backend.commands.get(receipt.id)
        assert record is not None and record.status is Status.FAILED
        assert record.error is not None and "timed out" in record.error.message
