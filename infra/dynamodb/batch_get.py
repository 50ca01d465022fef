"""Reading many items by key: BatchGetItem in chunks of 100, retrying what DynamoDB leaves
unprocessed (it does so when throttled). One request may span tables (`batch_get_tables`)."""

from __future__ import annotations

import json
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


def batch_get_tables(client: Any, keys: Sequence[tuple[str, Item]]) -> dict[str, list[Item]]:
    """The items found for (table, key) pairs, by table: 100 keys a request whatever their
    tables (a key asked twice is read once: DynamoDB refuses duplicates)."""
    unique = list({(table, json.dumps(key, sort_keys=True)): (table, key) for table, key in keys})
    pairs = [(table, json.loads(key)) for table, key in unique]
    found: dict[str, list[Item]] = {}
    for start in range(0, len(pairs), BATCH_GET_MAX):
        request: dict[str, Any] = {}
        for table, key in pairs[start : start + BATCH_GET_MAX]:
            request.setdefault(table, {"Keys": [], "ConsistentRead": False})["Keys"].append(key)
        for table, items in _request(client, request).items():
            found.setdefault(table, []).extend(items)
    return found


def _one_batch(client: Any, table: str, keys: list[Item], consistent: bool) -> list[Item]:
    request = {table: {"Keys": keys, "ConsistentRead": consistent}}
    return _request(client, request).get(table, [])


def _request(client: Any, request: dict[str, Any]) -> dict[str, list[Item]]:
    items: dict[str, list[Item]] = {}
    for attempt in range(UNPROCESSED_RETRIES):
        response = client.batch_get_item(RequestItems=request)
        for table, found in response["Responses"].items():
            items.setdefault(table, []).extend(found)
        request = response.get("UnprocessedKeys") or {}
        if not request:
            return items
        time.sleep(min(0.05 * 2**attempt, 2.0))  # throttled: back off before the rest
    left = sum(len(r["Keys"]) for r in request.values())
    raise RuntimeError(f"BatchGetItem left {left} keys of {', '.join(sorted(request))} unread")
