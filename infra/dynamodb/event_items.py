"""How an event is stored in the `events` table, and read back (from a query or a stream image).

Besides events, the table holds two kinds of bookkeeping items at version 0, written in the same
transactions: uniqueness guards (`unique#<kind>#<value>`, owned by a stream) and reference
counts (`refs#<stream>`). Only events carry `time_shard`, so only they are in the time index.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime

from domain.codec import compact_json, iso_datetime
from infra.dynamodb.attributes import Item, b, get_n, get_s, n, s
from pipeline.records import RecordedEvent

TIME_INDEX = "by_time"
# Events spread over this many index partitions, so the index takes writes at this many times
# one partition's rate; a replay queries each shard.
TIME_SHARDS = 4


def time_shard(stream: str) -> str:
    return str(zlib.crc32(stream.encode()) % TIME_SHARDS)


def event_item(record: RecordedEvent) -> Item:
    return {
        "stream": s(record.stream),
        "version": n(record.version),
        "type": s(record.type),
        "schema_version": n(record.schema_version),
        "data": s(compact_json(record.data)),
        "occurred_at": s(iso_datetime(record.occurred_at)),
        "command_id": s(record.command_id),
        "actor": s(record.actor),
        "idx": n(record.index),
        "last": b(record.last),
        "time_shard": s(time_shard(record.stream)),
    }


def is_event(item: Item) -> bool:
    return "type" in item and "time_shard" in item


def record_of(item: Item) -> RecordedEvent:
    return RecordedEvent(
        stream=item["stream"]["S"],
        version=int(item["version"]["N"]),
        type=item["type"]["S"],
        schema_version=get_n(item, "schema_version") or 1,
        data=json.loads(item["data"]["S"]),
        occurred_at=datetime.fromisoformat(item["occurred_at"]["S"]),
        command_id=item["command_id"]["S"],
        actor=get_s(item, "actor") or "",
        index=get_n(item, "idx") or 0,
        last=bool(item.get("last", {"BOOL": True})["BOOL"]),
    )


def guard_key(kind: str, value: str) -> Item:
    return {"stream": s(f"unique#{kind}#{value}"), "version": n(0)}


def refs_key(target: str) -> Item:
    return {"stream": s(f"refs#{target}"), "version": n(0)}


TREE_KEY: Item = {"stream": s("tree#groups"), "version": n(0)}  # the group tree's one item
