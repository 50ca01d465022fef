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

from strawberry.types.execution import PreExecutionError

from infra.aws.management import ManagementApi
from infra.dynamodb.connections import DynamoConnections, Lease, LeaseClaim, Subscription
from lambda_runtime.websocket.execution import Result, errors_of, next_payload
from lambda_runtime.websocket.protocol import complete_message, error_message, next_message
from pipeline.records import CommandRecord


class PushResult(Enum):
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

# A lease taken during an invocation outlasts it, so that it runs out only once its holder can
# no longer post.
LEASE_MARGIN_MS = 1000


def lease_duration_ms(context: Any) -> int:
    """How long a lease taken in this Lambda invocation lasts."""
    return int(context.get_remaining_time_in_millis()) + LEASE_MARGIN_MS


def deliver(
    outlet: Outlet,
    subscription: Subscription,
    record: CommandRecord,
    render: Render,
    lease_ms: int,
) -> PushResult:
    """The notifier's part: `record` is a status change of the subscription's command (the
    claim decides whether it is new to the subscription)."""
    rank = record.status.rank
    result = render(subscription, record)
    lease = Lease.for_ms(lease_ms)
    claim = outlet.store.claim(subscription, rank, lease)
    if claim is LeaseClaim.BUSY:
        return PushResult.BUSY
    if claim is LeaseClaim.DONE:
        return PushResult.SKIPPED
    return send(outlet, subscription, result, record, lease)


def send(
    outlet: Outlet,
    subscription: Subscription,
    result: Result,
    record: CommandRecord | None,
    lease: Lease,
) -> PushResult:
    """Post what `result` says while holding `lease`, then record it or end the subscription.
    `record` is the command as read (None when missing, or when the read failed: the result then
    carries the error); `result` is what the resolver made of it for this subscriber: None when
    its stream ended without showing anything (a missing command, another user's). That ends
    the subscription at once with a bare `complete`, as on the local server, whatever the
    command's status: kept, it would end only when the command does, telling the subscriber
    that the command exists and when it finished."""
    if isinstance(result, PreExecutionError):
        return _end(outlet, subscription, error_message(subscription.id, errors_of(result)))
    if result is not None:
        try:
            alive = outlet.post_to(
                subscription, next_message(subscription.id, next_payload(result))
            )
        except Exception:
            outlet.store.release(subscription, lease)
            raise
        if not alive:
            return PushResult.GONE
    if result is None or record is None or record.status.terminal:
        return _end(outlet, subscription, complete_message(subscription.id))
    outlet.store.sent(subscription, record.status.rank, lease)
    return PushResult.SENT


def _end(outlet: Outlet, subscription: Subscription, last: dict[str, Any]) -> PushResult:
    """Forget the subscription, then post its last message (`complete`, or `error`), so that
    nothing can follow it. Only a sender that dies (or a Management API that keeps refusing,
    after botocore's retries) between the two leaves the client without its `complete`; it
    already has the terminal status."""
    outlet.store.end(subscription.connection_id, subscription.id, subscription.command_id)
    return PushResult.SENT if outlet.post_to(subscription, last) else PushResult.GONE
