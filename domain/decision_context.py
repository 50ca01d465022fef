from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Context:
    """Who asks, with what right, and what day it is: everything decide needs from outside."""

    actor: str
    admin: bool
    today: date
