"""A commandStatus document run by the API's own Strawberry schema, so a subscription is parsed,
checked (tokens, depth, aliases, permissions) and shaped exactly as over HTTP and on the local
server. Lambda holds no stream open: each run takes the subscription's first result (the status
the resolver reads) and closes it; the next status is the notifier's, run the same way over the
record the change produced.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Coroutine
from typing import Any, cast

import strawberry
from graphql import GraphQLError, OperationType, get_operation_ast, parse
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.utils.aio import aclosing

from lambda_runtime.websocket.protocol import Operation
from schema.build import MAX_TOKENS
from schema.context import AppContext

Result = ExecutionResult | PreExecutionError | None  # None: ended without a result


def first_result(schema: strawberry.Schema, operation: Operation, context: AppContext) -> Result:
    refused = _not_a_subscription(operation)
    if refused is not None:
        return refused
    return _run(_first(schema, operation, context))


def _run(main: Coroutine[Any, Any, Result]) -> Result:
    """asyncio.run, but never touching the thread's current loop: asyncio.run leaves the thread
    without one, which breaks whatever else runs there (Mangum asks for the current loop; the
    pollers run several functions in one process)."""
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(main)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())  # what was left open, closed now
        loop.close()


async def _first(schema: strawberry.Schema, operation: Operation, context: AppContext) -> Result:
    stream: AsyncGenerator[Any, None] = await schema.subscribe(
        operation.query,
        variable_values=operation.variables,
        context_value=context,
        operation_name=operation.operation_name,
    )
    try:
        async with aclosing(stream):
            async for result in stream:
                return result  # type: ignore[no-any-return]
    except GraphQLError as error:
        # A document that does not parse escapes Strawberry's stream (its parser cache raises
        # outside the stream's own handling); it gets the errors HTTP gives it.
        return PreExecutionError(data=None, errors=[error])
    return None


def _not_a_subscription(operation: Operation) -> PreExecutionError | None:
    """Queries and mutations are the HTTP API's: refused here, by name, rather than masked
    (Strawberry's refusal of an operation type is an exception the API masks as internal). A
    document that does not parse is left to the schema, which says why as over HTTP."""
    try:
        document = parse(operation.query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return None
    definition = get_operation_ast(document, operation.operation_name)
    if definition is None:
        reason = CannotGetOperationTypeError(operation.operation_name).as_http_error_reason()
        return _refusal(reason)
    if definition.operation is OperationType.QUERY:
        return _refusal("queries are not allowed")
    if definition.operation is OperationType.MUTATION:
        return _refusal("mutations are not allowed")
    return None


def _refusal(message: str) -> PreExecutionError:
    return PreExecutionError(data=None, errors=[GraphQLError(message)])


def next_payload(result: ExecutionResult) -> dict[str, Any]:
    """A `next` message's payload, as Strawberry's graphql-transport-ws handler makes it."""
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return payload


def errors_of(result: PreExecutionError) -> list[dict[str, Any]]:
    return [cast(dict[str, Any], error.formatted) for error in result.errors or []]
