"""The ports: what the stages need from storage and transport. Adapters live in infra/."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from domain.aggregate import Claim
from domain.model import Effects
from pipeline.records import (
    CommandEnvelope,
    CommandError,
    CommandRecord,
    RecordedEvent,
    Status,
    ViewRow,
)


class AppendError(Exception):
    """An append refused as a whole; nothing of it was written."""


class VersionConflict(AppendError):
    """Another writer appended to the stream first."""


class TreeMoved(AppendError):
    """Another parent change was appended since the group tree was read: decide again."""


class ClaimTaken(AppendError):
    def __init__(self, claim: Claim) -> None:
        super().__init__(f"{claim.kind} {claim.value!r} is taken")
        self.claim = claim


class KeyTaken(AppendError):
    """The person's data key, to be stored with the append, was stored before (by an earlier
    delivery of the command): seal with that one."""


class TargetMissing(AppendError):
    def __init__(self, stream: str) -> None:
        super().__init__(f"{stream} does not exist")
        self.stream = stream


class TargetReferenced(AppendError):
    def __init__(self, stream: str, count: int) -> None:
        super().__init__(f"{stream} is referenced {count} times")
        self.stream = stream
        self.count = count


@dataclass(frozen=True)
class GroupTree:
    """Every group's parent (top-level groups are absent), as of the tree's `version`."""

    version: int = 0
    parents: dict[str, str] = field(default_factory=dict)


class EventStore(Protocol):
    def load(self, stream: str) -> list[RecordedEvent]:
        """Every event of the stream, in version order."""

    def group_tree(self) -> GroupTree:
        """The group tree as the store holds it now (strongly consistent)."""

    def append(
        self,
        stream: str,
        expected_version: int,
        events: Sequence[RecordedEvent],
        effects: Effects,
    ) -> None:
        """Store all events and effects atomically, or raise an AppendError and store nothing.
        With `effects.tree`, the tree must still be at its expected version (else TreeMoved)."""

    def histories_since(
        self, timestamp: datetime, after: str = ""
    ) -> Iterator[list[RecordedEvent]]:
        """The whole history of every stream that has an event at or after `timestamp`, in
        stream order, starting with the first stream that sorts after `after`."""


class KeyStore(Protocol):
    """Each person's own data key, kept outside the event streams: deleting it makes their
    sealed event fields unreadable for good (crypto-shredding)."""

    def get(self, owner: str) -> bytes | None:
        """The owner's key; None when they never had one or it was deleted."""

    def get_or_create(self, owner: str) -> bytes:
        """The owner's key, made now (a fresh random one) if they have none yet."""

    def delete(self, owner: str) -> None:
        """Forget the key for good (nothing when there is none)."""


class KeyStoringEventStore(Protocol):
    """An event store that can store a new data key in the append's own atomic write (saving
    the key its own request): `new_key` as its KeyStore's `prepare` made it."""

    def append_with_key(
        self,
        stream: str,
        expected_version: int,
        events: Sequence[RecordedEvent],
        effects: Effects,
        new_key: object,
    ) -> None:
        """`append`, storing `new_key` too; KeyTaken when the owner already has a key."""


class RedactableStore(Protocol):
    """An event store that can take a person's clear fields out of their events written before
    sealing: the one sanctioned rewrite of the store, event by event (no append, no new
    position; the mediator forwards inserts only)."""

    def redact(self, stream: str, version: int, data: dict[str, object]) -> None:
        """Replace the data of the stream's event at `version`."""


@dataclass(frozen=True)
class ViewFilter:
    email_key: str | None = None  # unique_key of an email (users)
    name_key: str | None = None  # unique_key of a name (authorizations)
    role_id: str | None = None  # users or groups holding the role directly
    group_id: str | None = None  # direct members of the group (users)
    parent_id: str | None = None  # child groups of the group (groups)
    authorization_id: str | None = None  # roles granting the authorization (roles)
    # Users only. None: the live users (active and blocked); "DELETED" lists the deleted, whom
    # no other filter field matches. "BLOCKED"/"ACTIVE": whether a block is in force at `now`.
    status: str | None = None
    now: datetime | None = None


# What each membership filter matches in a row's data: (filter, the data field listing targets)
MEMBERSHIPS: dict[str, tuple[tuple[str, str], ...]] = {
    "user": (("role_id", "role_ids"), ("group_id", "group_ids")),
    "group": (("role_id", "role_ids"), ("parent_id", "parent_id")),
    "role": (("authorization_id", "authorization_ids"),),
}


