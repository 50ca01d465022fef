from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum
class CommandStatus(Enum):
    QUEUED = "QUEUED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    APPLIED = "APPLIED"
    FAILED = "FAILED"


@strawberry.enum
class UserStatus(Enum):
    ACTIVE = "ACTIVE"
    BLOCKED = "BLOCKED"
    DELETED = "DELETED"
