"""Crypto-shredding: a person's personal event fields are stored sealed with their own key.

A sealed event keeps its other fields in clear (ids, roles, times) and holds the personal ones
(domain.events.PERSONAL) under SEALED: the names of the fields and, in `box`, their JSON sealed
with AES-GCM under the person's data key (a 96-bit random nonce; the stream and version as
associated data, so a box cannot be moved to another event). Erasure deletes the key: from then
on the fields read as None and the record names them in `erased` (docs/api.md, "Erasure").

`SealedEventStore` puts this around any event store: it seals on append and opens on every
read, so the command stage, the executor, replay, history, asOf and export see clear events
while the store holds none. Events written before sealing (clear) are read as they are.
"""

from __future__ import annotations

import base64
import hmac
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from domain.aggregate import Claim
from domain.codec import compact_json
from domain.events import PERSONAL
from domain.model import Effects
from pipeline.ports import EventStore, GroupTree, KeyStore, KeyTaken
from pipeline.records import RecordedEvent

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger("usermgmt.pipeline")

SEALED = "sealed"
CLAIM_SECRET = "secret#claims"  # the keyed hash's secret, kept with (and like) the keys
HASHED_CLAIMS = frozenset({"email"})  # personal: stored as their keyed hash
HASHED = "hmac:"  # a hashed claim's value: this, then the hash in hex
ERASED_EVENT = "UserErased"
KEY_BYTES = 32  # AES-256
_NONCE_BYTES = 12


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


