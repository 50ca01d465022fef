"""Lambda: the executor, fed by the executions.fifo queue (one group per aggregate stream)."""

from __future__ import annotations

from typing import Any

from handlers.lambda_runtime import backend, logger
from handlers.sqs_batch import process_batch
from pipeline.executor import give_up_event, handle_event


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ports = backend()
    return process_batch(
        event,
        context,
        ports.execution_queue,  # type: ignore[arg-type]
        lambda body: handle_event(ports, body),
        lambda body, reason: give_up_event(ports, body, reason),
    )
