"""What travels between stages: command envelopes and records, recorded events, view rows."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from typing import Any

from domain.codec import compact_json, from_data, iso_datetime, to_data
from domain.commands import COMMANDS, AggregateCommand, Command
from domain.decision_context import Context
from domain.errors import Code, DomainError
from domain.events import EVENTS, Event, upcast
from domain.model import parse_stream, stream_name

_EVENT_IDS = uuid.UUID("6f1c1f0e-2b8e-4d59-9a43-4b1b6c0e7a10")


class Status(StrEnum):
    QUEUED = "QUEUED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    APPLIED = "APPLIED"
    FAILED = "FAILED"

    @property
    def terminal(self) -> bool:
        return self in (Status.REJECTED, Status.APPLIED, Status.FAILED)

    @property
    def rank(self) -> int:
        """How far along the command is: QUEUED 0, ACCEPTED 1, a terminal status 2. Whoever
        follows a command must never be shown a lower rank after a higher one."""
        return _RANKS.get(self, 2)


_RANKS = {Status.QUEUED: 0, Status.ACCEPTED: 1}


# A status only moves forward: the statuses each one may follow.
ADVANCES_FROM: dict[Status, frozenset[Status]] = {
    Status.QUEUED: frozenset(),
    Status.ACCEPTED: frozenset({Status.QUEUED}),
    Status.REJECTED: frozenset({Status.QUEUED}),
    Status.APPLIED: frozenset({Status.QUEUED, Status.ACCEPTED}),
    Status.FAILED: frozenset({Status.QUEUED, Status.ACCEPTED}),
}


@dataclass(frozen=True)
class CommandError:
    code: str
    message: str
    field: str | None = None

    @classmethod
    def of(cls, error: DomainError) -> CommandError:
        return cls(error.code.value, error.message, error.field)

    @classmethod
    def internal(cls, message: str) -> CommandError:
        return cls(Code.INTERNAL.value, message)


@dataclass(frozen=True)
class CommandRecord:
    """A command's status as clients follow it."""

    id: str
    name: str
    status: Status
    actor: str
    submitted_at: datetime
    updated_at: datetime
    aggregate_id: str | None = None
    version: int | None = None
    error: CommandError | None = None


@dataclass(frozen=True)
class CommandEnvelope:
    """A command on its way through the command queue, with who sent it and when."""

    command_id: str
    command: Command
    actor: str
    admin: bool
    submitted_at: datetime

    @property
    def stream(self) -> str | None:
        command = self.command
        if isinstance(command, AggregateCommand) and command.KIND:
            return stream_name(command.KIND, command.id)
        return None

    @property
    def aggregate_id(self) -> str | None:
        return self.command.id if isinstance(self.command, AggregateCommand) else None

    def context(
        self, today: date, now: datetime | None = None, gone: frozenset[str] = frozenset()
    ) -> Context:
        return Context(actor=self.actor, admin=self.admin, today=today, now=now, gone=gone)

    def record(self) -> CommandRecord:
        return CommandRecord(
            id=self.command_id,
            name=self.command.command_name,
            status=Status.QUEUED,
            actor=self.actor,
            submitted_at=self.submitted_at,
            updated_at=self.submitted_at,
            aggregate_id=self.aggregate_id,
        )

    def to_json(self) -> str:
        return compact_json(
            {
                "command_id": self.command_id,
                "name": self.command.command_name,
                "payload": to_data(self.command),
                "actor": self.actor,
                "admin": self.admin,
                "submitted_at": iso_datetime(self.submitted_at),
            }
        )

    @classmethod
    def from_json(cls, body: str) -> CommandEnvelope:
        raw = json.loads(body)
        return cls(
            command_id=str(raw["command_id"]),
            command=from_data(COMMANDS[raw["name"]], raw["payload"]),
            actor=str(raw["actor"]),
            admin=bool(raw["admin"]),
            submitted_at=datetime.fromisoformat(raw["submitted_at"]),
        )


RESUME_AFTER = "resume_after"  # the key of a replay invocation's payload that names its chunk


