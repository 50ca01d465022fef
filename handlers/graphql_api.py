"""Lambda: the GraphQL API (lambda_runtime/graphql_api.py), Mangum over the local server's app.

The cyclic garbage collector is off from the first import to the end of the container's first
request (internals/coldstart.py says why).
"""

from __future__ import annotations

import internals.coldstart  # first: it turns the collector off for the imports below

# isort: split
from collections.abc import Callable
from typing import Any

import lambda_runtime.graphql_api  # noqa: F401  # the app's modules, loaded at init
from lambda_runtime.bootstrap import LambdaHandler, from_environment


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return answer(lambda: from_environment().graphql_api, event, context)


def answer(
    function: Callable[[], LambdaHandler], event: dict[str, Any], context: Any
) -> dict[str, Any]:
    """The answer of the function the root made (made on the first request); the first request,
    answered or failed, ends the cold start."""
    try:
        reply: dict[str, Any] = function()(event, context)
        return reply
    finally:
        internals.coldstart.started()
