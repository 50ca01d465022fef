"""The baseline of the query figures: a bare Strawberry app serving the same fields from a dict,
with the same parse and validation caching, on the same server stack (`python -m bench.bare_app
--port P`). No auth, no storage, no loaders: what is left is the framework's own cost."""

from __future__ import annotations

import argparse
import base64
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

import strawberry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig

from local_server.serve import run_server, server_config
from schema.scalars import SCALARS

USERS = 1_000
DOCUMENT_CACHE = 1024


@strawberry.type
class User:
    id: strawberry.ID
    email: str
    first_name: str
    last_name: str
    birth_date: date | None
    version: int
    created_at: datetime
    updated_at: datetime


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class UserEdge:
    node: User
    cursor: str


@strawberry.type
class UserConnection:
    edges: list[UserEdge]
    page_info: PageInfo


def _user(i: int) -> User:
    now = datetime(2026, 11, 26, 10, 15, 30, 123000, tzinfo=UTC)
    return User(
        id=strawberry.ID(bare_user_id(i)),
        email=f"bench{i}@example.com",
        first_name="Bench",
        last_name=f"User {i}",
        birth_date=None,
        version=1,
        created_at=now,
        updated_at=now,
    )


def bare_user_id(i: int) -> str:
    return f"auth0|bench-{i:06d}"


DATA = {bare_user_id(i): _user(i) for i in range(USERS)}
ORDER = sorted(DATA)


def _cursor(key: str) -> str:
    return base64.urlsafe_b64encode(("c1:" + key).encode()).decode().rstrip("=")


@strawberry.type
class Query:
    @strawberry.field
    def user(self, id: strawberry.ID) -> User | None:
        return DATA.get(id)

    @strawberry.field
    def users(self, first: int = 20) -> UserConnection:
        rows = ORDER[: first + 1]
        edges = [UserEdge(node=DATA[k], cursor=_cursor(k)) for k in rows[:first]]
        return UserConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=len(rows) > first, end_cursor=edges[-1].cursor),
        )


def app() -> Starlette:
    schema = strawberry.Schema(
        query=Query,
        extensions=[
            lambda: ParserCache(maxsize=DOCUMENT_CACHE),
            lambda: ValidationCache(maxsize=DOCUMENT_CACHE),
        ],
        config=StrawberryConfig(scalar_map=SCALARS),
    )

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        gc.collect()
        gc.freeze()  # as the local server does after start-up
        yield

    graphql = GraphQL[None, None](schema, graphql_ide=None)
    routes = [Route("/healthz", healthz, methods=["GET"]), Route("/graphql", graphql)]
    return Starlette(routes=routes, lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bare_app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    run_server(server_config(app(), args.host, args.port))


if __name__ == "__main__":
    main()
