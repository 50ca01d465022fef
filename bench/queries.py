"""Queries through the local server against a bare Strawberry app serving the same fields from
a dict, on the same server stack, in turns (ours, bare, ours, bare...) so drift hits both; and
the checks (GraphQL `can`, AuthZEN's evaluation) in the same turns, against a user by id."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.bare_app import USERS, bare_user_id
from bench.load import Connection, closed_loop, graphql_request
from bench.probes import Sizes, probe
from bench.results import Figure, figure
from bench.server import Server, bare_server, usermgmt_server
from domain import commands as c
from infra.sqlite import open_backend
from pipeline.runner import Runner
from pipeline.submit import submit

FIELDS = "id email firstName lastName birthDate version createdAt updatedAt"
USER = f"query($id: ID!) {{ user(id: $id) {{ {FIELDS} }} }}"
PAGE = (
    f"query {{ users(first: 50) {{ edges {{ node {{ {FIELDS} }} cursor }}"
    " pageInfo { hasNextPage endCursor } } }"
)
CAN = 'query($id: ID!) { can(userId: $id, authorization: "bench.read") { allowed } }'
RIGHT = "bench.read"  # every seeded user's role grants it
CLIENTS = 8


def seed(data: Path, users: int = USERS) -> None:
    """`users` users with the bare app's ids, through the pipeline, before the server starts."""
    backend = open_backend(data)
    authorization_id, role_id = str(uuid.uuid4()), str(uuid.uuid4())
    with backend.batch():
        right = c.CreateAuthorization(id=authorization_id, name=RIGHT, description="r")
        submit(backend, right, "bench", admin=True)
        grant = c.CreateRole(
            id=role_id, name="bench", description="b", authorization_ids=(authorization_id,)
        )
        submit(backend, grant, "bench", admin=True)
    Runner(backend).run_until_idle()  # the role exists before users hold it
    with backend.batch():
        for i in range(users):
            command = c.CreateUser(
                id=bare_user_id(i),
                email=f"bench{i}@example.com",
                first_name="Bench",
                last_name=f"User {i}",
                role_ids=(role_id,),
            )
            submit(backend, command, "bench", admin=True)
    Runner(backend).run_until_idle()
    backend.close()


Work = Callable[[Connection, int], Awaitable[None]]


def by_id(server: Server) -> Work:
    requests = [
        graphql_request(server.host, server.port, server.token, USER, {"id": bare_user_id(i)})
        for i in range(USERS)
    ]

    async def work(conn: Connection, n: int) -> None:
        _check(await conn.request(requests[n % USERS]), "user")

    return work


def can(server: Server) -> Work:
    """GraphQL `can` for a user whose role grants the right: the user, role and authorization
    reads of a check, as an app asks it."""
    requests = [
        graphql_request(server.host, server.port, server.token, CAN, {"id": bare_user_id(i)})
        for i in range(USERS)
    ]

    async def work(conn: Connection, n: int) -> None:
        status, body = await conn.request(requests[n % USERS])
        if status != 200 or b'"allowed":true' not in body.replace(b" ", b""):
            raise RuntimeError(f"can failed: HTTP {status} {body[:300]!r}")

    return work


def authzen(server: Server) -> Work:
    """The same check through AuthZEN's POST /access/v1/evaluation."""
    requests = [authzen_request(server, bare_user_id(i)) for i in range(USERS)]

    async def work(conn: Connection, n: int) -> None:
        status, body = await conn.request(requests[n % USERS])
        if status != 200 or b'"decision": true' not in body:
            raise RuntimeError(f"evaluation failed: HTTP {status} {body[:300]!r}")

    return work


def authzen_request(server: Server, user_id: str) -> bytes:
    body = json.dumps(
        {"subject": {"type": "user", "id": user_id}, "action": {"name": RIGHT}}
    ).encode()
    return (
        f"POST /access/v1/evaluation HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
        f"Authorization: Bearer {server.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


def page50(server: Server) -> Work:
    request = graphql_request(server.host, server.port, server.token, PAGE)

    async def work(conn: Connection, n: int) -> None:
        _check(await conn.request(request), "users")

    return work


def _check(answer: tuple[int, bytes], field: str) -> None:
    status, body = answer
    # Cheap enough to do every time: a server answering errors fast must not look fast.
    if status != 200 or b'"errors"' in body or not json.loads(body)["data"][field]:
        raise RuntimeError(f"{field} query failed: HTTP {status} {body[:300]!r}")


def rate(server: Server, work: Callable[[Server], Work], seconds: float) -> float:
    return asyncio.run(closed_loop(server.host, server.port, CLIENTS, seconds, work(server)))


@probe(
    "queries: local server vs bare Strawberry",
    "query.user_by_id_per_s",
    "query.users_page50_per_s",
    "query.bare_strawberry_per_s",
    "query.bare_strawberry_page50_per_s",
    "check.can_per_s",
    "check.authzen_per_s",
)
def queries(sizes: Sizes) -> list[Figure]:
    runs, seconds = sizes.pick(3, 7), sizes.pick(1.5, 4.0)
    data = sizes.work / "data"
    seed(data)
    samples: dict[str, list[float]] = {}
    # One process each: the bare app is one uvicorn process, so ours is too (`--workers 1`).
    # The ratio is the cost of a request through our stack, not a count of processes.
    with usermgmt_server(data, "--workers", "1") as ours, bare_server(sizes.work) as bare:
        for server in (ours, bare):  # warm-up: caches, connections, the page cache
            rate(server, by_id, 0.5)
            rate(server, page50, 0.5)
        rate(ours, can, 0.5)
        rate(ours, authzen, 0.5)
        for _ in range(runs):
            for name, server, work in (
                ("query.user_by_id_per_s", ours, by_id),
                ("query.bare_strawberry_per_s", bare, by_id),
                ("query.users_page50_per_s", ours, page50),
                ("query.bare_strawberry_page50_per_s", bare, page50),
                ("check.can_per_s", ours, can),
                ("check.authzen_per_s", ours, authzen),
            ):
                samples.setdefault(name, []).append(rate(server, work, seconds))
    return [
        figure(
            "query.user_by_id_per_s",
            "req/s",
            samples["query.user_by_id_per_s"],
            baseline="query.bare_strawberry_per_s",
            goal="goal >= 0.75x bare",
        ),
        figure(
            "query.users_page50_per_s",
            "req/s",
            samples["query.users_page50_per_s"],
            baseline="query.bare_strawberry_page50_per_s",
        ),
        figure("query.bare_strawberry_per_s", "req/s", samples["query.bare_strawberry_per_s"]),
        figure(
            "check.can_per_s",
            "req/s",
            samples["check.can_per_s"],
            baseline="query.user_by_id_per_s",
            goal="goal >= 0.9x user_by_id",
        ),
        figure(
            "check.authzen_per_s",
            "req/s",
            samples["check.authzen_per_s"],
            baseline="query.user_by_id_per_s",
            goal="goal >= 0.9x user_by_id",
        ),
        figure(
            "query.bare_strawberry_page50_per_s",
            "req/s",
            samples["query.bare_strawberry_page50_per_s"],
        ),
    ]
