"""schema.graphql, which front ends generate their clients from, is the schema the code serves."""

from __future__ import annotations

from pathlib import Path

from schema.build import sdl

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_schema_is_current() -> None:
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == sdl(), "schema.graphql is stale: run `usermgmt export-schema`"


def test_the_schema_has_every_operation_of_the_contract() -> None:
    text = sdl()
    for name in (
        "me: User",
        "user(id: ID!, asOf: DateTime",
        "history(aggregateId: ID!",
        "registerMe(input: RegisterMeInput!)",
        "replayFrom(timestamp: DateTime!)",
        "commandStatus(commandId: ID!): Command!",
        "scalar DateTime",
        "scalar JSON",
    ):
        assert name in text, name
