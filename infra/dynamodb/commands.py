"""The command log on the `commands` table, PK id, with a TTL (`expires_at`).

Recording is one conditional PutItem that returns the stored item when the id was seen before;
advancing is one UpdateItem conditioned on the statuses the new one may follow, so statuses
only move forward however deliveries race.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.codec import iso_datetime
from infra.dynamodb.attributes import CONDITION_FAILED, Item, error_code, get_n, get_s, n, s
from pipeline.records import ADVANCES_FROM, CommandError, CommandRecord, Status

ERROR_ATTRS = ("error_code", "error_message", "error_field")


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
                return record_of(stored)
            again = self.get(record.id)
            assert again is not None
            return again
        return record

    def get(self, command_id: str) -> CommandRecord | None:
        response = self.client.get_item(
            TableName=self.table, Key={"id": s(command_id)}, ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else record_of(item)

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
        for attr, value in zip(ERROR_ATTRS, _error_values(error), strict=True):
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
        item: Item = {
            "id": s(record.id),
            "name": s(record.name),
            "status": s(record.status.value),
            "actor": s(record.actor),
            "submitted_at": s(iso_datetime(record.submitted_at)),
            "updated_at": s(iso_datetime(record.updated_at)),
            "expires_at": n(int((record.submitted_at + self.ttl).timestamp())),
        }
        if record.aggregate_id is not None:
            item["aggregate_id"] = s(record.aggregate_id)
        if record.version is not None:
            item["version"] = n(record.version)
        for attr, value in zip(ERROR_ATTRS, _error_values(record.error), strict=True):
            if value is not None:
                item[attr] = s(value)
        return item


REPLAY_NAMES = {"#status": "status", "#after": "replay_after", "#tries": "replay_tries"}


def _at_chunk(after: str) -> str:
    return "#after = :after" if after else "attribute_not_exists(#after)"


def _chunk_values(after: str, values: Item) -> Item:
    values[":accepted"] = s(Status.ACCEPTED.value)
    if after:
        values[":after"] = s(after)
    return values


def _error_values(error: CommandError | None) -> tuple[str | None, str | None, str | None]:
    if error is None:
        return None, None, None
    return error.code, error.message, error.field


def record_of(item: Item) -> CommandRecord:
    code = get_s(item, "error_code")
    return CommandRecord(
        id=item["id"]["S"],
        name=item["name"]["S"],
        status=Status(item["status"]["S"]),
        actor=item["actor"]["S"],
        submitted_at=datetime.fromisoformat(item["submitted_at"]["S"]),
        updated_at=datetime.fromisoformat(item["updated_at"]["S"]),
        aggregate_id=get_s(item, "aggregate_id"),
        version=get_n(item, "version"),
        error=None
        if code is None
        else CommandError(code, get_s(item, "error_message") or "", get_s(item, "error_field")),
    )
