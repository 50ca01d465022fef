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

from dataclasses import replace
from typing import Any

from infra.dynamodb.command_log import command_record_of
from infra.dynamodb.connections import Subscription
from lambda_runtime import container as lambda_runtime
from lambda_runtime.container import command_keys, logger
from lambda_runtime.websocket import wiring
from lambda_runtime.websocket.execution import Result, first_result
from lambda_runtime.websocket.protocol import Operation
from lambda_runtime.websocket.push import Outlet, PushResult, deliver, lease_duration_ms
from pipeline.records import CommandRecord
from schema.context import AppContext, Caller


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    lease_ms = lease_duration_ms(context)
    outlet = Outlet(wiring.connections(), wiring.gateway())
    for raw in event.get("Records", []):
        record = status_change(raw)
        if record is None:
            continue
        sequence = raw["dynamodb"]["SequenceNumber"]
        with command_keys(record.id):
            try:
                outcomes = notify(outlet, record, lease_ms)
            except Exception:
                logger.exception("could not notify a status change; the stream will retry it")
                return _failed(sequence)
            logger.info(
                "notified",
                extra={"status": record.status.value, "outcomes": [o.value for o in outcomes]},
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


def notify(outlet: Outlet, record: CommandRecord, lease_ms: int) -> list[PushResult]:
    render = Renderer(record)
    return [
        deliver(outlet, subscription, record, render, lease_ms)
        for subscription in outlet.store.subscribed_to(record.id)
    ]


class Renderer:
    """Each subscriber's `next`, from its own document run over the record at hand, as its
    caller: the resolver shows the command only to its submitter or an admin. Subscribers with
    the same document and caller share one run."""

    def __init__(self, record: CommandRecord) -> None:
        self.backend = replace(lambda_runtime.backend(), commands=OneRecord(record))
        self.done: dict[tuple[Any, ...], Result] = {}

    def __call__(self, subscription: Subscription, record: CommandRecord) -> Result:
        variables = sorted((subscription.variables or {}).items())
        key = (subscription.query, repr(variables), subscription.operation_name)
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
            self.done[key] = first_result(wiring.schema(), operation, context)
        return self.done[key]


class OneRecord:
    """A command log that knows one command, as the change left it."""

    def __init__(self, record: CommandRecord) -> None:
        self.known = record

    def get(self, command_id: str) -> CommandRecord | None:
        return self.known if command_id == self.known.id else None


def _failed(sequence: str) -> dict[str, Any]:
    return {"batchItemFailures": [{"itemIdentifier": sequence}]}
