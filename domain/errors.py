from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    VALIDATION = "VALIDATION"
    DUPLICATE = "DUPLICATE"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    FORBIDDEN = "FORBIDDEN"
    BLOCKED = "BLOCKED"
    CYCLE = "CYCLE"  # a group would become its own ancestor
    TOO_DEEP = "TOO_DEEP"  # a group tree would be deeper than domain/tree.py MAX_DEPTH
    INTERNAL = "INTERNAL"


class DomainError(Exception):
    """A command the domain refuses; `field` names the offending input field (snake_case)."""

    def __init__(self, code: Code, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"DomainError({self.code}, {self.message!r}, field={self.field!r})"


def invalid(field: str, message: str) -> DomainError:
    return DomainError(Code.VALIDATION, message, field)
