"""Lambda: the executor, fed by the executions.fifo queue (one group per aggregate stream)."""

from __future__ import annotations

import json
from typing import Any

from lambda_runtime.container import backend, logger
from lambda_runtime.sqs_stage import process_batch
from pipeline.executor import give_up_event, handle_event
from pipeline.ports import Backend


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ports = backend()
    return process_batch(
        event,
        context,
        ports.execution_queue,  # type: ignore[arg-type]
        lambda body: handle_event(ports, body),
        lambda body, reason: give_up_event(ports, body, reason),
        count_failure=lambda body: _count_failure(ports, body),
    )


def _count_failure(ports: Backend, body: str) -> int | None:
    """Counted per event: a command's events are messages of their own."""
    try:
        raw = json.loads(body)
        command_id, index = str(raw["command_id"]), int(raw.get("index", 0))
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    return ports.commands.count_failure(command_id, f"event_{index}_failures")  # type: ignore[attr-defined,no-any-return]
