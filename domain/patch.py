"""UNSET marks an update field the caller did not send (as opposed to an explicit null)."""

from __future__ import annotations

from enum import Enum
from typing import Final, TypeVar, Union


class Unset(Enum):
    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET

T = TypeVar("T")
Patch = Union[T, Unset]  # noqa: UP007 - a generic alias needs Union on 3.11
