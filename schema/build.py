"""The assembled Schema, with the defences that are always on and the aids local dev turns on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from schema.errors import should_mask
from schema.roots import Mutation, Query, Subscription
from schema.scalars import SCALARS

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
        config=StrawberryConfig(
            scalar_map=SCALARS,
            disable_field_suggestions=not options.field_suggestions,
        ),
    )


def _extensions(options: SchemaOptions) -> list[Callable[[], SchemaExtension]]:
    # The rule classes are made once: the validation cache keys on them, so rules made anew for
    # each request would make every request a cache miss.
    rules = [
        *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
        *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    ]
    if not options.introspection:
        rules += DisableIntrospection().validation_rules
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(rules),
        lambda: ParserCache(maxsize=DOCUMENT_CACHE),
        lambda: ValidationCache(maxsize=DOCUMENT_CACHE),
        MaskInternalErrors,
    ]


def sdl() -> str:
    """The schema in SDL, as committed in schema.graphql."""
    return str(build_schema()).rstrip("\n") + "\n"
