"""subscribe: a commandStatus subscription, registered before its first read and answered with
the status it reads.

The resolver (resolvers/subscriptions.py) reads the command through the command log. Here that
log registers the subscription, lease held, on the resolver's first read and only then reads, as
the local server starts watching before it reads: a change committed after the read is the
notifier's to send, and the notifier waits for the lease, so the client gets the status read
here first and each later one after it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from strawberry.types.execution import PreExecutionError

from infra.dynamodb.connections import DynamoConnections, Lease, Subscription
from lambda_runtime.websocket.execution import Result, errors_of, first_result, next_payload
from lambda_runtime.websocket.protocol import (
    DUPLICATE,
    UNAUTHORIZED,
    Operation,
    Refusal,
    complete_message,
    error_message,
    next_message,
)
from lambda_runtime.websocket.push import send
from lambda_runtime.websocket.session import Session
from pipeline.ports import Backend, CommandLog, ReadOnlyCommandLog
from pipeline.records import CommandRecord
from schema.context import AppContext, Caller

if TYPE_CHECKING:
    import strawberry


class Registering(ReadOnlyCommandLog):
    """The command log as the resolver reads it (it only reads), registering the subscription
    to a command before its first read."""

    refusal = "a subscription only reads the command log"

    def __init__(
        self, log: CommandLog, store: DynamoConnections, template: Subscription, lease: Lease
    ) -> None:
        self.log = log
        self.store = store
        self.template = template
        self.lease = lease
        self.registered: Subscription | None = None
        self.duplicate = False
        self.read: CommandRecord | None = None

    def get(self, command_id: str) -> CommandRecord | None:
        if self.registered is None and not self.duplicate:
            subscription = replace(self.template, command_id=command_id)
            if self.store.register(subscription, self.lease):
                self.registered = subscription
            else:
                self.duplicate = True
        if self.duplicate:
            return None
        self.read = self.log.get(command_id)
        return self.read


def subscribe(
    session: Session, operation: Operation, backend: Backend, schema: strawberry.Schema
) -> None:
    store = session.outlet.store
    connection = store.get(session.connection_id)
    if connection is None:
        raise Refusal(UNAUTHORIZED, "Unauthorized", operation.id)
    lease = Lease.for_ms(session.lease_ms)
    template = Subscription(
        connection_id=session.connection_id,
        id=operation.id,
        command_id="",
        endpoint=session.endpoint,
        subject=connection.subject,
        admin=connection.admin,
        query=operation.query,
        variables=operation.variables,
        operation_name=operation.operation_name,
    )
    log = Registering(backend.commands, store, template, lease)
    context = AppContext(
        backend=replace(backend, commands=log), caller=Caller(connection.subject, connection.admin)
    )
    result = first_result(schema, operation, context)
    if log.duplicate:
        raise Refusal(DUPLICATE, f"Subscriber for {operation.id} already exists", operation.id)
    if log.registered is None:
        _refused(session, operation, result)
        return
    send(session.outlet, log.registered, result, log.read, lease)


def _refused(session: Session, operation: Operation, result: Result) -> None:
    """Nothing was registered: the document never reached the resolver (its errors, as HTTP
    gives them), or the resolver failed before its first read (its error, masked, in a `next`
    before `complete`, as the local server sends it)."""
    if isinstance(result, PreExecutionError):
        session.post(error_message(operation.id, errors_of(result)))
        return
    if result is not None:
        session.post(next_message(operation.id, next_payload(result)))
    session.post(complete_message(operation.id))
