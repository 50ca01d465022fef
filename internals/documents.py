"""Parsed and validated documents cached by their text (see internals/__init__.py)."""

from __future__ import annotations

from functools import lru_cache

import strawberry
from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, parse
from strawberry.schema.schema import validate_document

DOCUMENT_CACHE = 1024  # distinct query texts kept parsed and validated


@lru_cache(maxsize=DOCUMENT_CACHE)
def parsed(query: str, max_tokens: int) -> DocumentNode:
    """graphql-core's parse, once per text (a GraphQLSyntaxError is raised, not cached)."""
    return parse(query, max_tokens=max_tokens)


def validated(
    schema: strawberry.Schema,
    query: str,
    max_tokens: int,
    rules: tuple[type[ASTValidationRule], ...],
) -> list[GraphQLError]:
    """Strawberry's validation (its own rules added to `rules`) of the parsed `query`."""
    return _validated(schema._schema, query, max_tokens, rules)


@lru_cache(maxsize=DOCUMENT_CACHE)
def _validated(
    schema: GraphQLSchema, query: str, max_tokens: int, rules: tuple[type[ASTValidationRule], ...]
) -> list[GraphQLError]:
    """Keyed by the document's text, whose hash Python keeps, rather than by the parsed
    document, whose hash walks its whole tree again on every request (3 % of a createUser)."""
    return validate_document(schema, parsed(query, max_tokens), rules)