MEMBER_FILTERS = ("role_id", "group_id", "parent_id", "authorization_id")


def memberships(kind: str, data: dict[str, object] | None) -> set[tuple[str, str]]:
    """(filter, target) pairs a live row matches: ("role_id", R) for each of its roles..."""
    if data is None or data.get("deleted"):  # a deleted user, kept to restore, holds nothing
        return set()
    out: set[tuple[str, str]] = set()
    for via, name in MEMBERSHIPS.get(kind, ()):
        value = data.get(name)
        targets = value if isinstance(value, list | tuple) else [value] if value else []
        out.update((via, str(t)) for t in targets)
    return out


@dataclass(frozen=True)
class BatchRead:
    """What `Views.read_batch` found: live rows by kind and id; and, where asked and the storage
    can read them in the same request, hints ahead of the views (the store's state as of the
    last ACCEPTED command, not APPLIED): the group tree's parents, and which authorization
    holds each name key. None: not read. A caller checks a hint against the views."""

    rows: dict[str, dict[str, ViewRow]]
    parents: dict[str, str] | None = None
    name_owners: dict[str, str] | None = None


class Views(Protocol):
    def get(self, kind: str, aggregate_id: str) -> ViewRow | None:
        """The row, tombstone included."""

    def get_many(self, kind: str, ids: Sequence[str]) -> dict[str, ViewRow]:
        """Live rows (no tombstones) of those ids that exist."""

    def read_batch(
        self, ids: Mapping[str, Sequence[str]], name_keys: Sequence[str] = (), tree: bool = False
    ) -> BatchRead:
        """`get_many` for several kinds at once, in one request where the storage allows (more
        past its limit of keys); with `tree` and `name_keys`, the hints too where it can read
        them in that request."""

    def page(
        self, kind: str, first: int, after: str | None, where: ViewFilter | None = None
    ) -> list[ViewRow]:
        """Up to `first` live rows with ids after `after`, in id order."""

    def pages(
        self, kind: str, first: int, after: str | None, wheres: Sequence[ViewFilter]
    ) -> list[list[ViewRow]]:
        """`page` for each filter, in order: in one read where the storage allows (the
        members of every group on a page of groups)."""

    def put(
        self, row: ViewRow, expected_version: int | None, previous: ViewRow | None = None
    ) -> bool:
        """Write the row if the stored one is at `expected_version` (None: no row yet).
        `previous`, when the caller has it, is the stored row it expects (saves a read)."""

    def replace(self, row: ViewRow) -> bool:
        """Write the row unless the stored one is newer; False when it was newer."""


class CommandLog(Protocol):
    def record(self, record: CommandRecord) -> CommandRecord:
        """Store a new command; when its id was seen before, return the stored one unchanged."""

    def get(self, command_id: str) -> CommandRecord | None: ...

    def about(self, aggregate_id: str, limit: int) -> list[CommandRecord]:
        """Up to `limit` of the commands on this aggregate, oldest first: an index lookup (the
        export of a person's data), never a scan."""

    def advance(
        self,
        command_id: str,
        status: Status,
        at: datetime,
        version: int | None = None,
        error: CommandError | None = None,
    ) -> bool:
        """Move the command forward to `status`; False when it is already there or beyond."""


@dataclass(frozen=True)
class OutMessage:
    body: str
    group: str
    dedup_id: str


@dataclass(frozen=True)
class Message:
    id: str
    body: str
    group: str
    attempts: int  # deliveries so far, this one included
    receipt: str


class ReadOnlyCommandLog:
    """The writes of a CommandLog, refused: for a log handed to a path that only reads it (a
    subscription's first status, a notification), so a mistaken write fails loudly."""

    refusal = "this path only reads the command log"

    def about(self, aggregate_id: str, limit: int) -> list[CommandRecord]:
        raise TypeError(self.refusal)

    def record(self, record: CommandRecord) -> CommandRecord:
        raise TypeError(self.refusal)

    def advance(
        self,
        command_id: str,
        status: Status,
        at: datetime,
        version: int | None = None,
        error: CommandError | None = None,
    ) -> bool:
        raise TypeError(self.refusal)


