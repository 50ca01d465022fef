"""A commandStatus document run by the API's own Strawberry schema, so a subscription is parsed,
checked (tokens, depth, aliases, permissions) and shaped exactly as over HTTP and on the local
server. Lambda holds no stream open: each run takes the subscription's first result (the status
the resolver reads) and closes it; the next status is the notifier's, run the same way over the
record the change produced.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError
from strawberry.utils.aio import aclosing

from handlers.websocket.protocol import Operation
from schema.context import AppContext

Result = ExecutionResult | PreExecutionError | None  # None: ended without a result


def first_result(schema: strawberry.Schema, operation: Operation, context: AppContext) -> Result:
    return asyncio.run(_first(schema, operation, context))


async def _first(schema: strawberry.Schema, operation: Operation, context: AppContext) -> Result:
    stream: AsyncGenerator[Any, None] = await schema.subscribe(
        operation.query,
        variable_values=operation.variables,
        context_value=context,
        operation_name=operation.operation_name,
    )
    async with aclosing(stream):
        async for result in stream:
            return result  # type: ignore[no-any-return]
    return None


def next_payload(result: ExecutionResult) -> dict[str, Any]:
    """A `next` message's payload, as Strawberry's graphql-transport-ws handler makes it."""
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [error.formatted for error in result.errors]
    if result.extensions:
        payload["extensions"] = result.extensions
    return payload


def errors_of(result: PreExecutionError) -> list[dict[str, Any]]:
    return [error.formatted for error in result.errors or []]


def close_reason(result: PreExecutionError) -> str | None:
    """Why the local server would close the socket (4400) rather than answer with `error`: a
    document that does not parse, or names an operation it does not have."""
    error: GraphQLError | None = (result.errors or [None])[0]
    if isinstance(error, GraphQLSyntaxError):
        return error.message
    if error is not None and isinstance(error.original_error, CannotGetOperationTypeError):
        return error.original_error.as_http_error_reason()
    return None
