"""Sending one status to one subscription, by the websocket function (on subscribe) and by the
notifier (on each change), through the connections table's lease (infra/dynamodb/connections.py):

    claim the lease for the status's rank -> post `next` -> record the rank and let go
    a terminal status:                      post `next` -> forget the subscription -> `complete`

So a client sees statuses one sender at a time and never a lower rank after a higher one; a
sender that dies between post and record leaves a lease that runs out, and the status comes
again (a repeat, never a step back). The subscription is forgotten before `complete` is posted,
so nothing can follow it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from strawberry.types import ExecutionResult

from handlers.websocket.execution import Result, errors_of, next_payload
from handlers.websocket.protocol import complete_message, error_message, next_message
from infra.aws.management import ManagementApi
from infra.dynamodb.connections import Claim, DynamoConnections, Lease, Subscription
from pipeline.records import CommandRecord


class Outcome(Enum):
    SENT = "sent"
    SKIPPED = "skipped"  # nothing new for this subscription, or it is gone
    BUSY = "busy"  # another sender holds its lease: try again later
    GONE = "gone"  # the client's connection is gone; it is forgotten


@dataclass(frozen=True)
class Outlet:
    store: DynamoConnections
    gateway: ManagementApi

    def post(self, endpoint: str, connection_id: str, message: dict[str, Any]) -> bool:
        """Post to a connection; one that vanished (410) is forgotten, with its subscriptions."""
        alive = self.gateway.post(endpoint, connection_id, message)
        if not alive:
            self.store.drop(connection_id)
        return alive

    def post_to(self, subscription: Subscription, message: dict[str, Any]) -> bool:
        return self.post(subscription.endpoint, subscription.connection_id, message)


Render = Callable[[Subscription, CommandRecord], Result]


def deliver(
    outlet: Outlet,
    subscription: Subscription,
    record: CommandRecord,
    render: Render,
    lease_ms: int,
) -> Outcome:
    """The notifier's part: `record` is a status change of the subscription's command."""
    rank = record.status.rank
    if rank <= subscription.sent:  # as the index last saw it; the claim has the final word
        return Outcome.SKIPPED
    result = render(subscription, record)
    lease = Lease.for_ms(lease_ms)
    claim = outlet.store.claim(subscription, rank, lease)
    if claim is Claim.BUSY:
        return Outcome.BUSY
    if claim is Claim.DONE:
        return Outcome.SKIPPED
    return send(outlet, subscription, result, record, lease)


def send(
    outlet: Outlet,
    subscription: Subscription,
    result: Result,
    record: CommandRecord | None,
    lease: Lease,
) -> Outcome:
    """Post what `result` says while holding `lease`, then record it or end the subscription.
    No result (the caller may not see the command, or it does not exist): just `complete`."""
    if not isinstance(result, ExecutionResult) or record is None:
        return _end(outlet, subscription, result)
    try:
        alive = outlet.post_to(subscription, next_message(subscription.id, next_payload(result)))
    except Exception:
        outlet.store.release(subscription, lease)
        raise
    if not alive:
        return Outcome.GONE
    if record.status.terminal:
        return _end(outlet, subscription, None)
    outlet.store.sent(subscription, record.status.rank, lease)
    return Outcome.SENT


def _end(outlet: Outlet, subscription: Subscription, result: Result) -> Outcome:
    """Forget the subscription, then tell the client: `error` for a refused document, else
    `complete`."""
    outlet.store.end(subscription.connection_id, subscription.id)
    if result is None or isinstance(result, ExecutionResult):
        message = complete_message(subscription.id)
    else:
        message = error_message(subscription.id, errors_of(result))
    return Outcome.SENT if outlet.post_to(subscription, message) else Outcome.GONE
