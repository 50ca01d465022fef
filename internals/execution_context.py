"""The execution context every operation runs in: Strawberry's, without its reference cycle.

graphql-core's executor keeps helpers made of its own bound methods (`async_helpers`), so each
operation's executor, and all it holds (variables, collected fields, the request's context),
is a reference cycle that only the cyclic garbage collector can free: about 40 objects a
createUser, 280 a 20-alias query. Those collections cost a createUser about 40 µs of its
350. With the helpers reaching the executor through a weak reference, an operation's objects
are freed as soon as it ends (tests/unit/test_internals.py, and through the whole app
tests/e2e/test_api_app.py::test_a_request_leaves_nothing_for_the_cycle_collector)."""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Sequence
from typing import Any

from graphql.type.definition import GraphQLResolveInfoHelpers
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class Execution(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The helpers only run while the operation does, so while its executor is alive.
        executor = weakref.ref(self)

        def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
            return _alive(executor).gather_async_work(values)

        def track(values: Sequence[Any]) -> None:
            _alive(executor).track_async_work(values)

        self.async_helpers = GraphQLResolveInfoHelpers(gather=gather, track=track)


def _alive(executor: weakref.ref[Execution]) -> Execution:
    alive = executor()
    if alive is None:
        raise RuntimeError("a resolver helper was used after its operation ended")
    return alive
