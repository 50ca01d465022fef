"""Lambda's DynamoDB stream event source mapping: read the events table's stream with the
dynamodbstreams client, filter and batch records as declared, hand them to the function, and
move the checkpoint past what succeeded; a failed record is retried (boundedly) from where it
failed."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from devtools.lambda_emulator.lambda_context import LambdaContext, LambdaHandler
from infra.aws.resources import TemplateError

log = logging.getLogger("usermgmt.pollers")
_MISSING = object()


class Checkpoint:
    """The last sequence number handled in each shard; in a file when several processes (or
    restarts) must share it. Losing it only means records are forwarded again, which the
    execution queue and the executor make harmless."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._positions: dict[str, str] = {}
        if path is not None and path.exists():
            self._positions = json.loads(path.read_text())

    def get(self, shard: str) -> str | None:
        return self._positions.get(shard)

    def set(self, shard: str, sequence: str) -> None:
        self._positions[shard] = sequence
        if self.path is not None:
            temporary = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            temporary.write_text(json.dumps(self._positions))
            temporary.replace(self.path)


class StreamPoller:
    def __init__(
        self,
        streams: Any,
        stream_arn: str,
        handler: LambdaHandler,
        function: str,
        *,
        batch_size: int = 100,
        filters: Iterable[dict[str, Any]] = (),
        max_retries: int = 10,
        bisect: bool = True,
        checkpoint: Checkpoint | None = None,
        on_failure: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.streams = streams
        self.stream_arn = stream_arn
        self.handler = handler
        self.function = function
        self.batch_size = batch_size
        self.filters = list(filters)
        self.max_retries = max_retries
        self.bisect = bisect
        self.checkpoint = checkpoint or Checkpoint()
        self.on_failure = on_failure or (lambda info: log.error("gave up on records: %s", info))
        self._limit = batch_size
        self._retries = 0
        self._finished: set[str] = set()

    def poll(self) -> int:
        return sum(self._poll_shard(shard) for shard in self._ready_shards())

    def _ready_shards(self) -> list[str]:
        """Open shards whose parent (if still listed) is read to its end: a stream's order
        holds across shard splits only if parents go first."""
        shards: list[dict[str, Any]] = []
        request: dict[str, Any] = {"StreamArn": self.stream_arn}
        while True:
            description = self.streams.describe_stream(**request)["StreamDescription"]
            shards.extend(description.get("Shards", []))
            last = description.get("LastEvaluatedShardId")
            if not last:
                break
            request["ExclusiveStartShardId"] = last
        listed = {s["ShardId"] for s in shards}
        return [
            s["ShardId"]
            for s in shards
            if s["ShardId"] not in self._finished
            and (s.get("ParentShardId") not in listed or s["ParentShardId"] in self._finished)
        ]

    def _poll_shard(self, shard: str) -> int:
        position = self.checkpoint.get(shard)
        request: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard}
        if position is None:
            request["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            request.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=position)
        # A fresh iterator each poll, from the checkpoint: iterators expire, and the checkpoint
        # is the only position that counts.
        iterator = self.streams.get_shard_iterator(**request)["ShardIterator"]
        out = self.streams.get_records(ShardIterator=iterator, Limit=self._limit)
        records = [self._record(r) for r in out.get("Records", [])]
        if not records:
            if not out.get("NextShardIterator"):
                self._finished.add(shard)
            return 0
        wanted = [
            r for r in records if not self.filters or any(matches(f, r) for f in self.filters)
        ]
        failed_at = self._invoke(wanted) if wanted else None
        if failed_at is None:
            self._succeeded(shard, records)
        else:
            self._failed(shard, records, failed_at)
        return len(records)

    def _invoke(self, records: list[dict[str, Any]]) -> str | None:
        """The sequence number to retry from, or None when the batch succeeded."""
        try:
            response = self.handler({"Records": records}, LambdaContext(self.function))
        except Exception:
            log.exception("%s failed a whole batch", self.function)
            if self.bisect:
                self._limit = max(1, len(records) // 2)
            return str(records[0]["dynamodb"]["SequenceNumber"])
        failures = (response or {}).get("batchItemFailures") or []
        if not failures:
            return None
        return min((str(f["itemIdentifier"]) for f in failures), key=int)

    def _succeeded(self, shard: str, records: list[dict[str, Any]]) -> None:
        self.checkpoint.set(shard, records[-1]["dynamodb"]["SequenceNumber"])
        self._limit, self._retries = self.batch_size, 0

    def _failed(self, shard: str, records: list[dict[str, Any]], failed_at: str) -> None:
        """Resume at the failed record; after the retries, give up that record alone (where
        Lambda's bisection ends up) and go on with the rest."""
        done = [r for r in records if int(r["dynamodb"]["SequenceNumber"]) < int(failed_at)]
        if done:
            self.checkpoint.set(shard, done[-1]["dynamodb"]["SequenceNumber"])
            self._retries = 0
        self._retries += 1
        if self._retries > self.max_retries:
            self.on_failure({"shard": shard, "first": failed_at, "last": failed_at})
            self.checkpoint.set(shard, failed_at)
            self._limit, self._retries = self.batch_size, 0

    def _record(self, raw: dict[str, Any]) -> dict[str, Any]:
        """A stream record as Lambda delivers it."""
        dynamodb = dict(raw["dynamodb"])
        created = dynamodb.get("ApproximateCreationDateTime")
        if isinstance(created, datetime):
            dynamodb["ApproximateCreationDateTime"] = created.timestamp()
        return {**raw, "dynamodb": dynamodb, "eventSourceARN": self.stream_arn}


def matches(pattern: dict[str, Any], value: Any) -> bool:
    """An EventBridge-style filter pattern, the subset Lambda filters use here: nested keys,
    lists of allowed values, and {"exists": bool}."""
    for key, expected in pattern.items():
        actual = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
        if isinstance(expected, dict):
            if not isinstance(actual, dict) or not matches(expected, actual):
                return False
        elif not any(_matches_one(option, actual) for option in expected):
            return False
    return True


def _matches_one(option: Any, actual: Any) -> bool:
    if isinstance(option, dict):
        if set(option) != {"exists"}:
            raise TemplateError(f"filter rule {option} is not supported here")
        return (actual is not _MISSING) == bool(option["exists"])
    return bool(actual == option)
