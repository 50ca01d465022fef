"""The emulator's composition root: the Lambda root's handlers over a given AWS backend, and the
pollers that feed them as serverless.yml declares the mappings. The command stage's replays are
launched into the pollers (asynchronous invocations of the replay function, run by a poll), so
the backend the handlers get is the given one with that launcher.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from devtools.lambda_emulator import Pollers
from devtools.lambda_emulator.lambda_context import LambdaHandler
from devtools.lambda_emulator.replays import ReplayInvocations
from devtools.lambda_emulator.sqs import SqsPoller
from devtools.lambda_emulator.stream import Checkpoint, StreamPoller
from infra.aws.backend import AwsBackend
from infra.aws.resources import Template
from lambda_runtime import bootstrap as lambda_root

if TYPE_CHECKING:
    from infra.auth import TokenVerifier
    from infra.aws.management import ManagementApi
    from infra.dynamodb.connections import DynamoConnections
    from infra.settings import Settings


@dataclass(frozen=True)
class Emulator:
    functions: lambda_root.LambdaFunctions  # the handlers, as Lambda would run them
    pollers: Pollers  # the event source mappings that feed them
    backend: AwsBackend  # what the handlers run on


def build(
    backend: AwsBackend,
    template: Template,
    settings: Settings | None = None,
    *,
    visibility_s: int | None = None,
    wait_s: int = 0,
    checkpoint: Checkpoint | None = None,
    retry_base_s: float | None = None,
    notifier: bool = False,
    verifier: TokenVerifier | None = None,
    gateway: ManagementApi | None = None,
    connections: DynamoConnections | None = None,
) -> Emulator:
    """The real handlers on `backend` (`settings`: the API's, for the functions that need
    them), fed by pollers configured as serverless.yml declares the mappings. With `notifier`,
    the commands table's stream feeds the WebSocket notifier too."""
    assert backend.settings is not None

    def run_replay(payload: dict[str, Any], context: Any) -> Any:
        return functions.replay(payload, context)

    replays = ReplayInvocations(run_replay, _function_name(template, "replay"))
    ported = replace(backend, launch_replay=replays.launch)
    functions = lambda_root.build(
        settings,
        backend=ported,
        retry_base_s=retry_base_s,
        verifier=verifier,
        gateway=gateway,
        connections=connections,
    )
    sqs = backend.clients.sqs()

    def sqs_poller(function: str, handler: LambdaHandler, queue: object) -> SqsPoller:
        source = template.event_source(function, "sqs")
        return SqsPoller(
            sqs,
            address_of(queue),
            handler,
            _function_name(template, function),
            batch_size=source.get("batchSize", 10),
            visibility_s=visibility_s,
            wait_s=wait_s,
        )

    events_table, commands_table = backend.settings.events_table, backend.settings.commands_table
    pollers = Pollers(
        commands=sqs_poller("command", functions.command, ported.command_queue),
        stream=_stream_poller(
            ported, template, "mediator", functions.mediator, events_table, checkpoint=checkpoint
        ),
        executions=sqs_poller("executor", functions.executor, ported.execution_queue),
        replays=replays,
        notifier=(
            _stream_poller(ported, template, "notifier", functions.notifier, commands_table)
            if notifier
            else None
        ),
    )
    return Emulator(functions, pollers, ported)


def address_of(queue: object) -> str:
    """The URL a poller receives `queue`'s messages from (AddressedQueue); TypeError when it
    has none. Checked by what it has, not its class: tests hand in wrappers of the SQS queue."""
    url = getattr(queue, "url", None)
    if not isinstance(url, str):
        raise TypeError(f"{type(queue).__name__} has no URL to poll")
    return url


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
