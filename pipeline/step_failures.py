"""How a loop that drives the stages meets a step that keeps failing (a full disk, a database
gone read-only): it waits longer each failure in a row, up to a cap, and as little as at first
again from the next success; and it says so without flooding the log: the traceback of a kind
of failure (its exception type and message) the first time it appears, one line after that.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger("usermgmt.runner")

# Kinds remembered, so that messages carrying ids cannot grow the set without end; past this,
# it starts again (and a kind's traceback is logged once more).
KINDS_KEPT = 1000


@dataclass
class StepFailures:
    name: str  # "pipeline step", "replay step"
    first_wait_s: float
    max_wait_s: float
    in_a_row: int = 0
    _seen: set[tuple[str, str]] = field(default_factory=set)

    def failed(self, error: Exception) -> float:
        """Log `error`, and return how long to wait before the next try."""
        self.in_a_row += 1
        doublings = min(self.in_a_row - 1, 32)
        wait = min(self.first_wait_s * float(2**doublings), self.max_wait_s)
        kind = (type(error).__name__, str(error))
        if kind in self._seen:
            log.warning(
                "%s failed again (%s: %s), %d in a row; trying again in %.3g s",
                self.name,
                *kind,
                self.in_a_row,
                wait,
            )
            return wait
        if len(self._seen) >= KINDS_KEPT:
            self._seen.clear()
        self._seen.add(kind)
        log.error(
            "%s failed (%s: %s); trying again in %.3g s", self.name, *kind, wait, exc_info=error
        )
        return wait

    def succeeded(self) -> None:
        if self.in_a_row:
            log.info("%s succeeded after %d failures in a row", self.name, self.in_a_row)
            self.in_a_row = 0
