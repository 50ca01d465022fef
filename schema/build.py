"""The assembled Schema, with the defences that are always on and the aids local dev turns on."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import strawberry
from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from internals import documents
from internals.execution_context import Execution
from internals.masking import MaskUnexpected
from schema import cost
from schema.errors import should_mask
from schema.roots import Mutation, Query, Subscription
from schema.scalars import SCALARS
from schema.text import invalid_text, printable

MAX_DEPTH = 10
MAX_ALIASES = 20
MAX_TOKENS = 2000


@dataclass(frozen=True)
class SchemaOptions:
    introspection: bool = True
    field_suggestions: bool = True


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


class Defences(MaskUnexpected):
    """Every request's defences in one extension, since each extension costs hook calls on
    every request: the token limit and the extra validation rules, parsing and validation
    cached by document text (internals/documents.py), variables that are not valid Unicode text
    refused (schema/text.py), the cost limit (schema/cost.py), and unexpected errors masked as
    "Internal server error" with code INTERNAL (Strawberry logs the real one first)."""

    def __init__(self, rules: tuple[type[ASTValidationRule], ...]) -> None:
        super().__init__(should_mask, message="Internal server error", code="INTERNAL")
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
        if context.query is not None:
            with contextlib.suppress(GraphQLError):
                context.graphql_document = documents.parsed(context.query, MAX_TOKENS)
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.query is not None  # it was parsed
        errors = documents.validated(
            context.schema, context.query, MAX_TOKENS, context.validation_rules
        )
        if not errors:
            refused = invalid_text(context.variables)
            errors = [refused] if refused else errors
        if not errors:
            # After validation, with the request's variables (schema/cost.py says why).
            schema = context.schema._schema
            nodes = cost.cost_of(schema, context.query, context.operation_name, context.variables)
            if nodes > cost.MAX_COST:
                errors = [cost.refusal(nodes)]
        context.pre_execution_errors = errors
        yield


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
