"""How much CPU other programs used while the bench ran: the noise in its figures. On a shared
2-core machine, a test suite running beside the bench takes most of a core and can halve a
throughput figure; the table says so rather than leaving it to be guessed."""

from __future__ import annotations

import os
import time

_TICKS_PER_S = os.sysconf("SC_CLK_TCK")


class Background:
    """Started on creation; `cores()` is the other programs' average use since then. Our own
    use counts the bench and the servers it started and stopped (waited-for children)."""

    def __init__(self) -> None:
        self._busy = _machine_busy_s()
        self._ours = _our_cpu_s()
        self._at = time.monotonic()

    def cores(self) -> float | None:
        busy = _machine_busy_s()
        if busy is None or self._busy is None:
            return None
        elapsed = time.monotonic() - self._at
        others = (busy - self._busy) - (_our_cpu_s() - self._ours)
        return max(0.0, others / elapsed) if elapsed > 0 else None


def _machine_busy_s() -> float | None:
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None  # not Linux
    idle = fields[3] + fields[4]  # idle and iowait
    return (sum(fields) - idle) / _TICKS_PER_S


def _our_cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system
