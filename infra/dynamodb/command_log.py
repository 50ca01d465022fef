"""The command log on the `commands` table, PK id, with a TTL (`expires_at`).

Recording is one conditional PutItem that returns the stored item when the id was seen before;
advancing is one UpdateItem conditioned on the statuses the new one may follow, so statuses
only move forward however deliveries race.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.codec import iso_datetime
from infra.dynamodb.attributes import CONDITION_FAILED, Item, error_code, get_n, n, s
from pipeline.record_codec import (
    ERROR_FIELDS,
    FIELDS,
    error_values,
    record_from_values,
    record_values,
)
from pipeline.records import ADVANCES_FROM, CommandError, CommandRecord, Status

NUMBERS = frozenset({"version"})  # the codec's fields stored as N; the others are S


class DynamoCommandLog:
    def __init__(self, client: Any, table: str, ttl_days: int = 30) -> None:
        self.client = client
        self.table = table
        self.ttl = timedelta(days=ttl_days)

    def record(self, record: CommandRecord) -> CommandRecord:
        try:
            self.client.put_item(
                TableName=self.table,
                Item=self._item(record),
                ConditionExpression="attribute_not_exists(#id)",
                ExpressionAttributeNames={"#id": "id"},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except Exception as exc:
            if error_code(exc) != CONDITION_FAILED:
                raise
            stored = getattr(exc, "response", {}).get("Item")
            if stored:
                return command_record_of(stored)
            again = self.get(record.id)
            assert again is not None
            return again
        return record

    def get(self, command_id: str) -> CommandRecord | None:
        response = self.client.get_item(
            TableName=self.table, Key={"id": s(command_id)}, ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else command_record_of(item)

    def about(self, aggregate_id: str, limit: int) -> list[CommandRecord]:
        """A Query on the `by_aggregate` index (aggregate_id, submitted_at)."""
        request: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "by_aggregate",
            "KeyConditionExpression": "#aggregate = :id",
            "ExpressionAttributeNames": {"#aggregate": "aggregate_id"},
            "ExpressionAttributeValues": {":id": s(aggregate_id)},
        }
        records: list[CommandRecord] = []
        while len(records) < limit:
            request["Limit"] = limit - len(records)
            page = self.client.query(**request)
            records.extend(command_record_of(item) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return records

    def advance(
        self,
        command_id: str,
        status: Status,
        at: datetime,
        version: int | None = None,
        error: CommandError | None = None,
    ) -> bool:
        allowed = sorted(s.value for s in ADVANCES_FROM[status])
        if not allowed:
            return False
        names = {"#status": "status", "#updated": "updated_at"}
        values: Item = {":status": s(status.value), ":updated": s(iso_datetime(at))}
        sets = ["#status = :status", "#updated = :updated"]
        removes = []
        if version is not None:
            names["#version"] = "version"
            values[":version"] = n(version)
            sets.append("#version = :version")
        for attr, value in zip(ERROR_FIELDS, error_values(error), strict=True):
            names[f"#{attr}"] = attr
            if value is None:
                removes.append(f"#{attr}")
            else:
                values[f":{attr}"] = s(value)
                sets.append(f"#{attr} = :{attr}")
        marks = []
        for i, allowed_status in enumerate(allowed):
            values[f":from{i}"] = s(allowed_status)
            marks.append(f":from{i}")
        update = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"id": s(command_id)},
                UpdateExpression=update,
                ConditionExpression=f"#status IN ({', '.join(marks)})",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except Exception as exc:
            if error_code(exc) == CONDITION_FAILED:
                return False
            raise
        return True

    def count_failure(self, command_id: str, counter: str) -> int | None:
        """Add one to the command's `counter` attribute and return it; None when the command is
        not in the log (nothing is written then). Called only when a delivery failed, so a
        command that goes through costs nothing more."""
        try:
            response = self.client.update_item(
                TableName=self.table,
                Key={"id": s(command_id)},
                UpdateExpression="ADD #counter :one",
                ConditionExpression="attribute_exists(#id)",
                ExpressionAttributeNames={"#counter": counter, "#id": "id"},
                ExpressionAttributeValues={":one": n(1)},
                ReturnValues="UPDATED_NEW",
            )
        except Exception as exc:
            if error_code(exc) == CONDITION_FAILED:
                return None
            raise
        return get_n(response.get("Attributes", {}), counter)

    def start_replay_chunk(self, command_id: str, after: str) -> int | None:
        """One UpdateItem, conditioned on the command being ACCEPTED at that chunk: the chunk
        in `replay_after` (absent: the first), its tries in `replay_tries`."""
        try:
            response = self.client.update_item(
                TableName=self.table,
                Key={"id": s(command_id)},
                UpdateExpression="ADD #tries :one",
                ConditionExpression=f"#status = :accepted AND {_at_chunk(after)}",
                ExpressionAttributeNames=REPLAY_NAMES,
                ExpressionAttributeValues=_chunk_values(after, {":one": n(1)}),
                ReturnValues="UPDATED_NEW",
            )
        except Exception as exc:
            if error_code(exc) == CONDITION_FAILED:
                return None
            raise
        return get_n(response.get("Attributes", {}), "replay_tries")

    def hand_on_replay(self, command_id: str, after: str, reached: str) -> bool:
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"id": s(command_id)},
                UpdateExpression="SET #after = :reached REMOVE #tries",
                ConditionExpression=f"#status = :accepted AND {_at_chunk(after)}",
                ExpressionAttributeNames=REPLAY_NAMES,
                ExpressionAttributeValues=_chunk_values(after, {":reached": s(reached)}),
            )
        except Exception as exc:
            if error_code(exc) == CONDITION_FAILED:
                return False
            raise
        return True

    def _item(self, record: CommandRecord) -> Item:
        item = {
            name: n(int(value)) if name in NUMBERS else s(str(value))
            for name, value in zip(FIELDS, record_values(record), strict=True)
            if value is not None
        }
        item["expires_at"] = n(int((record.submitted_at + self.ttl).timestamp()))
        return item


REPLAY_NAMES = {"#status": "status", "#after": "replay_after", "#tries": "replay_tries"}


def _at_chunk(after: str) -> str:
    return "#after = :after" if after else "attribute_not_exists(#after)"


def _chunk_values(after: str, values: Item) -> Item:
    values[":accepted"] = s(Status.ACCEPTED.value)
    if after:
        values[":after"] = s(after)
    return values


def command_record_of(item: Item) -> CommandRecord:
    """The record of a `commands` item, as read or as a stream's image of it."""
    return record_from_values([_plain(item.get(name)) for name in FIELDS])


def _plain(value: dict[str, str] | None) -> str | None:
    """An S or N attribute's text (the codec reads a version from its text)."""
    return None if value is None else value.get("S", value.get("N"))
