"""Replays run in their own Lambda function, invoked asynchronously, so a long rebuild is
never bound by the API's 29 seconds or the command function's timeout; a replay longer than
the function's own 900 seconds carries on in further invocations (pipeline/replay.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipeline.records import CommandEnvelope, replay_payload


class LambdaReplayLauncher:
    def __init__(self, lambda_client: Callable[[], Any], function_name: str) -> None:
        self.lambda_client = lambda_client  # made on first replay: most commands never need it
        self.function_name = function_name

    def __call__(self, envelope: CommandEnvelope, after: str = "") -> None:
        """Invoke the replay function for the command; with `after`, for the chunk that carries
        on after that stream (the function invokes itself so when its time runs low)."""
        self.lambda_client().invoke(
            FunctionName=self.function_name,
            InvocationType="Event",
            Payload=replay_payload(envelope, after).encode(),
        )
