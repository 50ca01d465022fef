from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time


@dataclass(frozen=True)
class Context:
    """Who asks, with what right, and what day it is: everything decide needs from outside."""

    actor: str
    admin: bool
    today: date
    now: datetime | None = None  # the decision's instant (a block's start); None: today's start
    # Streams found not to exist while deciding (a restore keeps only the references that do).
    gone: frozenset[str] = frozenset()

    def instant(self) -> datetime:
        return self.now or datetime.combine(self.today, time(), UTC)
