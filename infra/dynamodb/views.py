"""The views: one table per aggregate kind, PK id.

A live row carries `listed` (always "1"), which puts it in the sparse `by_id` index: listing a
kind in id order is a Query on that index, never a Scan. User rows also carry their email key,
role and group, each the partition key of an index, so filters are Queries too. A tombstone
keeps only id, version and updated_at, so it drops out of every index. A deleted user keeps
its data (to be listed and restored) under `listed` = "deleted", and no email, role or group
attribute: `users(filter: {status: DELETED})` is a Query on `by_id` too. A blocked user carries
`blocked_until` (its block's end, "~" when it has none: after every ISO time), so the BLOCKED
and ACTIVE filters compare it with now.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from domain.codec import iso_datetime
from domain.rules import email_key
from infra.dynamodb.attributes import CONDITION_FAILED, Item, error_code, get_s, n, s
from infra.dynamodb.batch_get import batch_get
from pipeline.ports import ViewFilter
from pipeline.records import ViewRow

LISTED = "1"
LISTED_DELETED = "deleted"
NO_END = "~"

# Filter attribute -> (index, attribute holding it), most selective first.
FILTER_INDEXES = (
    ("email_key", "by_email"),
    ("role_id", "by_role"),
    ("group_id", "by_group"),
)


class DynamoViews:
    def __init__(self, client: Any, tables: Mapping[str, str]) -> None:
        self.client = client
        self.tables = dict(tables)

    def get(self, kind: str, aggregate_id: str) -> ViewRow | None:
        response = self.client.get_item(
            TableName=self.tables[kind], Key={"id": s(aggregate_id)}, ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else row_of(kind, item)

    def get_many(self, kind: str, ids: Sequence[str]) -> dict[str, ViewRow]:
        table = self.tables[kind]
        unique = list(dict.fromkeys(ids))
        rows: dict[str, ViewRow] = {}
        for item in batch_get(self.client, table, [{"id": s(i)} for i in unique]):
            row = row_of(kind, item)
            if not row.deleted:
                rows[row.id] = row
        return rows

    def page(
        self, kind: str, first: int, after: str | None, where: ViewFilter | None = None
    ) -> list[ViewRow]:
        if first <= 0:
            return []
        request = _page_request(self.tables[kind], after, where if kind == "user" else None)
        rows: list[ViewRow] = []
        while len(rows) < first:
            request["Limit"] = first - len(rows)
            page = self.client.query(**request)
            rows.extend(row_of(kind, item) for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return rows

    def pages(
        self, kind: str, first: int, after: str | None, wheres: Sequence[ViewFilter]
    ) -> list[list[ViewRow]]:
        # Each filter is a partition of its own index: a Query each, nothing to combine.
        return [self.page(kind, first, after, where) for where in wheres]

    def put(self, row: ViewRow, expected_version: int | None) -> bool:
        if expected_version is None:
            return self._put(row, "attribute_not_exists(#id)", {"#id": "id"}, {})
        return self._put(
            row, "#version = :expected", {"#version": "version"}, {":expected": n(expected_version)}
        )

    def replace(self, row: ViewRow) -> bool:
        return self._put(
            row,
            "attribute_not_exists(#id) OR #version <= :version",
            {"#id": "id", "#version": "version"},
            {":version": n(row.version)},
        )

    def _put(self, row: ViewRow, condition: str, names: dict[str, str], values: Item) -> bool:
        try:
            self.client.put_item(
                TableName=self.tables[row.kind],
                Item=item_of(row),
                ConditionExpression=condition,
                ExpressionAttributeNames=names,
                **({"ExpressionAttributeValues": values} if values else {}),
            )
        except Exception as exc:
            if error_code(exc) == CONDITION_FAILED:
                return False
            raise
        return True


def _page_request(table: str, after: str | None, where: ViewFilter | None) -> dict[str, Any]:
    """A Query on the most selective index the filter allows; the rest of the filter, if any,
    as a FilterExpression."""
    wanted = {
        attr: value
        for attr, _ in FILTER_INDEXES
        if where is not None and (value := getattr(where, attr)) is not None
    }
    index, key_attr, key_value = "by_id", "listed", LISTED
    if where is not None and where.status == "DELETED":
        key_value = LISTED_DELETED
    for attr, candidate in FILTER_INDEXES:
        if attr in wanted:
            index, key_attr, key_value = candidate, attr, wanted.pop(attr)
            break
    names = {"#key": key_attr}
    values: Item = {":key": s(key_value)}
    condition = "#key = :key"
    if after is not None:
        names["#id"] = "id"
        values[":after"] = s(after)
        condition += " AND #id > :after"
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": condition,
    }
    clauses = []
    for i, (attr, value) in enumerate(sorted(wanted.items())):
        names[f"#f{i}"] = attr
        values[f":f{i}"] = s(value)
        clauses.append(f"#f{i} = :f{i}")
    if where is not None and where.status in ("BLOCKED", "ACTIVE"):
        assert where.now is not None
        names["#until"] = "blocked_until"
        values[":now"] = s(iso_datetime(where.now))
        clauses.append(
            "#until > :now"
            if where.status == "BLOCKED"
            else "(attribute_not_exists(#until) OR #until <= :now)"
        )
    if clauses:
        request["FilterExpression"] = " AND ".join(clauses)
    request["ExpressionAttributeNames"] = names
    request["ExpressionAttributeValues"] = values
    return request


def item_of(row: ViewRow) -> Item:
    item: Item = {
        "id": s(row.id),
        "version": n(row.version),
        "updated_at": s(iso_datetime(row.updated_at)),
    }
    if row.data is None:
        return item
    item["data"] = s(json.dumps(row.data, separators=(",", ":")))
    item["listed"] = s(LISTED_DELETED if row.deleted else LISTED)
    if row.created_at is not None:
        item["created_at"] = s(iso_datetime(row.created_at))
    if row.kind == "user" and row.deleted:
        return item
    if row.kind == "user":
        block = row.data.get("block")
        if block:
            item["blocked_until"] = s(block.get("until") or NO_END)
        item["email_key"] = s(email_key(row.data["email"]))
        for attr in ("role_id", "group_id"):
            if row.data.get(attr):
                item[attr] = s(row.data[attr])
    return item


def row_of(kind: str, item: Item) -> ViewRow:
    data = get_s(item, "data")
    created_at = get_s(item, "created_at")
    return ViewRow(
        kind=kind,
        id=item["id"]["S"],
        version=int(item["version"]["N"]),
        data=None if data is None else json.loads(data),
        created_at=None if created_at is None else datetime.fromisoformat(created_at),
        updated_at=datetime.fromisoformat(item["updated_at"]["S"]),
    )
