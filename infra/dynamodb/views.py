"""The views: one table per aggregate kind, PK id.

A live row carries `listed` (always "1"), which puts it in the sparse `by_id` index: listing a
kind in id order is a Query on that index, never a Scan. User rows also carry their email key,
the partition key of `by_email`. A tombstone keeps only id, version and updated_at, so it drops
out of every index.

A user has many roles and groups, a group many roles, and an index key holds one value: so each
of those references is a member item of its own beside the row (id `<row id>\t<filter>\t<target>`),
a copy of the row that carries `member_of` = `<filter>=<target>` and `member` = the row's id, the
keys of the sparse `by_member` index. "Users holding role R" is then one Query on
`by_member` (member_of = "role_id=R"), in member id order. The row and its member items are
written in one transaction (at most 1 + 41 puts + 41 deletes: within DynamoDB's 100 items).

A deleted user keeps its data (to be listed and restored) under `listed` = "deleted", and no
email or member items: `users(filter: {status: DELETED})` is a Query on `by_id` too. A blocked
user carries `blocked_until` (its block's end, "~" when it has none: after every ISO time), so
the BLOCKED and ACTIVE filters compare it with now.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from domain.codec import compact_json, iso_datetime
from domain.rules import email_key, unique_key
from infra.dynamodb.attributes import (
    CONDITION_FAILED,
    TRANSACTION_CANCELED,
    Item,
    error_code,
    get_n,
    get_s,
    n,
    s,
)
from infra.dynamodb.batch_get import batch_get, batch_get_tables
from infra.dynamodb.event_items import TREE_KEY, guard_key
from pipeline.ports import MEMBER_FILTERS, MEMBERSHIPS, BatchRead, ViewFilter, memberships
from pipeline.records import ViewRow

LISTED = "1"
LISTED_DELETED = "deleted"
NO_END = "~"
MEMBER_INDEX = "by_member"
NAME_CLAIM = "authorization-name"  # the claim an authorization's name key takes (domain/named)
NAME_GUARD = guard_key(NAME_CLAIM, "")["stream"]["S"]


class DynamoViews:
    def __init__(
        self, client: Any, tables: Mapping[str, str], events_table: str | None = None
    ) -> None:
        self.client = client
        self.tables = dict(tables)
        self.events_table = events_table  # where the hints are (None: none read)

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

    def read_batch(
        self, ids: Mapping[str, Sequence[str]], name_keys: Sequence[str] = (), tree: bool = False
    ) -> BatchRead:
        """One BatchGetItem across the view tables and the events table (whose group tree item
        and authorization name guards are the hints), more only past 100 keys."""
        keys = [(self.tables[kind], {"id": s(i)}) for kind, wanted in ids.items() for i in wanted]
        events = self.events_table
        if events is not None:
            keys += [(events, guard_key(NAME_CLAIM, key)) for key in name_keys]
            keys += [(events, TREE_KEY)] if tree else []
        found = batch_get_tables(self.client, keys) if keys else {}
        rows: dict[str, dict[str, ViewRow]] = {kind: {} for kind in ids}
        for kind in ids:
            for item in found.get(self.tables[kind], []):
                row = row_of(kind, item)
                if not row.deleted:
                    rows[kind][row.id] = row
        if events is None:
            return BatchRead(rows)
        parents: dict[str, str] | None = None
        owners: dict[str, str] = {}
        for item in found.get(events, []):
            stream = item["stream"]["S"]
            if stream == TREE_KEY["stream"]["S"]:
                parents = json.loads(item["parents"]["S"])
            elif stream.startswith(NAME_GUARD) and (owner := get_s(item, "owner")):
                owners[stream.removeprefix(NAME_GUARD)] = owner.removeprefix("authorization#")
        if tree and parents is None:
            parents = {}  # no tree item yet: no group has a parent
        return BatchRead(rows, parents if tree else None, owners if name_keys else None)

    def page(
        self, kind: str, first: int, after: str | None, where: ViewFilter | None = None
    ) -> list[ViewRow]:
        if first <= 0:
            return []
        request = _page_request(self.tables[kind], after, where or ViewFilter())
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

    def put(
        self, row: ViewRow, expected_version: int | None, previous: ViewRow | None = None
    ) -> bool:
        if expected_version is None:  # no row yet, so no member items either
            return self._put(row, "attribute_not_exists(#id)", {"#id": "id"}, {}, set())
        known = previous is not None and previous.version == expected_version
        before = memberships(row.kind, previous.data) if previous and known else None
        return self._put(
            row,
            "#version = :expected",
            {"#version": "version"},
            {":expected": n(expected_version)},
            before,
        )

    def replace(self, row: ViewRow) -> bool:
        return self._put(
            row,
            "attribute_not_exists(#id) OR #version <= :version",
            {"#id": "id", "#version": "version"},
            {":version": n(row.version)},
            None,
        )

    def _put(
        self,
        row: ViewRow,
        condition: str,
        names: dict[str, str],
        values: Item,
        before: set[tuple[str, str]] | None,
    ) -> bool:
        """Write the row on `condition`. A row with references writes its member items in the
        same transaction and deletes those it no longer has: `before` says which it had. When
        that is not known (a replay), first try as if they were the row's own (the row names
        them in `members`: the write is guarded by that too), and read the row only if not."""
        if row.kind in MEMBERSHIPS:
            if before is None:
                if self._write(row, *_same_members(row, condition, names, values)):
                    return True
                return self._put_with_members(row, condition, names, values)
            if before or memberships(row.kind, row.data):
                return self._transact(row, condition, names, values, before)
        return self._write(row, condition, names, values)

    def _write(self, row: ViewRow, condition: str, names: dict[str, str], values: Item) -> bool:
        """The row, with its member items (all put) in one transaction if it has any."""
        if memberships(row.kind, row.data):
            return self._transact(row, condition, names, values, set())
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

    def _put_with_members(
        self, row: ViewRow, condition: str, names: dict[str, str], values: Item
    ) -> bool:
        """Read the stored row first, to know its member items; the write is then guarded by
        that row's version as well as by `condition`, so nothing moved in between."""
        table = self.tables[row.kind]
        old = self.client.get_item(TableName=table, Key={"id": s(row.id)}, ConsistentRead=True)
        old_item = old.get("Item")
        old_row = None if old_item is None else row_of(row.kind, old_item)
        if old_row is None:
            condition = f"({condition}) AND attribute_not_exists(#id)"
            names = {**names, "#id": "id"}
        else:
            condition = f"({condition}) AND #version = :seen"
            names = {**names, "#version": "version"}
            values = {**values, ":seen": n(old_row.version)}
        before = memberships(row.kind, None if old_row is None else old_row.data)
        return self._transact(row, condition, names, values, before)

    def _transact(
        self,
        row: ViewRow,
        condition: str,
        names: dict[str, str],
        values: Item,
        before: set[tuple[str, str]],
    ) -> bool:
        table = self.tables[row.kind]
        main: dict[str, Any] = {
            "TableName": table,
            "Item": item_of(row),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
        }
        if values:
            main["ExpressionAttributeValues"] = values
        after = memberships(row.kind, row.data)
        ops: list[dict[str, Any]] = [{"Put": main}]
        ops += [
            {"Put": {"TableName": table, "Item": member_item(row, via, target)}}
            for via, target in sorted(after)
        ]
        ops += [
            {"Delete": {"TableName": table, "Key": {"id": s(member_id(row.id, via, target))}}}
            for via, target in sorted(before - after)
        ]
        try:
            self.client.transact_write_items(TransactItems=ops)
        except Exception as exc:
            if error_code(exc) not in (TRANSACTION_CANCELED, CONDITION_FAILED):
                raise
            return False
        return True


