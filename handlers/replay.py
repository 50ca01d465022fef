"""Lambda: a ReplayFrom command, run in chunks (lambda_runtime/replay.py)."""

from typing import Any

from lambda_runtime.bootstrap import from_environment


def handler(event: dict[str, Any], context: Any) -> Any:
    return from_environment().replay(event, context)
