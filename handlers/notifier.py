"""Lambda: the notifier, fed by the commands table's stream (lambda_runtime/notifier.py)."""

from typing import Any

from lambda_runtime.bootstrap import from_environment


def handler(event: dict[str, Any], context: Any) -> Any:
    return from_environment().notifier(event, context)
