"""A command's record survives each of its stored and sent forms (pipeline/record_codec.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from infra.dynamodb.command_log import DynamoCommandLog, command_record_of
from pipeline.record_codec import (
    FIELDS,
    record_from_json,
    record_from_values,
    record_to_json,
    record_values,
)
from pipeline.records import CommandError, CommandRecord, Status

AT = datetime(2026, 11, 26, 10, 15, 30, 123000, tzinfo=UTC)
TEXT = st.text(min_size=1, max_size=12)
INSTANTS = st.integers(0, 10**12).map(lambda ms: AT + timedelta(milliseconds=ms))
ERRORS = st.builds(CommandError, TEXT, st.text(max_size=40), st.none() | TEXT)
RECORDS = st.builds(
    CommandRecord,
    id=TEXT,
    name=TEXT,
    status=st.sampled_from(Status),
    actor=TEXT,
    submitted_at=INSTANTS,
    updated_at=INSTANTS,
    aggregate_id=st.none() | TEXT,
    version=st.none() | st.integers(1, 2**40),
    error=st.none() | ERRORS,
)


@given(RECORDS)
def test_a_record_survives_its_plain_row_and_its_json(record: CommandRecord) -> None:
    assert len(record_values(record)) == len(FIELDS)
    assert record_from_values(record_values(record)) == record
    assert record_from_json(record_to_json(record)) == record


@given(RECORDS)
def test_a_record_survives_its_dynamodb_item(record: CommandRecord) -> None:
    item = DynamoCommandLog(client=None, table="commands")._item(record)
    assert command_record_of(item) == record
    assert "expires_at" in item


def test_times_are_kept_as_the_api_shows_them() -> None:
    """UTC to the millisecond, whatever the offset and precision they were made with."""
    paris = datetime(2026, 11, 26, 12, 15, 30, 123456, tzinfo=timezone(timedelta(hours=1)))
    record = CommandRecord("c1", "CreateGroup", Status.QUEUED, "a", paris, paris)
    assert record_values(record)[-2:] == ("2026-11-26T11:15:30.123Z", "2026-11-26T11:15:30.123Z")
    assert record_from_json(record_to_json(record)).submitted_at == datetime(
        2026, 11, 26, 11, 15, 30, 123000, tzinfo=UTC
    )


def test_an_error_without_a_field_keeps_its_message() -> None:
    rejected = CommandRecord(
        "c1", "CreateUser", Status.REJECTED, "a", AT, AT, "u", None, CommandError("X", "why")
    )
    assert record_from_json(record_to_json(rejected)).error == CommandError("X", "why", None)
