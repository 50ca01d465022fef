"""Lambda entry point: the notifier, fed by the commands table's stream (lambda_runtime/)."""

from lambda_runtime.notifier import handler

__all__ = ["handler"]
