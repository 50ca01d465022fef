"""One append as one TransactWriteItems, and a refused transaction back as the port's error.

Each transaction item carries what its failed condition means, so the cancellation reasons
DynamoDB returns (one per item, in order) map straight back to VersionConflict, ClaimTaken,
TargetMissing or TargetReferenced(count).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.aggregate import Claim
from domain.codec import compact_json
from domain.model import Effects
from infra.dynamodb.attributes import Item, get_n, n, s
from infra.dynamodb.event_items import TREE_KEY, event_item, guard_key, refs_key
from pipeline.ports import (
    AppendError,
    ClaimTaken,
    TargetMissing,
    TargetReferenced,
    TreeMoved,
    VersionConflict,
)
from pipeline.records import RecordedEvent

# The failed condition of one item, given the item as it was (when DynamoDB returned it).
Refusal = Callable[[Item | None], AppendError]

ABSENT = "attribute_not_exists(#stream)"
NAMES = {"#stream": "stream"}


class TransientConflict(Exception):
    """Another transaction was writing the same items at that moment; try the message again."""


class BrokenInvariant(Exception):
    """A condition that cannot fail unless the store's bookkeeping is damaged."""


@dataclass(frozen=True)
class Step:
    operation: dict[str, Any]  # one TransactItems entry
    refused: Refusal | None  # None: this condition failing means damage, not a refusal


def steps(table: str, stream: str, events: Sequence[RecordedEvent], effects: Effects) -> list[Step]:
    """The transaction's items. Events come first: a lost version race wins over every other
    refusal, since the command will be decided again on the newer state."""

    out = [
        Step(_put(table, event_item(r), ABSENT, NAMES), _conflict(stream, r.version))
        for r in events
    ]
    for claim in sorted(effects.take, key=lambda c: (c.kind, c.value)):
        guard = {**guard_key(claim.kind, claim.value), "owner": s(stream)}
        out.append(Step(_put(table, guard, ABSENT, NAMES), _taken(claim)))
    for claim in sorted(effects.vacant, key=lambda c: (c.kind, c.value)):
        check = {
            "ConditionCheck": {
                "TableName": table,
                "Key": guard_key(claim.kind, claim.value),
                "ConditionExpression": f"{ABSENT} OR #owner = :me",
                "ExpressionAttributeNames": {**NAMES, "#owner": "owner"},
                "ExpressionAttributeValues": {":me": s(stream)},
            }
        }
        out.append(Step(check, _taken(claim)))
    for claim in sorted(effects.release, key=lambda c: (c.kind, c.value)):
        out.append(
            Step(
                _delete(
                    table,
                    guard_key(claim.kind, claim.value),
                    f"{ABSENT} OR #owner = :me",
                    {**NAMES, "#owner": "owner"},
                    {":me": s(stream)},
                ),
                None,
            )
        )
    for target in sorted(effects.reference):
        out.append(Step(_count(table, target, +1), _missing(target)))
    for target in sorted(effects.unreference):
        out.append(Step(_count(table, target, -1), None))
    if effects.create_target:
        item = {**refs_key(effects.create_target), "refs": n(0)}
        out.append(Step({"Put": {"TableName": table, "Item": item}}, None))
    if effects.delete_target:
        target = effects.delete_target
        delete = _delete(
            table,
            refs_key(target),
            f"{ABSENT} OR #refs = :zero",
            {**NAMES, "#refs": "refs"},
            {":zero": n(0)},
        )
        delete["Delete"]["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        out.append(Step(delete, _referenced(target)))
    if effects.tree is not None:
        out.append(Step(_tree(table, effects.tree.expected, effects.tree.parents), _moved))
    return out


def _tree(table: str, expected: int, parents: Mapping[str, str]) -> dict[str, Any]:
    """The whole parent map, one item, written only over the version the decision read."""
    item = {
        **TREE_KEY,
        "tree_version": n(expected + 1),
        "parents": s(compact_json(dict(sorted(parents.items())))),
    }
    condition = ABSENT if expected == 0 else "#tv = :expected"
    put = _put(table, item, condition, {"#tv": "tree_version"} if expected else NAMES)
    if expected:
        put["Put"]["ExpressionAttributeValues"] = {":expected": n(expected)}
    return put


def _moved(_: Item | None) -> AppendError:
    return TreeMoved("the group tree moved on since it was read")


def _conflict(stream: str, version: int) -> Refusal:
    return lambda _: VersionConflict(f"{stream} already has version {version}")


def _taken(claim: Claim) -> Refusal:
    return lambda _: ClaimTaken(claim)


def _missing(target: str) -> Refusal:
    return lambda _: TargetMissing(target)


def _referenced(target: str) -> Refusal:
    """The count comes from the refs item as it was (ReturnValuesOnConditionCheckFailure)."""
    return lambda old: TargetReferenced(target, (get_n(old, "refs") or 0) if old else 0)


def refusal(exc: Exception, plan: Sequence[Step]) -> Exception:
    """The error a cancelled transaction stands for."""
    reasons: list[dict[str, Any]] = getattr(exc, "response", {}).get("CancellationReasons") or []
    failed = [
        (step, reason)
        for step, reason in zip(plan, reasons, strict=False)
        if reason.get("Code") == "ConditionalCheckFailed"
    ]
    for step, reason in failed:
        if step.refused is not None:
            return step.refused(reason.get("Item"))
    if failed:
        return BrokenInvariant(f"a bookkeeping condition failed: {failed[0][0].operation}")
    codes = {reason.get("Code") for reason in reasons} - {"None", None}
    if codes <= {"TransactionConflict"} and codes:
        return TransientConflict("a concurrent transaction touched the same items")
    return exc


def _put(table: str, item: Item, condition: str, names: dict[str, str]) -> dict[str, Any]:
    return {
        "Put": {
            "TableName": table,
            "Item": item,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
        }
    }


def _delete(
    table: str, key: Item, condition: str, names: dict[str, str], values: Item
) -> dict[str, Any]:
    return {
        "Delete": {
            "TableName": table,
            "Key": key,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }


def _count(table: str, target: str, delta: int) -> dict[str, Any]:
    """Move a target's reference count; the target must exist."""
    return {
        "Update": {
            "TableName": table,
            "Key": refs_key(target),
            "UpdateExpression": "SET #refs = #refs + :delta",
            "ConditionExpression": "attribute_exists(#stream)",
            "ExpressionAttributeNames": {**NAMES, "#refs": "refs"},
            "ExpressionAttributeValues": {":delta": n(delta)},
        }
    }