def replay_payload(envelope: CommandEnvelope, after: str = "") -> str:
    """What a replay invocation carries: the command's envelope and, for a replay carried on
    in chunks, the stream its chunk starts after."""
    if not after:
        return envelope.to_json()
    body = json.loads(envelope.to_json())
    body[RESUME_AFTER] = after
    return compact_json(body)


def command_id_of(body: str) -> str | None:
    """The command id of a message that may not parse as a whole."""
    try:
        value = json.loads(body).get("command_id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class RecordedEvent:
    """An event as stored: the domain event's data plus where, when, why and by whom."""

    stream: str
    version: int
    type: str
    data: dict[str, Any]
    occurred_at: datetime
    command_id: str
    actor: str
    index: int = 0  # its place among the events of its command
    last: bool = True  # the last event of its command: once applied, the command is APPLIED
    schema_version: int = 1
    position: int | None = field(default=None, compare=False)  # global order, where kept
    # Personal fields whose key was deleted (the person was erased): they read as None.
    erased: tuple[str, ...] = field(default=(), compare=False)

    def with_data(self, data: dict[str, Any], erased: tuple[str, ...] = ()) -> RecordedEvent:
        """The same record holding `data` (an event opened or redacted): what
        dataclasses.replace gives, at a fraction of its cost, which replay pays per event."""
        clone = object.__new__(RecordedEvent)
        fields = clone.__dict__
        fields.update(self.__dict__)
        fields.pop("event", None)  # decoded from the old data
        fields["data"] = data
        fields["erased"] = erased
        return clone

    @classmethod
    def batch(
        cls, envelope: CommandEnvelope, version: int, events: list[Event], at: datetime
    ) -> list[RecordedEvent]:
        """The records of one command's events, appended after `version`."""
        stream = envelope.stream
        assert stream is not None
        return [
            cls(
                stream=stream,
                version=version + 1 + i,
                type=event.type,
                data=to_data(event),
                occurred_at=at,
                command_id=envelope.command_id,
                actor=envelope.actor,
                index=i,
                last=i == len(events) - 1,
                schema_version=event.SCHEMA_VERSION,
            )
            for i, event in enumerate(events)
        ]

    @property
    def event_id(self) -> str:
        """Derived from the command and the event's place in it: a retried command makes the
        same ids, so queues deduplicate them."""
        return str(uuid.uuid5(_EVENT_IDS, f"{self.command_id}/{self.index}"))

    @property
    def kind(self) -> str:
        return parse_stream(self.stream)[0]

    @property
    def aggregate_id(self) -> str:
        return parse_stream(self.stream)[1]

    @cached_property
    def event(self) -> Event:
        data = upcast(self.type, self.schema_version, self.data)
        return from_data(EVENTS[self.type], data)

    def to_json(self) -> str:
        return compact_json(self.to_item())

    def to_item(self) -> dict[str, Any]:
        item = {
            "stream": self.stream,
            "version": self.version,
            "type": self.type,
            "schema_version": self.schema_version,
            "data": self.data,
            "occurred_at": iso_datetime(self.occurred_at),
            "command_id": self.command_id,
            "actor": self.actor,
            "index": self.index,
            "last": self.last,
        }
        if self.position is not None:
            item["position"] = self.position
        return item

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> RecordedEvent:
        return cls(
            stream=item["stream"],
            version=int(item["version"]),
            type=item["type"],
            schema_version=int(item.get("schema_version", 1)),
            data=item["data"],
            occurred_at=datetime.fromisoformat(item["occurred_at"]),
            command_id=item["command_id"],
            actor=item["actor"],
            index=int(item.get("index", 0)),
            last=bool(item.get("last", True)),
            position=int(item["position"]) if item.get("position") is not None else None,
        )

    @classmethod
    def from_json(cls, body: str) -> RecordedEvent:
        return cls.from_item(json.loads(body))


@dataclass(frozen=True)
class ViewRow:
    """One aggregate as queries see it. `data` None is a tombstone: the aggregate was deleted,
    and the row keeps its version so that a late, older event cannot bring it back. A deleted
    user keeps its data, marked `deleted`, so that it can be listed and restored."""

    kind: str
    id: str
    version: int
    data: dict[str, Any] | None
    created_at: datetime | None
    updated_at: datetime

    @property
    def deleted(self) -> bool:
        return self.data is None or bool(self.data.get("deleted"))
