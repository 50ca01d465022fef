"""Lambda: the GraphQL API (lambda_runtime/graphql_api.py), Mangum over the local server's app.

A cold start makes about 130,000 objects that live as long as the container (modules, the
schema, botocore's service models), and the cyclic garbage collector would scan them again and
again while they are made: about 40 ms of a 470 ms cold start, measured. So it is off from the
first line of this module to the end of the container's first request; what is alive then is
frozen (moved out of the collector's sight for good, which also spares later requests' full
collections) and the collector turned back on. The start's own cyclic garbage, about 2,000
objects, stays for the container's life.
"""

from __future__ import annotations

import gc

gc.disable()  # before the imports below, which are most of the cold start

from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import lambda_runtime.graphql_api  # noqa: E402, F401  # the app's modules, loaded at init
from lambda_runtime.bootstrap import LambdaHandler, from_environment  # noqa: E402


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
        _started()


def _started() -> None:
    """The end of the cold start (see above): freeze what it made, collect from now on."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
