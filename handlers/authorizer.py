"""Lambda: the HTTP API's authorizer (lambda_runtime/authorizer.py)."""

from typing import Any

from lambda_runtime.bootstrap import from_environment


def handler(event: dict[str, Any], context: Any) -> Any:
    return from_environment().authorizer(event, context)
