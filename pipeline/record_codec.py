"""The one plain form of a CommandRecord, which every stored or sent form goes through.

A record is a row of FIELDS: strings, an int (version) or None, times as the API shows them
(UTC, milliseconds, Z). Each adapter keeps only its storage's own shape around it: the SQLite
command log selects and inserts its columns in this order, the DynamoDB one types each value
as an attribute, and the worker link sends the row as a JSON array.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.codec import compact_json, iso_datetime
from pipeline.records import CommandError, CommandRecord, Status

FIELDS = (
    "id",
    "name",
    "status",
    "actor",
    "aggregate_id",
    "version",
    "error_code",
    "error_message",
    "error_field",
    "submitted_at",
    "updated_at",
)
ERROR_FIELDS = FIELDS[6:9]

Value = str | int | None


def error_values(error: CommandError | None) -> tuple[str | None, str | None, str | None]:
    """The error's code, message and field (ERROR_FIELDS), all None without one."""
    if error is None:
        return None, None, None
    return error.code, error.message, error.field


def record_values(record: CommandRecord) -> tuple[Value, ...]:
    """The record as a row of FIELDS."""
    return (
        record.id,
        record.name,
        record.status.value,
        record.actor,
        record.aggregate_id,
        record.version,
        *error_values(record.error),
        iso_datetime(record.submitted_at),
        iso_datetime(record.updated_at),
    )


def record_from_values(values: Sequence[Any]) -> CommandRecord:
    """The record of a row of FIELDS (a version may come as a number's text)."""
    id_, name, status, actor, aggregate_id, version, code, message, field, submitted, updated = (
        values
    )
    return CommandRecord(
        id=id_,
        name=name,
        status=Status(status),
        actor=actor,
        submitted_at=datetime.fromisoformat(submitted),
        updated_at=datetime.fromisoformat(updated),
        aggregate_id=aggregate_id,
        version=None if version is None else int(version),
        error=None if code is None else CommandError(code, message or "", field),
    )


def record_to_json(record: CommandRecord) -> str:
    return compact_json(record_values(record))


def record_from_json(text: str) -> CommandRecord:
    return record_from_values(json.loads(text))
