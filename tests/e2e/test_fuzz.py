"""A property-based fuzz over the committed schema.graphql (hypothesis-graphql): any query or
mutation it allows, with any arguments, as an admin, is answered without INTERNAL and without a
5xx; and any text in variables (lone surrogates included) too, every command queued ending
APPLIED or REJECTED. The app runs in-process over an embedded backend (httpx's ASGI
transport), with a few records so that reads find something; derandomized, so CI sees the same
documents each run.

replayFrom is left out: it would rebuild the views over and over and find nothing new."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import from_schema, nodes

from api.app import create_app
from api.identity import BearerIdentity
from domain import commands as c
from infra.auth import JwksFile, LocalAuthority, TokenVerifier
from infra.settings import Settings
from infra.sqlite import open_backend
from infra.sqlite.backend import EmbeddedBackend
from pipeline.runner import Runner
from pipeline.submit import submit

ROOT = Path(__file__).resolve().parents[2]
SDL = (ROOT / "schema.graphql").read_text()
EXAMPLES = 300
GROUP = "3f0c5a8e-6f0e-4c7b-9d7e-0a1b2c3d4e5f"

# Scalars hypothesis-graphql cannot invent: well-formed values, edge cases of the ranges, and
# arbitrary text (which must be refused, not crash).
DATE_TIMES = st.one_of(
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "2026-01-01"]),
    st.text(max_size=30),
)
DATES = st.one_of(st.dates().map(lambda d: d.isoformat()), st.text(max_size=12))
CUSTOM_SCALARS = {
    "DateTime": DATE_TIMES.map(nodes.String),
    "Date": DATES.map(nodes.String),
    "JSON": st.text(max_size=20).map(nodes.String),
}


def root_fields() -> list[str]:
    from graphql import build_schema

    schema = build_schema(SDL)
    assert schema.query_type is not None and schema.mutation_type is not None
    mutations = [name for name in schema.mutation_type.fields if name != "replayFrom"]
    return [*schema.query_type.fields, *mutations]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str, EmbeddedBackend]]:
    tmp = tmp_path_factory.mktemp("fuzz")
    backend = open_backend(tmp / "data")
    authority = LocalAuthority.ensure(tmp / "keys")
    verifier = TokenVerifier(
        JwksFile(authority.jwks_path),
        issuer=authority.issuer,
        audience=authority.audience,
        admin_claim="permissions",
        admin_value="usermgmt:admin",
    )
    for command in (
        c.CreateGroup(id=GROUP, name="fuzzers", description="d"),
        c.CreateUser(id="auth0|fuzz", email="fuzz@example.com", first_name="F", last_name="Z"),
    ):
        submit(backend, command, actor="auth0|admin", admin=True)
    Runner(backend).run_until_idle()
    settings_ = Settings(environment="local", data_dir=tmp / "data")
    token = authority.mint("auth0|admin", admin_claim="permissions", admin_value="usermgmt:admin")
    yield create_app(backend, BearerIdentity(verifier), settings_), token, backend
    backend.close()


def post(app: Any, token: str, query: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            body = json.dumps({"query": query})
            headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
            return await client.post("/graphql", content=body, headers=headers)

    return asyncio.run(go())


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_generated_operation_is_internal_or_a_server_error(
    app: tuple[Any, str, EmbeddedBackend], data: st.DataObject
) -> None:
    asgi, token, _ = app
    query = data.draw(
        from_schema(SDL, fields=root_fields(), custom_scalars=CUSTOM_SCALARS), label="query"
    )
    reply = post(asgi, token, str(query))
    assert reply.status_code < 500, reply.text
    errors = reply.json().get("errors") or []
    codes = [(e.get("extensions") or {}).get("code") for e in errors]
    assert "INTERNAL" not in codes, (query, errors)


# Variables: any text, lone surrogates and control characters included --------------------------

# Hypothesis rarely draws a surrogate or an invisible character unasked: these are asked for.
HOSTILE_CHARACTERS = st.one_of(
    st.characters(),
    st.characters(categories=["Cs"]),  # lone surrogates
    st.characters(categories=["Cc", "Cf"]),  # control and format characters
    st.sampled_from("\uff46\ufb03\ufdfa\u00df"),  # what NFKC or case folding expands
)
# Joined from a list: st.text() leaves surrogates out whatever its alphabet. Wrapped in what
# makes the rest of a value valid (an id's prefix, an email's domain), so that the hostile
# part is what a check must catch.
HOSTILE = st.tuples(
    st.sampled_from(["", "auth0|", "ann"]),
    st.lists(HOSTILE_CHARACTERS, max_size=20).map("".join),
    st.sampled_from(["", "@example.com"]),
).map("".join)
VALID = st.sampled_from(["auth0|fuzz", GROUP, "fuzz2@example.com", "Name", "Y1ByaW9y"])
VALUE = st.one_of(HOSTILE, VALID, st.just("x" * 4096))

VARIABLES = {
    "id": "ID!",
    "email": "String!",
    "first": "String!",
    "last": "String!",
    "name": "String!",
    "description": "String!",
    "cmd": "ID",
    "group": "ID",
    "after": "String",
}
SELECTIONS = [
    "createUser(input: {id: $id, email: $email, firstName: $first, lastName: $last,"
    " commandId: $cmd}) { commandId }",
    "updateUser(input: {id: $id, email: $email, lastName: $last, groupId: $group}) { commandId }",
    "createGroup(input: {name: $name, description: $description, commandId: $cmd}) { commandId }",
    "deleteUser(id: $id, commandId: $cmd) { commandId }",
    "user(id: $id) { id } command(id: $cmd) { id }",
    "history(aggregateId: $id, after: $after) { edges { cursor } }",
    "users(after: $after, filter: {email: $email, groupId: $group}) { edges { cursor } }",
]


def operation(selection: str) -> tuple[str, list[str]]:
    """The operation around `selection`, declaring the variables it uses (and only those:
    GraphQL refuses an unused one), and their names."""
    used = [name for name in VARIABLES if f"${name}" in selection]
    declared = ", ".join(f"${name}: {VARIABLES[name]}" for name in used)
    kind = (
        "mutation"
        if selection.split("(", maxsplit=1)[0].startswith(("create", "update", "delete"))
        else "query"
    )
    return f"{kind}({declared}) {{ {selection} }}", used


OPERATIONS = st.sampled_from([operation(s) for s in SELECTIONS]).flatmap(
    lambda op: st.tuples(st.just(op[0]), st.fixed_dictionaries(dict.fromkeys(op[1], VALUE)))
)


def post_variables(app: Any, token: str, query: str, variables: dict[str, Any]) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            # json.dumps escapes a lone surrogate as \ud800, as a client's JSON may carry it.
            body = json.dumps({"query": query, "variables": variables})
            headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
            return await client.post("/graphql", content=body, headers=headers)

    return asyncio.run(go())


@settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(request=OPERATIONS)
def test_no_variable_text_is_internal_and_no_queued_command_fails(
    app: tuple[Any, str, EmbeddedBackend], request: tuple[str, dict[str, str]]
) -> None:
    """What the API takes, the pipeline can store: a command it queued ends APPLIED or
    REJECTED, never FAILED (as a string SQLite or DynamoDB cannot encode would make it)."""
    asgi, token, backend = app
    query, variables = request
    reply = post_variables(asgi, token, query, variables)
    assert reply.status_code < 500, reply.text
    payload = reply.json()
    codes = [(e.get("extensions") or {}).get("code") for e in payload.get("errors") or []]
    assert "INTERNAL" not in codes, payload
    receipts = [r for r in (payload.get("data") or {}).values() if r and "commandId" in r]
    if not receipts:
        return
    Runner(backend).run_until_idle()
    for receipt in receipts:
        record = backend.commands.get(receipt["commandId"])
        assert record is not None and record.status.value in {"APPLIED", "REJECTED"}, record
