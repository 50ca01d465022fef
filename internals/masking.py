"""Masking of unexpected errors, cheaper than Strawberry's own (see internals/__init__.py)."""

from __future__ import annotations

from collections.abc import Callable

from graphql import GraphQLError
from strawberry.extensions import MaskErrors


class MaskUnexpected(MaskErrors):
    """Errors `should_mask` picks reach the client as `message` with `extensions.code` `code`;
    Strawberry logs the real one before masking. The others pass unchanged."""

    def __init__(
        self, should_mask: Callable[[GraphQLError], bool], message: str, code: str
    ) -> None:
        super().__init__(should_mask_error=should_mask, error_message=message)
        self.code = code

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": self.code}
        return masked

    def _process_result(self, result: object) -> None:
        # Strawberry's own test is an isinstance against a runtime-checkable Protocol, which
        # costs 7 µs on every request; this is the same test.
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]
