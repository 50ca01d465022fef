"""Lambda: the command stage, fed by the commands.fifo queue (one group per aggregate stream)."""

from __future__ import annotations

from typing import Any

from lambda_runtime.container import backend, logger
from lambda_runtime.sqs_stage import process_batch
from pipeline.command_stage import give_up_command, handle_command
from pipeline.ports import Backend
from pipeline.records import command_id_of


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    ports = backend()
    return process_batch(
        event,
        context,
        ports.command_queue,  # type: ignore[arg-type]
        lambda body: handle_command(ports, body),
        lambda body, reason: give_up_command(ports, body, reason),
        count_failure=lambda body: _count_failure(ports, body),
    )


def _count_failure(ports: Backend, body: str) -> int | None:
    command_id = command_id_of(body)
    if command_id is None:
        return None
    return ports.commands.count_failure(command_id, "command_failures")  # type: ignore[attr-defined,no-any-return]
