"""Whether a user caller is blocked: read from their view row. A caller found not blocked is
remembered per process (per Lambda container) for at most TTL, so a block takes effect within
TTL of its APPLIED, never as long as a token lives; a caller found blocked is read again on
each request, so an unblock (or a block's `until`) takes effect at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.codec import from_data
from domain.user import Block, in_force
from pipeline.ports import Backend

TTL = timedelta(seconds=5)
_MAX_ENTRIES = 10_000  # callers remembered at once; beyond, the cache starts again


@dataclass(frozen=True)
class _Seen:
    at: datetime  # when the caller was found not blocked


class BlockCache:
    def __init__(self) -> None:
        self._seen: dict[str, _Seen] = {}

    def blocked(self, backend: Backend, sub: str) -> bool:
        now = backend.clock()
        seen = self._seen.get(sub)
        if seen is not None and seen.at <= now < seen.at + TTL:
            return False
        block = in_force(_block_of(backend, sub), now)
        if block is None:
            if len(self._seen) >= _MAX_ENTRIES:
                self._seen.clear()
            self._seen[sub] = _Seen(now)
        else:
            self._seen.pop(sub, None)
        return block is not None

    def forget(self) -> None:
        self._seen.clear()


def _block_of(backend: Backend, sub: str) -> Block | None:
    row = backend.views.get("user", sub)
    if row is None or row.deleted or row.data is None or not row.data.get("block"):
        return None
    return from_data(Block, row.data["block"])


CACHE = BlockCache()
