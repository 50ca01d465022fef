"""The assembled Schema, with the defences that are always on and the aids local dev turns on."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import strawberry
from graphql import ASTValidationRule, GraphQLError, GraphQLSchema, parse
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionContext

from schema.errors import should_mask
from schema.execution import Execution
from schema.roots import Mutation, Query, Subscription
from schema.scalars import SCALARS
from schema.text import invalid_text, printable

MAX_DEPTH = 10
MAX_ALIASES = 20
MAX_TOKENS = 2000
DOCUMENT_CACHE = 1024  # distinct query texts kept parsed and validated


@dataclass(frozen=True)
class SchemaOptions:
    introspection: bool = True
    field_suggestions: bool = True


class MaskInternalErrors(MaskErrors):
    """Unexpected exceptions reach the client as "Internal server error" with code INTERNAL;
    the real one is logged by Strawberry before masking."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask, error_message="Internal server error")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL"}
        return masked

    def _process_result(self, result: object) -> None:
        # Strawberry's own test is an isinstance against a runtime-checkable Protocol, which
        # costs 7 µs on every request; this is the same test.
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = self._process_errors(errors)  # type: ignore[attr-defined]


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Only what will be masked is worth a stack trace in the log: refusals (bad input,
        # permissions, invalid documents) are the client's business and already in its reply.
        super().process_errors([e for e in errors if should_mask(e)], execution_context)


def build_schema(options: SchemaOptions = SchemaOptions()) -> strawberry.Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=_extensions(options),
        execution_context_class=Execution,
        config=StrawberryConfig(
            scalar_map=SCALARS,
            disable_field_suggestions=not options.field_suggestions,
        ),
    )


class Defences(MaskInternalErrors):
    """Every request's defences in one extension, since each extension costs hook calls on
    every request: the token limit and the extra validation rules, parsing and validation
    cached by document text (an LRU of DOCUMENT_CACHE each), variables that are not valid
    Unicode text refused (schema/text.py), and unexpected errors masked."""

    def __init__(self, rules: tuple[type[ASTValidationRule], ...]) -> None:
        super().__init__()
        self.rules = rules

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = MAX_TOKENS
        context.validation_rules = context.validation_rules + self.rules
        name = context.operation_name
        if name is not None and printable(name) != name:
            # Strawberry keeps the name the request gave only here (no setter).
            context._provided_operation_name = printable(name)
        yield from super().on_operation()

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        # A document that does not parse is left to Strawberry's own parse, which turns the
        # error into the operation's reply on every transport (this hook runs outside that
        # handling, so raising here would end a subscription without a word).
        with contextlib.suppress(GraphQLError):
            context.graphql_document = _parse(context.query, **context.parse_options)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.query is not None  # it was parsed
        errors = _validate(context.schema._schema, context.query, context.validation_rules)
        if not errors:
            refused = invalid_text(context.variables)
            errors = [refused] if refused else errors
        context.pre_execution_errors = errors
        yield


_parse = lru_cache(maxsize=DOCUMENT_CACHE)(parse)


@lru_cache(maxsize=DOCUMENT_CACHE)
def _validate(
    schema: GraphQLSchema, query: str, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    """Keyed by the document's text, whose hash Python keeps, rather than by the parsed
    document, whose hash walks its whole tree again on every request (3 % of a createUser)."""
    return validate_document(schema, _parse(query, max_tokens=MAX_TOKENS), rules)


def _extensions(options: SchemaOptions) -> list[Callable[[], SchemaExtension]]:
    # The rule classes are made once: the validation cache keys on them, so rules made anew for
    # each request would make every request a cache miss.
    rules = [
        *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
        *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    ]
    if not options.introspection:
        rules += DisableIntrospection().validation_rules
    chosen = tuple(rules)
    return [lambda: Defences(chosen)]


def sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return str(build_schema()).rstrip("\n") + "\n"
