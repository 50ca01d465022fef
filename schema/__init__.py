"""The GraphQL contract: Strawberry types, inputs, enums, permissions, context and the Schema.

The modules whose annotations Strawberry reads (types, inputs, pagination, roots, and the
resolvers in resolvers/) do without `from __future__ import annotations`: Strawberry evaluates
every field's and argument's annotation, and each one given as a string costs a compile, about
10 ms of the GraphQL function's cold start in all. Forward references are quoted instead.
"""
