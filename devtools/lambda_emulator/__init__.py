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
tested is what is deployed.
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
from infra.aws.backend import AwsBackend
from infra.aws.resources import Template

__all__ = [
    "Checkpoint",
    "LambdaContext",
    "LambdaHandler",
    "Pollers",
    "ReplayInvocations",
    "SqsPoller",
    "StreamPoller",
    "matches",
    "open_pollers",
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


def open_pollers(
    backend: AwsBackend,
    template: Template,
    *,
    visibility_s: int | None = None,
    wait_s: int = 0,
    checkpoint: Checkpoint | None = None,
    retry_base_s: float | None = None,
    notifier: bool = False,
) -> Pollers:
    """Pollers that run the real handlers on `backend`, configured as serverless.yml declares
    the mappings. The handlers are pointed at `backend`, and its replays at the pollers. With
    `notifier`, the commands table's stream feeds the WebSocket notifier too."""
    from handlers import command, executor, mediator, replay
    from lambda_runtime import container as lambda_runtime

    assert backend.settings is not None
    replays = ReplayInvocations(replay.handler, _function_name(template, "replay"))
    backend.launch_replay = replays.launch
    lambda_runtime.use(backend, retry_base_s=retry_base_s)
    sqs = backend.clients.sqs()
    commands_source = template.event_source("command", "sqs")
    executions_source = template.event_source("executor", "sqs")
    return Pollers(
        commands=SqsPoller(
            sqs,
            backend.command_queue.url,  # type: ignore[attr-defined]
            command.handler,
            _function_name(template, "command"),
            batch_size=commands_source.get("batchSize", 10),
            visibility_s=visibility_s,
            wait_s=wait_s,
        ),
        stream=_stream_poller(
            backend,
            template,
            "mediator",
            mediator.handler,
            backend.settings.events_table,
            checkpoint=checkpoint,
        ),
        executions=SqsPoller(
            sqs,
            backend.execution_queue.url,  # type: ignore[attr-defined]
            executor.handler,
            _function_name(template, "executor"),
            batch_size=executions_source.get("batchSize", 10),
            visibility_s=visibility_s,
            wait_s=wait_s,
        ),
        replays=replays,
        notifier=_notifier_poller(backend, template) if notifier else None,
    )


def _notifier_poller(backend: AwsBackend, template: Template) -> StreamPoller:
    from lambda_runtime import notifier

    assert backend.settings is not None
    table = backend.settings.commands_table
    return _stream_poller(backend, template, "notifier", notifier.handler, table)


def _stream_poller(
    backend: AwsBackend,
    template: Template,
    function: str,
    handler: LambdaHandler,
    table: str,
    *,
    checkpoint: Checkpoint | None = None,
) -> StreamPoller:
    """`function` on `table`'s stream, as its mapping in serverless.yml declares."""
    source = template.event_source(function, "stream")
    described = backend.clients.dynamodb().describe_table(TableName=table)
    return StreamPoller(
        backend.clients.streams(),
        described["Table"]["LatestStreamArn"],
        handler,
        _function_name(template, function),
        batch_size=source.get("batchSize", 100),
        filters=source.get("filterPatterns", []),
        max_retries=source.get("maximumRetryAttempts", 10),
        bisect=source.get("bisectBatchOnFunctionError", False),
        checkpoint=checkpoint,
    )


def _function_name(template: Template, function: str) -> str:
    return f"{template.service}-{template.stage}-{function}"
