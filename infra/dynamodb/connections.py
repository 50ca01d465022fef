"""WebSocket connections and their commandStatus subscriptions, on the `connections` table.

PK `connection_id`, SK `key`: one item per initialised connection (key "connection": the
caller, the API's callback URL) and one per subscription (key "subscription#<id>": the command
it follows, its document, the rank of the last status sent, the lease). Each subscription also
has a listing under its command's partition (PK "command#<command id>", SK "<connection
id>#<id>": what the notifier needs to render and send, but not the rank or the lease), so a
command's subscribers are one strongly consistent Query (ConsistentRead) away: a global index
would be eventually consistent, and miss a subscription registered just before a change (the
common case: front ends subscribe right after the mutation). The two items are written and
deleted together (TransactWriteItems); a client's `complete`, which does not name the command,
deletes the subscription first (its old image names the command), then the listing. A listing
whose subscription is gone (TTL removes the two at slightly different times, or a function died
between those two deletes) is harmless: its claim finds no subscription. Everything expires with
the connection (TTL `expires_at`, the same on a subscription and its listing): API Gateway
closes a socket after two hours at most, and $disconnect is best-effort.

Two writers may send to one subscription: the websocket function (the status at subscribe time)
and the notifier (each change). A sender first takes the subscription's lease with a conditional
update (the rank must be new, and nobody else sending), posts, then records the rank and lets
go. So statuses reach a client one sender at a time, in rank order, at least once: a sender
that dies between posting and recording leaves a lease that runs out, and the status is sent
again; nothing is sent after the subscription is gone.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Any

from infra.dynamodb.attributes import (
    CONDITION_FAILED,
    TRANSACTION_CANCELED,
    Item,
    b,
    error_code,
    get_n,
    get_s,
    n,
    s,
)

CONNECTION_KEY = "connection"
SUBSCRIPTION_PREFIX = "subscription#"
COMMAND_PREFIX = "command#"  # the partition listing a command's subscriptions
# API Gateway closes a WebSocket after 2 hours; items outlive that a little, then expire.
TTL_S = 2 * 3600 + 600
NOTHING_SENT = -1
_NAMES = {"#sent": "sent", "#lease": "lease", "#until": "lease_until"}
_HELD = "#lease = :token"


@dataclass(frozen=True)
class Connection:
    id: str
    endpoint: str  # the API's callback URL, https://{domain}/{stage}
    subject: str
    admin: bool


@dataclass(frozen=True)
class Subscription:
    connection_id: str
    id: str  # the client's operation id
    command_id: str
    endpoint: str
    subject: str
    admin: bool
    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None


@dataclass(frozen=True)
class Lease:
    """The right to send to one subscription until `until_ms` (epoch milliseconds)."""

    token: str
    until_ms: int

    @classmethod
    def for_ms(cls, duration_ms: int) -> Lease:
        return cls(uuid.uuid4().hex, now_ms() + duration_ms)


class LeaseClaim(Enum):
    TAKEN = "taken"  # send it
    DONE = "done"  # nothing to send: already sent, or the subscription is gone
    BUSY = "busy"  # another sender holds the lease: try again later


def now_ms() -> int:
    return int(time.time() * 1000)


class DynamoConnections:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    # connections --------------------------------------------------------------------------

    def open(self, connection: Connection) -> bool:
        """Record an initialised connection; False when it was initialised before."""
        item: Item = {
            **_key(connection.id, CONNECTION_KEY),
            "endpoint": s(connection.endpoint),
            "subject": s(connection.subject),
            "admin": b(connection.admin),
            "expires_at": n(_expiry()),
        }
        return self._put_new(item)

    def get(self, connection_id: str) -> Connection | None:
        item = self.client.get_item(
            TableName=self.table, Key=_key(connection_id, CONNECTION_KEY), ConsistentRead=True
        ).get("Item")
        if item is None:
            return None
        return Connection(
            id=connection_id,
            endpoint=item["endpoint"]["S"],
            subject=item["subject"]["S"],
            admin=bool(item["admin"]["BOOL"]),
        )

    def drop(self, connection_id: str) -> None:
        """Forget the connection and every subscription on it (one Query; a DeleteItem for the
        connection, a transaction deleting a subscription and its listing for each)."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "connection_id = :c",
            "ExpressionAttributeValues": {":c": s(connection_id)},
            "ProjectionExpression": "connection_id, #key, command_id",
            "ExpressionAttributeNames": {"#key": "key"},
            "ConsistentRead": True,
        }
        for item in self._pages(request):
            key = item["key"]["S"]
            command_id = get_s(item, "command_id")
            if key.startswith(SUBSCRIPTION_PREFIX) and command_id is not None:
                operation_id = key.removeprefix(SUBSCRIPTION_PREFIX)
                self._delete_both(connection_id, operation_id, command_id)
            else:
                self.client.delete_item(TableName=self.table, Key=_key(connection_id, key))

    # subscriptions ------------------------------------------------------------------------

    def register(self, subscription: Subscription, lease: Lease) -> bool:
        """Record a new subscription and its listing under the command, in one transaction, its
        lease held by the caller (who sends the first status); False when the connection
        already has a subscription with that id."""
        common: Item = {
            "command_id": s(subscription.command_id),
            "endpoint": s(subscription.endpoint),
            "subject": s(subscription.subject),
            "admin": b(subscription.admin),
            "query": s(subscription.query),
            "expires_at": n(_expiry()),
        }
        if subscription.variables is not None:
            common["variables"] = s(json.dumps(subscription.variables))
        if subscription.operation_name is not None:
            common["operation_name"] = s(subscription.operation_name)
        item: Item = {
            **_subscription_key(subscription),
            **common,
            "sent": n(NOTHING_SENT),
            "lease": s(lease.token),
            "lease_until": n(lease.until_ms),
        }
        listing: Item = {
            **_listing_key(subscription.command_id, subscription.connection_id, subscription.id),
            **common,
            "subscriber": s(subscription.connection_id),
            "operation_id": s(subscription.id),
        }
        try:
            self.client.transact_write_items(
                TransactItems=[
                    # A listing left behind (see the module's docstring) is overwritten.
                    {
                        "Put": {
                            "TableName": self.table,
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(connection_id)",
                        }
                    },
                    {"Put": {"TableName": self.table, "Item": listing}},
                ]
            )
        except Exception as exc:
            if error_code(exc) != TRANSACTION_CANCELED:
                raise
            reasons = getattr(exc, "response", {}).get("CancellationReasons") or []
            if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
                return False
            raise
        return True

    def subscribed_to(self, command_id: str) -> Iterator[Subscription]:
        """The command's subscribers, from its listings, read strongly consistent: a
        subscription registered before the change that is being sent is among them."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "connection_id = :id",
            "ExpressionAttributeValues": {":id": s(COMMAND_PREFIX + command_id)},
            "ConsistentRead": True,
        }
        for item in self._pages(request):
            yield subscription_of(item)

    def claim(self, subscription: Subscription, rank: int, lease: Lease) -> LeaseClaim:
        """Take the lease to send a status of `rank`, if it is new to this subscription."""
        try:
            self.client.update_item(
                TableName=self.table,
                Key=_subscription_key(subscription),
                UpdateExpression="SET #lease = :token, #until = :until",
                ConditionExpression="attribute_exists(connection_id) AND #sent < :rank "
                "AND (attribute_not_exists(#until) OR #until < :now)",
                ExpressionAttributeNames=_NAMES,
                ExpressionAttributeValues={
                    ":token": s(lease.token),
                    ":until": n(lease.until_ms),
                    ":rank": n(rank),
                    ":now": n(now_ms()),
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except Exception as exc:
            if error_code(exc) != CONDITION_FAILED:
                raise
            old = getattr(exc, "response", {}).get("Item")
            if not old or _sent(old) >= rank:
                return LeaseClaim.DONE
            return LeaseClaim.BUSY
        return LeaseClaim.TAKEN

    def sent(self, subscription: Subscription, rank: int, lease: Lease) -> None:
        """Record that the status of `rank` was sent, and let go of the lease."""
        self._update_held(subscription, lease, "SET #sent = :rank REMOVE #lease, #until", rank)

    def release(self, subscription: Subscription, lease: Lease) -> None:
        """Let go of the lease without recording anything (the post failed)."""
        self._update_held(subscription, lease, "REMOVE #lease, #until")

    def end(self, connection_id: str, operation_id: str, command_id: str | None = None) -> None:
        """Forget a subscription and its listing (completed, or stopped by the client): one
        transaction when the command is known, else two DeleteItems (the first one's old image
        names the command)."""
        if command_id is not None:
            self._delete_both(connection_id, operation_id, command_id)
            return
        old = self.client.delete_item(
            TableName=self.table,
            Key=_key(connection_id, SUBSCRIPTION_PREFIX + operation_id),
            ReturnValues="ALL_OLD",
        ).get("Attributes")
        command_id = get_s(old, "command_id") if old else None
        if command_id is not None:
            self.client.delete_item(
                TableName=self.table, Key=_listing_key(command_id, connection_id, operation_id)
            )

    # -------------------------------------------------------------------------------------

    def _update_held(
        self, subscription: Subscription, lease: Lease, update: str, rank: int | None = None
    ) -> None:
        values: Item = {":token": s(lease.token)}
        if rank is not None:
            values[":rank"] = n(rank)
        try:
            self.client.update_item(
                TableName=self.table,
                Key=_subscription_key(subscription),
                UpdateExpression=update,
                ConditionExpression=_HELD,
                ExpressionAttributeNames={k: v for k, v in _NAMES.items() if k in update + _HELD},
                ExpressionAttributeValues=values,
            )
        except Exception as exc:
            # Gone meanwhile (completed, disconnected), or our lease ran out and was taken over:
            # either way it is no longer ours to record.
            if error_code(exc) != CONDITION_FAILED:
                raise

    def _delete_both(self, connection_id: str, operation_id: str, command_id: str) -> None:
        keys = [
            _key(connection_id, SUBSCRIPTION_PREFIX + operation_id),
            _listing_key(command_id, connection_id, operation_id),
        ]
        self.client.transact_write_items(
            TransactItems=[{"Delete": {"TableName": self.table, "Key": key}} for key in keys]
        )

    def _put_new(self, item: Item) -> bool:
        try:
            self.client.put_item(
                TableName=self.table,
                Item=item,
                ConditionExpression="attribute_not_exists(connection_id)",
            )
        except Exception as exc:
            if error_code(exc) == CONDITION_FAILED:
                return False
            raise
        return True

    def _pages(self, request: dict[str, Any]) -> Iterator[Item]:
        while True:
            page = self.client.query(**request)
            yield from page.get("Items", [])
            last = page.get("LastEvaluatedKey")
            if not last:
                return
            request = {**request, "ExclusiveStartKey": last}


def subscription_of(item: Item) -> Subscription:
    """A subscription, from its listing under the command."""
    variables = get_s(item, "variables")
    return Subscription(
        connection_id=item["subscriber"]["S"],
        id=item["operation_id"]["S"],
        command_id=item["command_id"]["S"],
        endpoint=item["endpoint"]["S"],
        subject=item["subject"]["S"],
        admin=bool(item["admin"]["BOOL"]),
        query=item["query"]["S"],
        variables=json.loads(variables) if variables is not None else None,
        operation_name=get_s(item, "operation_name"),
    )


def _sent(item: Item) -> int:
    sent = get_n(item, "sent")
    return NOTHING_SENT if sent is None else sent


def _key(connection_id: str, key: str) -> Item:
    return {"connection_id": s(connection_id), "key": s(key)}


def _listing_key(command_id: str, connection_id: str, operation_id: str) -> Item:
    return _key(COMMAND_PREFIX + command_id, f"{connection_id}#{operation_id}")


def _subscription_key(subscription: Subscription) -> Item:
    return _key(subscription.connection_id, SUBSCRIPTION_PREFIX + subscription.id)


def _expiry() -> int:
    return int(time.time()) + TTL_S
