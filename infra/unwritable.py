"""What the local server must write to start and could not: said in one line, what, where and
why, rather than as the traceback of whichever write failed first (a read-only or full disk).
"""

from __future__ import annotations

import errno as errnos
import os
from pathlib import Path


class Unwritable(OSError):
    """`what` could not be written to `where`, for `why` (the system's words)."""

    def __init__(self, what: str, where: Path, why: str, errno: int | None = None) -> None:
        super().__init__(errno, why, str(where))
        self.what = what

    def __str__(self) -> str:
        return f"cannot write {self.what} to {self.filename}: {self.strerror}"

    @classmethod
    def of(cls, what: str, where: Path, error: Exception) -> Unwritable:
        """From the error of a write under `where`. An OSError says why; SQLite says only
        "disk I/O error" of a full disk, so the file system is asked what it is."""
        if isinstance(error, OSError) and error.strerror:
            return cls(what, where, error.strerror, error.errno)
        found = _file_system_state(where)
        if found is not None:
            return cls(what, where, os.strerror(found), found)
        return cls(what, where, str(error))


def _file_system_state(where: Path) -> int | None:
    """EROFS or ENOSPC when the file system `where` is on is read-only or full, else None."""
    for place in (where, *where.parents):
        try:
            stats = os.statvfs(place)
        except OSError:
            continue
        if stats.f_flag & os.ST_RDONLY:
            return errnos.EROFS
        if stats.f_bavail == 0:
            return errnos.ENOSPC
        return None
    return None
