"""MessageGroupId and MessageDeduplicationId: at most 128 characters of printable ASCII.
Streams and command ids may be longer (a user id is up to 128 characters before its `user#`)
or hold other characters; those are replaced by a digest, the same for the same value, so a
stream keeps one group and a command one deduplication id."""

from __future__ import annotations

import hashlib
import re

_VALID = re.compile(r"^[\x21-\x7e]{1,128}$")


def fifo_id(value: str) -> str:
    if _VALID.match(value):
        return value
    return hashlib.sha256(value.encode()).hexdigest()
