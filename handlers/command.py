"""Lambda: the command stage, fed by the commands.fifo queue (lambda_runtime/sqs_stage.py)."""

from typing import Any

from lambda_runtime.bootstrap import from_environment


def handler(event: dict[str, Any], context: Any) -> Any:
    return from_environment().command(event, context)
