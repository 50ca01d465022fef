"""Lambda: the notifier, fed by the commands table's stream (NEW_AND_OLD_IMAGES, MODIFY only).

For each status change, in stream order (a command's changes share a partition key, so they
arrive in the order they were made): its subscribers from the connections table's index, and
to each `next` (then `complete` after a terminal status) through the Management API, shaped by
the subscriber's own document and shown only if the subscriber may see the command
(lambda_runtime/websocket/push.py). A subscriber whose lease is held (the websocket function is
sending it its first status) fails the record: the stream retries it, and whoever was already
sent it is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from infra.dynamodb.command_log import command_record_of
from infra.dynamodb.connections import Subscription
from lambda_runtime.log import command_keys, logger
from lambda_runtime.websocket.execution import Result, first_result
from lambda_runtime.websocket.protocol import Operation
from lambda_runtime.websocket.push import Outlet, PushResult, deliver, lease_duration_ms
from pipeline.ports import Backend, ReadOnlyCommandLog
from pipeline.records import CommandRecord
from schema.context import AppContext, Caller

if TYPE_CHECKING:
    import strawberry


@dataclass(frozen=True)
class Notifier:
    """A Lambda handler: a batch of the commands table's stream to the subscribers."""

    backend: Backend
    outlet: Callable[[], Outlet]
    schema: Callable[[], strawberry.Schema]

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return self.notify_all(event, lease_duration_ms(context))

    def notify_all(self, event: dict[str, Any], lease_ms: int) -> dict[str, Any]:
        outlet = self.outlet()
        for raw in event.get("Records", []):
            record = status_change(raw)
            if record is None:
                continue
            sequence = raw["dynamodb"]["SequenceNumber"]
            with command_keys(record.id):
                render = Renderer(record, self.backend, self.schema)
                try:
                    outcomes = notify(outlet, record, render, lease_ms)
                except Exception:
                    logger.exception("could not notify a status change; the stream will retry it")
                    return _failed(sequence)
                outcome_names = [outcome.value for outcome in outcomes]
                logger.info(
                    "notified", extra={"status": record.status.value, "outcomes": outcome_names}
                )
                if PushResult.BUSY in outcomes:
                    return _failed(sequence)
        return {"batchItemFailures": []}


def status_change(raw: dict[str, Any]) -> CommandRecord | None:
    """The command as a MODIFY left it, if its status changed (the mapping's filter passes
    MODIFYs only; this checks again, since a filter is configuration)."""
    images = raw.get("dynamodb", {})
    new, old = images.get("NewImage"), images.get("OldImage") or {}
    if raw.get("eventName") != "MODIFY" or not new or new.get("status") == old.get("status"):
        return None
    return command_record_of(new)


def notify(
    outlet: Outlet, record: CommandRecord, render: Renderer, lease_ms: int
) -> list[PushResult]:
    return [
        deliver(outlet, subscription, record, render, lease_ms)
        for subscription in outlet.store.subscribed_to(record.id)
    ]


class Renderer:
    """Each subscriber's `next`, from its own document run over the record at hand, as its
    caller: the resolver shows the command only to its submitter or an admin. Subscribers with
    the same document and caller share one run."""

    def __init__(
        self, record: CommandRecord, backend: Backend, schema: Callable[[], strawberry.Schema]
    ) -> None:
        self.backend = replace(backend, commands=OneRecord(record))
        self.schema = schema
        self.done: dict[tuple[Any, ...], Result] = {}

    def __call__(self, subscription: Subscription, record: CommandRecord) -> Result:
        variables = sorted((subscription.variables or {}).items())
        key: tuple[Any, ...] = (subscription.query, repr(variables), subscription.operation_name)
        key += (subscription.subject, subscription.admin)
        if key not in self.done:
            operation = Operation(
                subscription.id,
                subscription.query,
                subscription.variables,
                subscription.operation_name,
            )
            caller = Caller(subscription.subject, subscription.admin)
            context = AppContext(backend=self.backend, caller=caller)
            self.done[key] = first_result(self.schema(), operation, context)
        return self.done[key]


class OneRecord(ReadOnlyCommandLog):
    """A command log that knows one command, as the change left it."""

    refusal = "a notification only reads the command it is about"

    def __init__(self, record: CommandRecord) -> None:
        self.known = record

    def get(self, command_id: str) -> CommandRecord | None:
        return self.known if command_id == self.known.id else None


def _failed(sequence: str) -> dict[str, Any]:
    return {"batchItemFailures": [{"itemIdentifier": sequence}]}
