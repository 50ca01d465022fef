"""Stand-ins for Lambda's event source mappings, so the real handlers run on a laptop (`usermgmt
serve --backend aws`) and in tests, against moto or a real account:

- SQS: receive a batch, hand it to the command or executor handler as Lambda would, delete the
  records it did not report as failed; failed ones stay and come back.
- DynamoDB stream: read the events table's stream with the dynamodbstreams client, filter and
  batch records as serverless.yml declares, hand them to the mediator, and move the checkpoint
  past what succeeded: a failed record is retried (bounded) from where it failed.
- Replays: the command stage's asynchronous invocations of the replay function, run here.
- The commands table's stream, for the WebSocket notifier (when asked for: the local server
  serves subscriptions itself).

The mappings' settings (batch sizes, filters, retries) are read from serverless.yml, so what is
tested is what is deployed. The emulator's root (bootstrap.py) builds the handlers with the
Lambda root over the given backend and the pollers that feed them; app.py adds the HTTP app
for `usermgmt serve --backend aws`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from devtools.lambda_emulator.lambda_context import LambdaContext, LambdaHandler
from devtools.lambda_emulator.replays import ReplayInvocations
from devtools.lambda_emulator.sqs import SqsPoller
from devtools.lambda_emulator.stream import Checkpoint, StreamPoller, matches

__all__ = [
    "Checkpoint",
    "LambdaContext",
    "LambdaHandler",
    "Pollers",
    "ReplayInvocations",
    "SqsPoller",
    "StreamPoller",
    "matches",
]

log = logging.getLogger("usermgmt.pollers")


class Pollers:
    def __init__(
        self,
        commands: SqsPoller,
        stream: StreamPoller,
        executions: SqsPoller,
        replays: ReplayInvocations,
        notifier: StreamPoller | None = None,
    ) -> None:
        self.commands = commands
        self.stream = stream
        self.executions = executions
        self.replays = replays
        self.notifier = notifier
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def step(self) -> int:
        """One poll of every mapping, in pipeline order; how much work it found."""
        found = (
            self.commands.poll() + self.stream.poll() + self.executions.poll() + self.replays.poll()
        )
        return found + (self.notifier.poll() if self.notifier else 0)

    def run_until_idle(self, timeout_s: float = 120.0, idle_wait_s: float = 0.05) -> None:
        """Poll until nothing is left anywhere, in flight included: a message another consumer
        received and never deleted shows again after its visibility timeout, and is waited for."""
        deadline = time.monotonic() + timeout_s
        while True:
            if self.step():
                continue
            if not self.replays.pending() and not self.commands.depth() + self.executions.depth():
                return
            if time.monotonic() > deadline:
                raise RuntimeError("the pipeline did not settle")
            time.sleep(idle_wait_s)  # no event to wait on: SQS only shows it when polled

    def start(self, idle_wait_s: float = 0.2) -> None:
        """Each mapping on a thread of its own, as Lambda runs them side by side."""
        self._stop.clear()
        sources: list[tuple[str, Callable[[], int]]] = [
            ("commands", self.commands.poll),
            ("stream", self.stream.poll),
            ("executions", self.executions.poll),
            ("replays", self.replays.poll),
        ]
        if self.notifier is not None:
            sources.append(("notifier", self.notifier.poll))
        self._threads = [
            threading.Thread(
                target=self._loop, args=(poll, idle_wait_s), daemon=True, name=f"poller-{name}"
            )
            for name, poll in sources
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads = []

    def _loop(self, poll: Callable[[], int], idle_wait_s: float) -> None:
        while not self._stop.is_set():
            try:
                found = poll()
            except Exception:
                log.exception("a poller failed; trying again")
                found = 0
            if not found:
                self._stop.wait(idle_wait_s)
