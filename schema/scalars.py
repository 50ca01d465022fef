"""DateTime in the API's shape (UTC, milliseconds, Z); Date and JSON as Strawberry has them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.types.scalar import ScalarDefinition

from domain.codec import iso_datetime


def parse_datetime(value: Any) -> datetime:
    """ISO-8601 with or without fractional seconds, with Z or an offset; UTC from then on."""
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO-8601 string")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO-8601 date and time") from None
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no time zone: add Z or an offset such as +02:00")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00:00+14:00 is a year 0 in UTC, 9999-12-31T23:59:59-14:00 a year 10000.
        raise ValueError(f"{value!r} is outside the years 1 to 9999 in UTC") from None


DATETIME = strawberry.scalar(
    name="DateTime",
    description="ISO-8601, UTC, e.g. 2026-11-26T10:15:30.123Z",
    serialize=iso_datetime,
    parse_value=parse_datetime,
)

SCALARS: dict[object, ScalarDefinition] = {datetime: DATETIME}