class Queue(Protocol):
    """A FIFO queue per group: a received message hides the rest of its group until it is
    acknowledged, and comes back (attempts + 1) if it is not acknowledged in time."""

    def send(self, messages: Sequence[OutMessage]) -> None: ...

    def receive(self, max_messages: int) -> list[Message]: ...

    def ack(self, message: Message) -> None: ...

    def ack_many(self, messages: Sequence[Message]) -> None:
        """`ack` for each, in as few calls as the queue allows."""

    def retry(self, message: Message, delay_s: float) -> None:
        """Give the message back, to be delivered again after `delay_s`."""

    def dead_letter(self, message: Message, reason: str) -> None:
        """Move the message to the dead-letter queue: it is never delivered again."""


class RedeliveringQueue(Protocol):
    """A queue whose messages someone else receives and deletes (Lambda's event source mapping
    for SQS): the stage handling a batch can only give messages back sooner or copy them to the
    dead-letter queue."""

    def retry_many(self, messages: Sequence[Message], delay_s: float) -> None:
        """Give the messages back, to be delivered again after `delay_s`."""

    def send_to_dead_letter(self, message: Message, reason: str) -> None:
        """A copy of the message to the dead-letter queue, with the reason it was given up;
        the original stays, to be deleted by whoever received it."""


class AddressedQueue(Protocol):
    """A queue with an address that a poller outside the pipeline receives from."""

    @property
    def url(self) -> str: ...


class FailureCounter(Protocol):
    """A message's own failed attempts, counted on its command where the queue cannot count
    them (an SQS FIFO group's followers are received again each time the group comes back)."""

    def count_failure(self, command_id: str, counter: str) -> int | None:
        """Add one to the command's `counter` and return it; None when the command is not
        known (nothing is counted then)."""


class ChangeFeed(Protocol):
    """The event store's new events in global order, from a durable checkpoint."""

    def read(self, limit: int) -> list[RecordedEvent]: ...

    def commit(self, position: int) -> None: ...


class ReplayLauncher(Protocol):
    def __call__(self, envelope: CommandEnvelope, after: str = "") -> None:
        """Start rebuilding the views for a ReplayFrom command, outside the command stage;
        with `after`, carry on a replay with the streams that sort after that one."""


class ReplayProgress(Protocol):
    """Where a replay run in chunks has got to, kept on its command (where a function's run is
    bounded in time). A chunk is named by the stream it starts after ("": the first chunk)."""

    def start_replay_chunk(self, command_id: str, after: str) -> int | None:
        """Count one more try of the chunk and return the tries so far; None when the command
        is not running that chunk (handed on already, or finished): a stale delivery."""

    def hand_on_replay(self, command_id: str, after: str, reached: str) -> bool:
        """Move the command from the chunk after `after` to the chunk after `reached`; False
        when it was not at `after` (another delivery of the chunk got there first)."""


def utc_now() -> datetime:
    """Now, to the millisecond: the precision the API shows, so an event's shown time is exact
    and asOf that time includes it."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass
class Backend:
    """Every port one deployment offers. `batch` groups several stage steps in one transaction
    where the storage allows it (SQLite); elsewhere it does nothing."""

    events: EventStore
    views: Views
    commands: CommandLog
    command_queue: Queue
    execution_queue: Queue
    change_feed: ChangeFeed | None = None
    batch: Callable[[], AbstractContextManager[object]] = nullcontext
    # True when `batch` undoes all its writes if the block raises. Then a batch of work can
    # run whole first, without a savepoint for each part, and be run again part by part
    # only if something in it failed.
    atomic_batch: bool = False
    clock: Callable[[], datetime] = utc_now
    launch_replay: ReplayLauncher | None = None
    replays: Queue | None = None  # where a polled backend keeps ReplayFrom commands to run
    # Where a stage's failures are counted apart from the queue's deliveries (None: the
    # deliveries are the count), and where a replay run in bounded chunks keeps its progress.
    failures: FailureCounter | None = None
    replay_progress: ReplayProgress | None = None
    # The persons' data keys (None: events are stored as they are, unsealed), and what the
    # storage does once an erasure is written (SQLite empties its WAL of the erased bytes).
    keys: KeyStore | None = None
    on_erase: Callable[[], None] = field(default=lambda: None)
    # For a sealed event: its view row and its person's key, read together where the storage
    # can (one request on DynamoDB). None: the executor reads them apart.
    read_for_event: Callable[[RecordedEvent], tuple[ViewRow | None, bytes | None]] | None = None
    close: Callable[[], None] = field(default=lambda: None)