def _same_members(
    row: ViewRow, condition: str, names: dict[str, str], values: Item
) -> tuple[str, dict[str, str], Item]:
    """`condition`, and the stored row names the same member items as `row` (or none)."""
    names = {**names, "#members": "members"}
    mine = _members_attribute(row)
    if mine is None:
        return f"({condition}) AND attribute_not_exists(#members)", names, values
    return f"({condition}) AND #members = :members", names, {**values, ":members": s(mine)}


def _members_attribute(row: ViewRow) -> str | None:
    keys = sorted(f"{via}={target}" for via, target in memberships(row.kind, row.data))
    return compact_json(keys) if keys else None


def member_id(row_id: str, via: str, target: str) -> str:
    return f"{row_id}\t{via}\t{target}"  # a tab: no user id or UUID holds one


def member_item(row: ViewRow, via: str, target: str) -> Item:
    item = item_of(row)
    for attr in ("listed", "email_key", "members"):
        item.pop(attr, None)
    item["id"] = s(member_id(row.id, via, target))
    item["member"] = s(row.id)
    item["member_of"] = s(f"{via}={target}")
    return item


def _page_request(table: str, after: str | None, where: ViewFilter) -> dict[str, Any]:
    """A Query on the most selective index the filter allows: the email's, else the first
    membership's. Any other membership is a FilterExpression on the row's data, which names
    each id it references as a JSON string (ids are UUIDs: one never appears for another)."""
    members = [(via, getattr(where, via)) for via in MEMBER_FILTERS if getattr(where, via)]
    if where.email_key is not None:
        index, key_attr, key_value, sort_attr = "by_email", "email_key", where.email_key, "id"
    elif where.name_key is not None:
        index, key_attr, key_value, sort_attr = "by_name", "name_key", where.name_key, "id"
    elif members:
        via, target = members.pop(0)
        index, key_attr, key_value = MEMBER_INDEX, "member_of", f"{via}={target}"
        sort_attr = "member"
    else:
        listed = LISTED_DELETED if where.status == "DELETED" else LISTED
        index, key_attr, key_value, sort_attr = "by_id", "listed", listed, "id"
    names = {"#key": key_attr}
    values: Item = {":key": s(key_value)}
    condition = "#key = :key"
    if after is not None:
        names["#id"] = sort_attr
        values[":after"] = s(after)
        condition += " AND #id > :after"
    request: dict[str, Any] = {
        "TableName": table,
        "IndexName": index,
        "KeyConditionExpression": condition,
    }
    clauses = []
    if members:
        names["#data"] = "data"
        for i, (_, target) in enumerate(members):
            values[f":f{i}"] = s(json.dumps(target))
            clauses.append(f"contains(#data, :f{i})")
    if where.status in ("BLOCKED", "ACTIVE"):
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
    item["data"] = s(compact_json(row.data))
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
    if row.kind == "authorization":
        item["name_key"] = s(unique_key(row.data["name"]))
    members = _members_attribute(row)
    if members is not None:  # which member items the row has, to write it without reading
        item["members"] = s(members)
    return item


def row_of(kind: str, item: Item) -> ViewRow:
    data = get_s(item, "data")
    created_at = get_s(item, "created_at")
    return ViewRow(
        kind=kind,
        id=get_s(item, "member") or item["id"]["S"],  # a member item stands for its row
        version=get_n(item, "version") or 0,
        data=None if data is None else json.loads(data),
        created_at=None if created_at is None else datetime.fromisoformat(created_at),
        updated_at=datetime.fromisoformat(item["updated_at"]["S"]),
    )
