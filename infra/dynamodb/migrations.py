"""One-off changes to what the DynamoDB tables hold, run by an operator after a deploy
(`usermgmt migrate-email-claims --stage NAME`). Each is idempotent and safe while the functions
run. They Scan, which no command path does: a migration reads every guard once."""

from __future__ import annotations

from typing import Any

from domain.rules import email_key
from infra.dynamodb.attributes import TRANSACTION_CANCELED, error_code, n, s
from infra.dynamodb.event_items import guard_key

_EMAIL_GUARD = "unique#email#"


def email_claims_in_nfkc(client: Any, events_table: str, users_table: str) -> int:
    """Emails compare in NFKC since 2026-12 (infra/sqlite/migrations.py says why). Every email
    guard stored under the key before it gets a twin under today's key, owned by the same user,
    in a transaction that checks the old guard still has that owner: a user deleted meanwhile
    released both keys, and a twin written after that would lock the email for good. A key
    another user already holds is left to them. The users view's filter key is recomputed.
    Returns the number of guards added."""
    added = 0
    for item in _scan(
        client,
        TableName=events_table,
        FilterExpression="begins_with(#stream, :prefix) AND #version = :zero",
        ExpressionAttributeNames={"#stream": "stream", "#version": "version"},
        ExpressionAttributeValues={":prefix": s(_EMAIL_GUARD), ":zero": n(0)},
    ):
        value = item["stream"]["S"][len(_EMAIL_GUARD) :]
        if email_key(value) != value and _add_twin(client, events_table, value, item["owner"]):
            added += 1
    for item in _scan(
        client,
        TableName=users_table,
        FilterExpression="attribute_exists(email_key)",
        ProjectionExpression="id, email_key",
    ):
        old = item["email_key"]["S"]
        if email_key(old) != old:
            client.update_item(
                TableName=users_table,
                Key={"id": item["id"]},
                UpdateExpression="SET email_key = :new",
                ConditionExpression="email_key = :old",
                ExpressionAttributeValues={":new": s(email_key(old)), ":old": s(old)},
            )
    return added


def _add_twin(client: Any, table: str, value: str, owner: dict[str, str]) -> bool:
    try:
        client.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": guard_key("email", value),
                        "ConditionExpression": "#owner = :owner",
                        "ExpressionAttributeNames": {"#owner": "owner"},
                        "ExpressionAttributeValues": {":owner": owner},
                    }
                },
                {
                    "Put": {
                        "TableName": table,
                        "Item": {**guard_key("email", email_key(value)), "owner": owner},
                        "ConditionExpression": "attribute_not_exists(#stream)",
                        "ExpressionAttributeNames": {"#stream": "stream"},
                    }
                },
            ]
        )
    except Exception as exc:
        if error_code(exc) == TRANSACTION_CANCELED:
            return False
        raise
    return True


def _scan(client: Any, **request: Any) -> Any:
    while True:
        page = client.scan(**request)  # allow-scan: a one-off migration, never a command path
        yield from page["Items"]
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
