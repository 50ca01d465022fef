"""Reading many items by key: BatchGetItem in chunks of 100, retrying what DynamoDB leaves
unprocessed (it does so when throttled)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

from infra.dynamodb.attributes import Item

BATCH_GET_MAX = 100  # DynamoDB's limit of keys per BatchGetItem
UNPROCESSED_RETRIES = 8


def batch_get(
    client: Any, table: str, keys: Sequence[Item], *, consistent: bool = False
) -> Iterator[Item]:
    """The items found for `keys`, in no particular order."""
    for start in range(0, len(keys), BATCH_GET_MAX):
        yield from _one_batch(client, table, list(keys[start : start + BATCH_GET_MAX]), consistent)


def _one_batch(client: Any, table: str, keys: list[Item], consistent: bool) -> list[Item]:
    items: list[Item] = []
    request: dict[str, Any] = {table: {"Keys": keys, "ConsistentRead": consistent}}
    for attempt in range(UNPROCESSED_RETRIES):
        response = client.batch_get_item(RequestItems=request)
        items.extend(response["Responses"].get(table, []))
        request = response.get("UnprocessedKeys") or {}
        if not request:
            return items
        time.sleep(min(0.05 * 2**attempt, 2.0))  # throttled: back off before the rest
    raise RuntimeError(f"BatchGetItem left {len(request[table]['Keys'])} keys of {table} unread")