@lru_cache(maxsize=256)
def _cipher(key: bytes) -> AESGCM:
    """Imported on first use: functions that never open an event never load cryptography.
    Kept for the next event under the same key (the command stage seals it, the executor opens
    it): only the key's bytes find it, so an erased person's key cannot be got back here."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def personal_fields(record: RecordedEvent) -> tuple[str, ...]:
    """The personal fields the record holds in clear."""
    return tuple(f for f in PERSONAL.get(record.type, ()) if f in record.data)


def is_sealed(record: RecordedEvent) -> bool:
    return SEALED in record.data


def seal(record: RecordedEvent, key: bytes) -> RecordedEvent:
    fields = personal_fields(record)
    if not fields:
        return record
    clear = {k: v for k, v in record.data.items() if k not in fields}
    secret = compact_json({f: record.data[f] for f in fields}).encode()
    nonce = os.urandom(_NONCE_BYTES)
    box = nonce + _cipher(key).encrypt(nonce, secret, _associated(record))
    clear[SEALED] = {"fields": list(fields), "box": base64.b64encode(box).decode()}
    return record.with_data(clear, record.erased)


def open_record(record: RecordedEvent, key: bytes | None) -> RecordedEvent:
    """The record with its personal fields in clear; with no key (erased), each None."""
    sealed = record.data.get(SEALED)
    if sealed is None:
        return record
    data = dict(record.data)
    del data[SEALED]
    fields: list[str] = sealed["fields"]
    # No key (erased), or redacted in place (written in clear before sealing, then erased)
    if key is None or sealed["box"] is None:
        data.update(dict.fromkeys(fields))
        return record.with_data(data, tuple(fields))
    box = base64.b64decode(sealed["box"])
    secret = _cipher(key).decrypt(box[:_NONCE_BYTES], box[_NONCE_BYTES:], _associated(record))
    data.update(json.loads(secret.decode()))
    return record.with_data(data)


def _associated(record: RecordedEvent) -> bytes:
    return f"{record.stream}/{record.version}".encode()


class SealedEventStore:
    """An EventStore that seals personal fields on the way in and opens them on the way out.
    An append with a UserErased deletes the person's key once the events are stored (and a
    read of an erased stream deletes it too, had a crash come between the two)."""

    def __init__(
        self,
        inner: EventStore,
        keys: KeyStore,
        on_erase: Callable[[], None] = lambda: None,
        *,
        clear_claims: Callable[[], bool] = lambda: True,
    ) -> None:
        self.inner = inner
        self.keys = keys
        self.on_erase = on_erase
        # Whether the store may hold email claims taken before they were hashed: a claim then
        # also checks that its clear form is not another's. A store that can tell it holds
        # none (nothing writes them any more) saves that read.
        self.clear_claims = clear_claims
        self._secret: bytes | None = None  # never deleted: kept once read
        # The key the last stream read was opened with: the command stage reads a stream, then
        # appends to it, and needs not ask for the key twice.
        self._last: tuple[str, bytes] | None = None
        # Whether the last stream read held clear personal fields (written before sealing):
        # an erasure appended after reading it redacts only then, without reading it again.
        self._clear: tuple[str, bool] | None = None

    def load(self, stream: str) -> list[RecordedEvent]:
        return self._opened(self.inner.load(stream))

    def group_tree(self) -> GroupTree:
        return self.inner.group_tree()  # group ids and parents: nothing personal in it

    def append(
        self,
        stream: str,
        expected_version: int,
        events: Sequence[RecordedEvent],
        effects: Effects,
    ) -> None:
        needs_key = any(personal_fields(r) for r in events)
        last = self._last
        key = last[1] if needs_key and last is not None and last[0] == stream else None
        prepare = getattr(self.keys, "prepare", None)
        with_key = getattr(self.inner, "append_with_key", None)
        if needs_key and key is None and expected_version == 0 and prepare and with_key:
            # A new stream: its key is stored in the append's own write.
            key, new_key = prepare(stream)
            try:
                with_key(stream, 0, self._sealed(events, key), self.hashed(effects), new_key)
                self._last = (stream, key)
                return
            except KeyTaken:
                key = None  # an earlier delivery stored one: seal with it
        if needs_key and key is None:
            key = self.keys.get_or_create(stream)
        self.inner.append(stream, expected_version, self._sealed(events, key), self.hashed(effects))
        if any(r.type == ERASED_EVENT for r in events):
            self._last = None
            self.keys.delete(stream)
            self._redact(stream)
            self.on_erase()

    @staticmethod
    def _sealed(events: Sequence[RecordedEvent], key: bytes | None) -> list[RecordedEvent]:
        return [seal(r, key) if key is not None else r for r in events]

    def _redact(self, stream: str) -> None:
        """Events written in clear before sealing lose their personal fields (found by the
        person's stream, never a Scan): they then read as sealed ones do once erased."""
        redact = getattr(self.inner, "redact", None)
        if redact is None or self._clear == (stream, False):
            return
        for record in self.inner.load(stream):
            fields = personal_fields(record)
            if fields:
                redact(stream, record.version, redacted(record.data, fields))

    def hashed(self, effects: Effects) -> Effects:
        """Email claims as their keyed hash: a claim taken is stored hashed, and its clear form
        (stored before hashing) must not be another's; a claim released goes in both forms."""
        if not any(c.kind in HASHED_CLAIMS for c in effects.take | effects.release):
            return effects
        if self._secret is None:
            self._secret = self.keys.get_or_create(CLAIM_SECRET)
        secret = self._secret

        def hashed(claims: frozenset[Claim]) -> frozenset[Claim]:
            return frozenset(keyed_claim(c, secret) for c in claims)

        clear_taken = frozenset(
            c for c in effects.take if c.kind in HASHED_CLAIMS and self.clear_claims()
        )
        return replace(
            effects,
            take=hashed(effects.take),
            release=hashed(effects.release)
            | (effects.release if self.clear_claims() else frozenset()),
            vacant=effects.vacant | clear_taken,
        )

    def histories_since(
        self, timestamp: datetime, after: str = ""
    ) -> Iterator[list[RecordedEvent]]:
        for history in self.inner.histories_since(timestamp, after):
            yield self._opened(history)

    def _opened(self, history: list[RecordedEvent]) -> list[RecordedEvent]:
        if history:
            self._clear = (history[0].stream, any(personal_fields(r) for r in history))
        if not any(is_sealed(r) for r in history):
            return history
        stream = history[0].stream
        if any(r.type == ERASED_EVENT for r in history):
            self._forget(stream)
            key = None
        else:
            key = self.keys.get(stream)
            if key is not None:
                self._last = (stream, key)
        return [open_record(r, key) for r in history]

    def _forget(self, stream: str) -> None:
        """Make sure an erased person's key is gone (a crash may have come between the
        append and the delete). A reader not allowed to delete leaves it to the next writer."""
        try:
            if self.keys.get(stream) is not None:
                self.keys.delete(stream)
        except Exception:
            log.warning("an erased stream's key is still there; not allowed to delete it here")


def redacted(data: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    clear = {k: v for k, v in data.items() if k not in fields}
    return {**clear, SEALED: {"fields": list(fields), "box": None}}


def keyed_claim(claim: Claim, secret: bytes) -> Claim:
    if claim.kind not in HASHED_CLAIMS:
        return claim
    digest = hmac.digest(secret, claim.value.encode(), "sha256").hex()  # OpenSSL's one-shot
    return Claim(claim.kind, HASHED + digest)


def is_clear_claim(claim: Claim) -> bool:
    """A claim on a personal value stored in clear: taken before such claims were hashed."""
    return claim.kind in HASHED_CLAIMS and not claim.value.startswith(HASHED)


def opened(record: RecordedEvent, keys: KeyStore | None) -> RecordedEvent:
    """One record as received from a queue, opened with its person's key."""
    if keys is None or not is_sealed(record):
        return record
    return open_record(record, keys.get(record.stream))
