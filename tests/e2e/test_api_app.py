"""The app factory in-process (httpx's ASGI transport), for what the local server does not show:
production settings, a fault inside a resolver, the number of view reads behind a page."""

from __future__ import annotations

import asyncio
import gc
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.app import create_app
from api.identity import AuthorizerIdentity, BearerIdentity
from domain.commands import CreateAuthorization, CreateGroup, CreateRole, CreateUser
from infra.auth import JwksFile, LocalAuthority, TokenVerifier
from infra.settings import Settings
from infra.sqlite import open_backend
from infra.sqlite.backend import EmbeddedBackend
from pipeline.ports import BatchRead, ViewFilter, Views
from pipeline.records import ViewRow
from pipeline.runner import Runner
from pipeline.submit import submit

PRODUCTION = Settings(
    environment="production",
    auth0_domain="tenant.example.auth0.com",
    auth0_audience="https://usermgmt.example/api",
    introspection=False,
    graphiql=False,
    field_suggestions=False,
)


@pytest.fixture
def backend(tmp_path: Path) -> Iterator[EmbeddedBackend]:
    backend = open_backend(tmp_path / "data")
    yield backend
    backend.close()


@pytest.fixture
def authority(tmp_path: Path) -> LocalAuthority:
    return LocalAuthority.ensure(tmp_path / "keys")


def bearer(authority: LocalAuthority) -> BearerIdentity:
    verifier = TokenVerifier(
        JwksFile(authority.jwks_path),
        issuer=authority.issuer,
        audience=authority.audience,
        admin_claim="permissions",
        admin_value="usermgmt:admin",
    )
    return BearerIdentity(verifier)


def admin_token(authority: LocalAuthority) -> str:
    return authority.mint("admin", admin_claim="permissions", admin_value="usermgmt:admin")


