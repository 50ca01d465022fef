"""exportUser and exportMe: everything the service holds about a person, as one JSON document
(docs/api.md, "Export"). Events beyond EVENTS_PAGE continue on the `next` cursor; the record
and the commands come with the first page.

Actors other than the person are shown by their role (`admin`, `service`), never by their
subject: the export goes to the person, and other people's ids are not theirs to have."""

# Annotations here are objects, not strings (no `from __future__ import annotations`):
# Strawberry reads each one, and a string costs it a compile (see schema/__init__.py).

from typing import Any

import strawberry
from strawberry.scalars import JSON

from domain import rules
from domain.codec import from_data, iso_datetime
from domain.events import upcast
from domain.model import stream_name
from domain.user import User, status
from pipeline.records import CommandRecord, RecordedEvent, ViewRow
from resolvers.checks import checked
from schema.context import SERVICE_SUFFIX, Info
from schema.errors import camel
from schema.pagination import decode_cursor, encode_cursor

FORMAT = 1
EVENTS_PAGE = 100  # events per export page; the rest follow on the cursor
COMMANDS_MAX = 1000  # the command log keeps commands for a bounded time (30 days on AWS)


def export_user(info: Info, id: strawberry.ID, after: str | None = None) -> JSON:
    return JSON(export(info, checked(rules.user_id, id), after))


def export_me(info: Info, after: str | None = None) -> JSON:
    caller = info.context.caller
    assert caller is not None  # IsSignedIn ran first
    return JSON(export(info, caller.sub, after))


def export(info: Info, person: str, after: str | None) -> dict[str, Any]:
    backend = info.context.backend
    start = decode_cursor(after, _version)
    after_version = int(start) if start is not None else 0
    records = backend.events.load(stream_name("user", person))
    if records and records[-1].type == "UserErased":
        return {
            "format": FORMAT,
            "userId": person,
            "exportedAt": iso_datetime(backend.clock()),
            "erased": True,
            "erasedAt": iso_datetime(records[-1].occurred_at),
        }
    rest = [r for r in records if r.version > after_version]
    shown = rest[:EVENTS_PAGE]
    out: dict[str, Any] = {
        "format": FORMAT,
        "userId": person,
        "exportedAt": iso_datetime(backend.clock()),
    }
    if start is None:
        row = backend.views.get("user", person)
        out["user"] = _record(row, person, info) if row is not None and row.data else None
        commands = backend.commands.about(person, COMMANDS_MAX)
        out["commands"] = [_command(c, person) for c in commands]
    out["events"] = [_event(r, person) for r in shown]
    more = len(rest) > len(shown)
    out["next"] = encode_cursor(str(shown[-1].version)) if more else None
    return out


def _version(value: str) -> object:
    if not value.isdigit() or len(value) > 18:
        raise ValueError(value)
    return int(value)


def actor_shown(actor: str, person: str) -> str:
    """The person by their id; anyone else by their role."""
    if actor == person:
        return person
    return "service" if actor.endswith(SERVICE_SUFFIX) else "admin"


def _record(row: ViewRow, person: str, info: Info) -> dict[str, Any]:
    data = dict(row.data or {})
    state = from_data(User, data)
    block = data.pop("block", None)
    data.pop("deleted", None)
    out = {camel(k): v for k, v in data.items()}
    out["status"] = status(state, info.context.backend.clock()).value
    if block:
        block = dict(block)
        block["blocked_by"] = actor_shown(block["blocked_by"], person)
        block = {camel(k): v for k, v in block.items()}
    out["block"] = block
    out["version"] = row.version
    out["createdAt"] = iso_datetime(row.created_at or row.updated_at)
    out["updatedAt"] = iso_datetime(row.updated_at)
    return out


def _event(record: RecordedEvent, person: str) -> dict[str, Any]:
    data = upcast(record.type, record.schema_version, record.data)
    if "blocked_by" in data:
        data = {**data, "blocked_by": actor_shown(data["blocked_by"], person)}
    return {
        "version": record.version,
        "type": record.type,
        "occurredAt": iso_datetime(record.occurred_at),
        "actor": actor_shown(record.actor, person),
        "data": {camel(k): v for k, v in data.items() if k != "id"},
    }


def _command(record: CommandRecord, person: str) -> dict[str, Any]:
    error = record.error
    return {
        "id": record.id,
        "name": record.name,
        "status": record.status.value,
        "actor": actor_shown(record.actor, person),
        "submittedAt": iso_datetime(record.submitted_at),
        "updatedAt": iso_datetime(record.updated_at),
        "version": record.version,
        "error": None
        if error is None
        else {
            "code": error.code,
            "message": error.message,
            "field": camel(error.field) if error.field else None,
        },
    }
