"""Lambda's asynchronous invocations of the replay function, as the command stage makes them."""

from __future__ import annotations

import json
import logging
import queue
from collections.abc import Callable
from typing import Any

from devtools.lambda_emulator.lambda_context import LambdaContext, LambdaHandler
from pipeline.records import CommandEnvelope, replay_payload

log = logging.getLogger("usermgmt.pollers")


class ReplayInvocations:
    """Asynchronous invocations of the replay function, kept until a poll runs them."""

    def __init__(self, handler: LambdaHandler, function: str) -> None:
        self.handler = handler
        self.function = function
        self.context: Callable[[str], Any] = LambdaContext  # what each invocation is given
        self._pending: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()

    def launch(self, envelope: CommandEnvelope, after: str = "") -> None:
        self._pending.put(json.loads(replay_payload(envelope, after)))

    def poll(self) -> int:
        ran = 0
        while True:
            try:
                payload = self._pending.get_nowait()
            except queue.Empty:
                return ran
            try:
                self.handler(payload, self.context(self.function))
            except Exception:
                log.exception("the replay function failed")
            ran += 1

    def pending(self) -> bool:
        return not self._pending.empty()

    def take(self) -> list[dict[str, Any]]:
        """The invocations waiting, in order, taken away unrun (for a test to run them)."""
        taken = []
        while not self._pending.empty():
            taken.append(self._pending.get_nowait())
        return taken