def request(app: Any, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def post(app: Any, query: str, token: str | None = None) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    reply = request(app, "POST", "/graphql", json={"query": query}, headers=headers)
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    return body


def test_production_settings_turn_introspection_graphiql_and_suggestions_off(
    backend: EmbeddedBackend, authority: LocalAuthority
) -> None:
    app = create_app(backend, bearer(authority), PRODUCTION)
    token = admin_token(authority)
    refused = post(app, "{ __schema { types { name } } }", token)
    assert refused.get("data") is None
    assert "introspection" in refused["errors"][0]["message"].lower()
    typo = post(app, "{ me { idd } }", token)
    assert "Did you mean" not in typo["errors"][0]["message"]
    assert request(app, "GET", "/graphql", headers={"accept": "text/html"}).status_code == 401
    assert request(app, "GET", "/.well-known/jwks.json").status_code == 404
    assert post(app, "{ me { id } }", token) == {"data": {"me": None}}


def test_allowed_origins_get_cors_answers_and_others_are_refused(
    backend: EmbeddedBackend, authority: LocalAuthority
) -> None:
    admin_ui = "https://admin.example.com"
    settings = replace(PRODUCTION, allowed_origins=(admin_ui,))
    app = create_app(backend, bearer(authority), settings)
    preflight = {"origin": admin_ui, "access-control-request-method": "POST"}
    preflight["access-control-request-headers"] = "authorization, content-type"
    answer = request(app, "OPTIONS", "/graphql", headers=preflight)
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == admin_ui
    assert "authorization" in answer.headers["access-control-allow-headers"].lower()
    headers = {"origin": admin_ui, "authorization": f"Bearer {admin_token(authority)}"}
    reply = request(app, "POST", "/graphql", json={"query": "{ me { id } }"}, headers=headers)
    assert reply.json() == {"data": {"me": None}}
    assert reply.headers["access-control-allow-origin"] == admin_ui
    headers["origin"] = "https://evil.example.com"
    refused = request(app, "POST", "/graphql", json={"query": "{ me { id } }"}, headers=headers)
    assert refused.status_code == 403
    assert "access-control-allow-origin" not in refused.headers


def test_a_request_leaves_nothing_for_the_cycle_collector(
    backend: EmbeddedBackend, authority: LocalAuthority
) -> None:
    """What a request makes is freed when it ends. Garbage left in reference cycles waits for
    the cyclic collector, whose runs took a tenth of a createUser's CPU. The app is called as
    the server calls it (an HTTP client would leave cycles of its own)."""
    app = create_app(backend, bearer(authority), PRODUCTION)
    token = admin_token(authority)
    created = "mutation($in: CreateUserInput!) { createUser(input: $in) { commandId status } }"
    polled = "query($a: ID!, $b: ID!) { a: command(id: $a) { status } b: command(id: $b) { id } }"
    paged = "{ users(first: 10) { edges { node { id email roles { name } } } } }"
    pipeline = Runner(backend)

    async def requests(n: int) -> None:
        for i in range(n):
            user = {"id": f"auth0|gc-{n}-{i}", "email": f"gc{n}.{i}@example.com"}
            variables = {"in": {**user, "firstName": "G", "lastName": "C"}}
            reply = await asgi_post(app, token, created, variables)
            command_id = reply["data"]["createUser"]["commandId"]
            pipeline.run_until_idle()
            await asgi_post(app, token, polled, {"a": command_id, "b": command_id})
            assert (await asgi_post(app, token, paged))["data"]["users"]["edges"]

    async def garbage_after(n: int) -> int:
        await requests(3)  # caches filled, documents parsed
        gc.collect()
        gc.disable()
        try:
            await requests(n)
            return gc.collect()
        finally:
            gc.enable()

    assert asyncio.run(garbage_after(10)) == 0


async def asgi_post(
    app: Any, token: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables}).encode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "server": ("api.test", 80),
        "client": ("127.0.0.1", 5000),
        "headers": [
            (b"host", b"api.test"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    incoming = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return incoming.pop() if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    reply: dict[str, Any] = json.loads(sent[-1]["body"])
    return reply


def _table_gone() -> sqlite3.OperationalError:
    return sqlite3.OperationalError("no such table: view_user")


class BrokenViews:
    """Views whose table is gone: the error names it, and the client must not see that."""

    def get(self, kind: str, aggregate_id: str) -> ViewRow | None:
        raise _table_gone()

    def get_many(self, kind: str, ids: Sequence[str]) -> dict[str, ViewRow]:
        raise _table_gone()

    def read_batch(
        self, ids: Mapping[str, Sequence[str]], name_keys: Sequence[str] = (), tree: bool = False
    ) -> BatchRead:
        raise _table_gone()

    def page(
        self, kind: str, first: int, after: str | None, where: ViewFilter | None = None
    ) -> list[ViewRow]:
        raise _table_gone()

    def pages(
        self, kind: str, first: int, after: str | None, wheres: Sequence[ViewFilter]
    ) -> list[list[ViewRow]]:
        raise _table_gone()

    def put(
        self, row: ViewRow, expected_version: int | None, previous: ViewRow | None = None
    ) -> bool:
        raise _table_gone()

    def replace(self, row: ViewRow) -> bool:
        raise _table_gone()


def test_an_internal_exception_is_masked(
    backend: EmbeddedBackend, authority: LocalAuthority
) -> None:
    backend.views = BrokenViews()
    app = create_app(backend, bearer(authority), PRODUCTION)
    reply = post(app, "{ users { edges { cursor } } }", admin_token(authority))
    (error,) = reply["errors"]
    assert error["message"] == "Internal server error"
    assert error["extensions"] == {"code": "INTERNAL"}
    text = str(reply)
    assert "view_user" not in text and "Traceback" not in text and "sqlite" not in text


class CountingViews:
    """The views, counting the reads (writes pass through uncounted)."""

    def __init__(self, inner: Views) -> None:
        self.inner = inner
        self.reads = 0

    def get(self, kind: str, aggregate_id: str) -> ViewRow | None:
        self.reads += 1
        return self.inner.get(kind, aggregate_id)

    def get_many(self, kind: str, ids: Sequence[str]) -> dict[str, ViewRow]:
        self.reads += 1
        return self.inner.get_many(kind, ids)

    def read_batch(
        self, ids: Mapping[str, Sequence[str]], name_keys: Sequence[str] = (), tree: bool = False
    ) -> BatchRead:
        self.reads += 1
        return self.inner.read_batch(ids, name_keys, tree)

    def page(
        self, kind: str, first: int, after: str | None, where: ViewFilter | None = None
    ) -> list[ViewRow]:
        self.reads += 1
        return self.inner.page(kind, first, after, where)

    def pages(
        self, kind: str, first: int, after: str | None, wheres: Sequence[ViewFilter]
    ) -> list[list[ViewRow]]:
        self.reads += 1
        return self.inner.pages(kind, first, after, wheres)

    def put(
        self, row: ViewRow, expected_version: int | None, previous: ViewRow | None = None
    ) -> bool:
        return self.inner.put(row, expected_version, previous)

    def replace(self, row: ViewRow) -> bool:
        return self.inner.replace(row)


def populate(backend: EmbeddedBackend, users: int) -> None:
    ids = [f"00000000-0000-4000-8000-{i:012d}" for i in range(4)]
    for i, auth in enumerate(ids[:2]):
        submit(backend, CreateAuthorization(id=auth, name=f"a{i}", description="d"), "t", True)
    submit(
        backend,
        CreateRole(id=ids[2], name="r", description="d", authorization_ids=tuple(ids[:2])),
        "t",
        True,
    )
    submit(backend, CreateGroup(id=ids[3], name="g", description="d"), "t", True)
    Runner(backend).run_until_idle()
    for n in range(users):
        user = CreateUser(
            id=f"auth0|{n:04d}",
            email=f"u{n}@example.com",
            first_name="F",
            last_name="L",
            role_ids=(ids[2],),
            group_ids=(ids[3],),
        )
        submit(backend, user, "t", True)
    Runner(backend).run_until_idle()


# A page of users with their roles and groups, and the authorizations of one role (a user's
# roles' authorizations weigh up to 20 x 40 nodes each: schema/cost.py).
PAGE = """{ users(first: 9) { edges { node { id roles { name } groups { name } } } }
  role(id: "00000000-0000-4000-8000-000000000002") { authorizations { name } } }"""


@pytest.mark.parametrize("users", [2, 9])
def test_a_page_of_users_costs_a_fixed_number_of_view_reads(
    backend: EmbeddedBackend, authority: LocalAuthority, users: int
) -> None:
    populate(backend, users)
    counting = CountingViews(backend.views)
    backend.views = counting
    app = create_app(backend, bearer(authority), PRODUCTION)
    reply = post(app, PAGE, admin_token(authority))
    edges = reply["data"]["users"]["edges"]
    assert len(edges) == users
    assert all(e["node"]["roles"] == [{"name": "r"}] for e in edges)
    assert all(e["node"]["groups"] == [{"name": "g"}] for e in edges)
    assert len(reply["data"]["role"]["authorizations"]) == 2
    # the page and the role, then one batch each for roles, groups and authorizations
    assert counting.reads == 5


GROUPS_PAGE = """{ groups(first: 100) { edges { node { name
  members(first: 2) { edges { node { id } } pageInfo { hasNextPage } } } } } }"""


@pytest.mark.parametrize("groups", [2, 30])
def test_a_page_of_groups_with_their_members_costs_a_fixed_number_of_view_reads(
    backend: EmbeddedBackend, authority: LocalAuthority, groups: int
) -> None:
    ids = [f"00000000-0000-4000-9000-{i:012d}" for i in range(groups)]
    for i, group_id in enumerate(ids):
        submit(backend, CreateGroup(id=group_id, name=f"g{i}", description="d"), "t", True)
    Runner(backend).run_until_idle()
    for i, group_id in enumerate(ids):
        for n in range(i % 4):  # 0 to 3 members
            user = CreateUser(
                id=f"auth0|g{i}-{n}",
                email=f"g{i}-{n}@example.com",
                first_name="F",
                last_name="L",
                group_ids=(group_id,),
            )
            submit(backend, user, "t", True)
    Runner(backend).run_until_idle()
    counting = CountingViews(backend.views)
    backend.views = counting
    app = create_app(backend, bearer(authority), PRODUCTION)
    edges = post(app, GROUPS_PAGE, admin_token(authority))["data"]["groups"]["edges"]
    members = {e["node"]["name"]: e["node"]["members"] for e in edges}
    for i in range(groups):
        page = members[f"g{i}"]
        shown = min(i % 4, 2)
        assert [m["node"]["id"] for m in page["edges"]] == [f"auth0|g{i}-{n}" for n in range(shown)]
        assert page["pageInfo"]["hasNextPage"] == (i % 4 > 2)
    assert counting.reads == 2  # the groups, then one batch for every group's members


def test_behind_an_authorizer_the_caller_comes_from_its_context(
    backend: EmbeddedBackend, authority: LocalAuthority
) -> None:
    """On Lambda, Mangum puts the API Gateway event in the scope; the authorizer's context in
    it names the caller, and no token is looked at."""
    populate(backend, 1)
    inner = create_app(backend, AuthorizerIdentity(), PRODUCTION)
    context = {"sub": "auth0|0000", "admin": "false"}

    async def lambda_like(scope: dict[str, Any], receive: Any, send: Any) -> None:
        scope["aws.event"] = {"requestContext": {"authorizer": {"lambda": context}}}
        await inner(scope, receive, send)

    assert post(lambda_like, "{ me { id } }") == {"data": {"me": {"id": "auth0|0000"}}}
    refused = post(lambda_like, "{ users { edges { cursor } } }")
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    context["admin"] = "true"
    assert len(post(lambda_like, "{ users { edges { cursor } } }")["data"]["users"]["edges"]) == 1
    context.pop("sub")
    assert (
        request(lambda_like, "POST", "/graphql", json={"query": "{ me { id } }"}).status_code == 401
    )
