"""The persons' data keys on the keys table (PK `owner`, their stream), each wrapped by the
stack's KMS key: a key is made by KMS GenerateDataKey and stored only as its ciphertext, with the
owner as encryption context (a wrapped key copied to another owner does not unwrap).

Unwrapped keys are kept in the function's memory (per Lambda container, bounded): an erasure
deletes the item, and a reader never opens an erased stream with a remembered key (the stream's
UserErased decides, pipeline/sealing.py), so remembering is safe. Deleting is one DeleteItem.
"""

from __future__ import annotations

import time
from typing import Any

from infra.dynamodb.attributes import CONDITION_FAILED, error_code, s
from infra.dynamodb.batch_get import UNPROCESSED_RETRIES

CACHE_MAX = 10_000  # unwrapped keys remembered at once; beyond, the memory starts again


class DynamoKeys:
    def __init__(self, dynamodb: Any, kms: Any, table: str, kms_key: str) -> None:
        self.dynamodb = dynamodb
        self.kms = kms
        self.table = table
        self.kms_key = kms_key
        self._known: dict[str, bytes] = {}
        # Off: each call meets the key for the first time, as each function's container does
        # (the command, executor and API functions keep apart memories).
        self.remember = True

    def get(self, owner: str) -> bytes | None:
        key = self._known.get(owner)
        if key is not None:
            return key
        item = self.dynamodb.get_item(
            TableName=self.table, Key={"owner": s(owner)}, ConsistentRead=True
        ).get("Item")
        return None if item is None else self._unwrapped(owner, item)

    def get_or_create(self, owner: str) -> bytes:
        key = self._known.get(owner)
        if key is not None:
            return key
        made = self.kms.generate_data_key(
            KeyId=self.kms_key, KeySpec="AES_256", EncryptionContext={"owner": owner}
        )
        try:
            self.dynamodb.put_item(
                TableName=self.table,
                Item={"owner": s(owner), "wrapped": {"B": made["CiphertextBlob"]}},
                ConditionExpression="attribute_not_exists(#o)",
                ExpressionAttributeNames={"#o": "owner"},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except Exception as exc:
            if error_code(exc) != CONDITION_FAILED:
                raise
            stored = getattr(exc, "response", {}).get("Item")
            if stored:  # made by an earlier delivery: that one holds
                return self._unwrapped(owner, stored)
            again = self.get(owner)
            assert again is not None
            return again
        return self._remember(owner, bytes(made["Plaintext"]))

    def prepare(self, owner: str) -> tuple[bytes, dict[str, Any]]:
        """A new key and the Put that stores it, for the append's own transaction (not
        remembered: the transaction may be refused, and an earlier key then holds)."""
        made = self.kms.generate_data_key(
            KeyId=self.kms_key, KeySpec="AES_256", EncryptionContext={"owner": owner}
        )
        put = {
            "Put": {
                "TableName": self.table,
                "Item": {"owner": s(owner), "wrapped": {"B": made["CiphertextBlob"]}},
                "ConditionExpression": "attribute_not_exists(#o)",
                "ExpressionAttributeNames": {"#o": "owner"},
            }
        }
        return bytes(made["Plaintext"]), put

    def get_with_row(
        self, table: str, row_key: dict[str, Any], owner: str
    ) -> tuple[dict[str, Any] | None, bytes | None]:
        """A view row's item and the owner's key in one BatchGetItem (both strongly
        consistent): what the executor reads for a sealed event, in one request, not two."""
        known = self._known.get(owner)
        request: dict[str, Any] = {table: {"Keys": [row_key], "ConsistentRead": True}}
        if known is None:
            request[self.table] = {"Keys": [{"owner": s(owner)}], "ConsistentRead": True}
        found: dict[str, list[dict[str, Any]]] = {}
        for attempt in range(UNPROCESSED_RETRIES):
            response = self.dynamodb.batch_get_item(RequestItems=request)
            for name, items in response["Responses"].items():
                found.setdefault(name, []).extend(items)
            request = response.get("UnprocessedKeys") or {}
            if not request:
                break
            time.sleep(min(0.05 * 2**attempt, 2.0))  # throttled: back off before the rest
        else:
            raise RuntimeError("BatchGetItem left a view row or a key unread")
        rows, keys = found.get(table, []), found.get(self.table, [])
        key = known if known is not None else (self._unwrapped(owner, keys[0]) if keys else None)
        return (rows[0] if rows else None), key

    def delete(self, owner: str) -> None:
        self._known.pop(owner, None)
        self.dynamodb.delete_item(TableName=self.table, Key={"owner": s(owner)})

    def _unwrapped(self, owner: str, item: dict[str, Any]) -> bytes:
        plain = self.kms.decrypt(
            CiphertextBlob=item["wrapped"]["B"],
            KeyId=self.kms_key,
            EncryptionContext={"owner": owner},
        )["Plaintext"]
        return self._remember(owner, bytes(plain))

    def _remember(self, owner: str, key: bytes) -> bytes:
        if not self.remember:
            return key
        if len(self._known) >= CACHE_MAX:
            self._known.clear()
        self._known[owner] = key
        return key
