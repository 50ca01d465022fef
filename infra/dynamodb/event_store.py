"""The event store on the `events` table: PK stream, SK version.

Appends are one transaction (see append.py). A stream loads with one strongly consistent Query
(paged past 1 MB). `histories_since` reads the sparse time index in pages, then fetches whole
histories with BatchGetItem, 100 events a request: a replay costs about one request per stream
for its reads, never one Query per stream.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from domain.codec import compact_json, iso_datetime
from domain.model import Effects
from infra.dynamodb.append import Step, refusal, steps
from infra.dynamodb.attributes import TRANSACTION_CANCELED, error_code, n, s
from infra.dynamodb.batch_get import batch_get
from infra.dynamodb.event_items import TIME_INDEX, TIME_SHARDS, TREE_KEY, record_of
from pipeline.ports import GroupTree, KeyTaken
from pipeline.records import RecordedEvent

STREAMS_PER_FETCH = 200  # histories held in memory at once while replaying


class DynamoEventStore:
    def __init__(self, client: Any, table: str) -> None:
        self.client = client
        self.table = table

    def load(self, stream: str) -> list[RecordedEvent]:
        records: list[RecordedEvent] = []
        request: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "#stream = :stream",
            "ExpressionAttributeNames": {"#stream": "stream"},
            "ExpressionAttributeValues": {":stream": s(stream)},
            "ConsistentRead": True,
        }
        while True:
            page = self.client.query(**request)
            records.extend(record_of(item) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                return records
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def group_tree(self) -> GroupTree:
        item = self.client.get_item(TableName=self.table, Key=TREE_KEY, ConsistentRead=True).get(
            "Item"
        )
        if item is None:
            return GroupTree()
        return GroupTree(int(item["tree_version"]["N"]), json.loads(item["parents"]["S"]))

    def append(
        self,
        stream: str,
        expected_version: int,
        events: Sequence[RecordedEvent],
        effects: Effects,
    ) -> None:
        self._write(steps(self.table, stream, events, effects))

    def append_with_key(
        self,
        stream: str,
        expected_version: int,
        events: Sequence[RecordedEvent],
        effects: Effects,
        new_key: object,
    ) -> None:
        """The key's Put after the events' (a lost version race still comes first)."""
        plan = steps(self.table, stream, events, effects)
        assert isinstance(new_key, dict)
        key_step = Step(new_key, lambda _: KeyTaken(f"{stream} has a key"))
        self._write([*plan[: len(events)], key_step, *plan[len(events) :]])

    def _write(self, plan: list[Step]) -> None:
        try:
            self.client.transact_write_items(TransactItems=[step.operation for step in plan])
        except Exception as exc:
            if error_code(exc) != TRANSACTION_CANCELED:
                raise
            raise refusal(exc, plan) from exc

    def redact(self, stream: str, version: int, data: dict[str, Any]) -> None:
        """One UpdateItem: a MODIFY on the table's stream, which the mediator's filter drops."""
        self.client.update_item(
            TableName=self.table,
            Key={"stream": s(stream), "version": n(version)},
            UpdateExpression="SET #data = :data",
            ConditionExpression="attribute_exists(#data)",
            ExpressionAttributeNames={"#data": "data"},
            ExpressionAttributeValues={":data": s(compact_json(data))},
        )

    def histories_since(
        self, timestamp: datetime, after: str = ""
    ) -> Iterator[list[RecordedEvent]]:
        heads = self._heads_since(iso_datetime(timestamp))
        streams = sorted(stream for stream in heads if stream > after)
        for start in range(0, len(streams), STREAMS_PER_FETCH):
            chunk = {stream: heads[stream] for stream in streams[start : start + STREAMS_PER_FETCH]}
            histories = self._fetch(chunk)
            for stream in chunk:
                yield histories[stream]

    def _heads_since(self, since: str) -> dict[str, int]:
        """Every stream with an event at or after `since`, with the highest version seen."""
        heads: dict[str, int] = {}
        for shard in range(TIME_SHARDS):
            request: dict[str, Any] = {
                "TableName": self.table,
                "IndexName": TIME_INDEX,
                "KeyConditionExpression": "#shard = :shard AND #at >= :since",
                "ExpressionAttributeNames": {"#shard": "time_shard", "#at": "occurred_at"},
                "ExpressionAttributeValues": {":shard": s(str(shard)), ":since": s(since)},
            }
            while True:
                page = self.client.query(**request)
                for item in page["Items"]:
                    stream, version = item["stream"]["S"], int(item["version"]["N"])
                    heads[stream] = max(version, heads.get(stream, 0))
                if "LastEvaluatedKey" not in page:
                    break
                request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return heads

    def _fetch(self, heads: dict[str, int]) -> dict[str, list[RecordedEvent]]:
        """Versions 1..head of each stream, plus head+1: the index is eventually consistent and
        clocks may disagree, so a stream may have moved on; such a stream is loaded whole."""
        keys = [
            {"stream": s(stream), "version": n(version)}
            for stream, head in heads.items()
            for version in range(1, head + 2)
        ]
        found: dict[str, list[RecordedEvent]] = {stream: [] for stream in heads}
        for item in batch_get(self.client, self.table, keys, consistent=True):
            record = record_of(item)
            found[record.stream].append(record)
        for stream, records in found.items():
            records.sort(key=lambda r: r.version)
            if len(records) != heads[stream]:
                found[stream] = self.load(stream)
        return found
