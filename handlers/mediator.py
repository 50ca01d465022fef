"""Lambda: the mediator, fed by the events table's stream (lambda_runtime/mediator.py)."""

from typing import Any

from lambda_runtime.bootstrap import from_environment


def handler(event: dict[str, Any], context: Any) -> Any:
    return from_environment().mediator(event, context)
