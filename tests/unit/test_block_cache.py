"""The BLOCKED check's cache: a block reaches a caller within TTL, an unblock or a block's end
at once. The clock is the backend's, injected: no sleeps."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.codec import to_data
from domain.user import Block, User
from pipeline.records import ViewRow
from schema.blocked import TTL, BlockCache

T0 = datetime(2026, 12, 6, 12, tzinfo=UTC)
ADA = User(id="auth0|ada", email="ada@example.com", first_name="Ada", last_name="L")


class Views:
    def __init__(self) -> None:
        self.user = ADA
        self.reads = 0

    def get(self, kind: str, aggregate_id: str) -> ViewRow:
        self.reads += 1
        return ViewRow(kind, self.user.id, 1, to_data(self.user), T0, T0)


class Backend:
    def __init__(self) -> None:
        self.views = Views()
        self.now = T0

    def clock(self) -> datetime:
        return self.now


def blocked(cache: BlockCache, backend: Any) -> bool:
    return cache.blocked(backend, "auth0|ada")


def test_a_block_reaches_a_cached_caller_within_the_ttl() -> None:
    cache, backend = BlockCache(), Backend()
    assert not blocked(cache, backend)
    backend.views.user = dataclasses.replace(ADA, block=Block(reason="x", blocked_by="a", at=T0))
    backend.now = T0 + TTL - timedelta(milliseconds=1)
    assert not blocked(cache, backend)  # still the remembered answer
    assert backend.views.reads == 1
    backend.now = T0 + TTL
    assert blocked(cache, backend)


def test_an_unblock_and_a_blocks_end_take_effect_at_once() -> None:
    cache, backend = BlockCache(), Backend()
    until = T0 + timedelta(minutes=1)
    block = Block(reason="x", blocked_by="a", at=T0, until=until)
    backend.views.user = dataclasses.replace(ADA, block=block)
    assert blocked(cache, backend)
    backend.now = until - timedelta(milliseconds=1)
    assert blocked(cache, backend)
    backend.now = until
    assert not blocked(cache, backend)  # ended by itself: no event, no wait

    backend.views.user = dataclasses.replace(ADA, block=Block(reason="x", blocked_by="a", at=T0))
    cache = BlockCache()
    assert blocked(cache, backend)
    backend.views.user = ADA  # unblocked
    assert not blocked(cache, backend)
