"""Errors clients are meant to see, each with its `extensions.code`; everything else is masked."""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import GraphQLError
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from domain.errors import DomainError

# Strawberry's own refusals of a request before it runs: the client's mistake, said plainly.
_REFUSALS = (CannotGetOperationTypeError, InvalidOperationTypeError, MissingQueryError)


class ApiError(GraphQLError):
    code: ClassVar[str] = "INTERNAL"

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message, extensions={"code": self.code, **extensions})


class Unauthenticated(ApiError):
    code = "UNAUTHENTICATED"


class Forbidden(ApiError):
    code = "FORBIDDEN"


class Blocked(ApiError):
    """The caller's own user record is blocked. The message never carries the reason."""

    code = "BLOCKED"


class BadUserInput(ApiError):
    code = "BAD_USER_INPUT"

    @classmethod
    def of(cls, error: DomainError) -> BadUserInput:
        field = camel(error.field) if error.field else None
        message = _camel_words(error.message, error.field) if error.field else error.message
        return cls(message, field=field) if field else cls(message)


def camel(name: str) -> str:
    """The API's name of a domain field: first_name -> firstName."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _camel_words(message: str, field: str) -> str:
    return message.replace(field, camel(field))


def should_mask(error: GraphQLError) -> bool:
    """Mask what the code did not mean to say: any exception that is not an ApiError or a
    GraphQL error. Input coercion errors (a malformed DateTime literal) stay readable: they
    point at the document (nodes) and not at a result (path). An exception with neither, such
    as one a subscription's source raises, is the code's and masked."""
    original = error.original_error
    if original is None or isinstance(original, (GraphQLError, *_REFUSALS)):
        return False
    coercion = error.path is None and bool(error.nodes)
    return not (coercion and isinstance(original, ValueError | TypeError))
