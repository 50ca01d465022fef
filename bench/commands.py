"""Commands through the local server over HTTP, end to end: createUser mutations followed until
their users are in the views (APPLIED)."""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
from collections import deque

from bench.follow import Poller, Subscriptions
from bench.load import Connection, graphql_request
from bench.probes import Sizes, probe
from bench.results import Figure, figure
from bench.server import Server, usermgmt_server

CREATE = "mutation($in: CreateUserInput!) { createUser(input: $in) { commandId status } }"
CLIENTS = 32
RATE_PER_S = 200
RUNS = 3

_ids = itertools.count()  # user ids unique across the runs on one server


async def create_user(conn: Connection, server: Server) -> str:
    """Send one createUser; its command id once the receipt (QUEUED) is back."""
    n = next(_ids)
    variables = {
        "in": {
            "id": f"auth0|load-{n}",
            "email": f"load{n}@example.com",
            "firstName": "Lo",
            "lastName": "Ad",
        }
    }
    request = graphql_request(server.host, server.port, server.token, CREATE, variables)
    status, body = await conn.request(request)
    data = json.loads(body).get("data") or {}
    if status != 200 or not data.get("createUser"):
        raise RuntimeError(f"createUser failed: HTTP {status} {body[:300]!r}")
    command_id: str = data["createUser"]["commandId"]
    return command_id


async def throughput(server: Server, commands: int, clients: int = CLIENTS) -> float:
    """`commands` createUser sent by `clients` concurrent clients, back to back, and followed
    by polling; commands per second from the first send to the last APPLIED seen."""
    conns = [await Connection.open(server.host, server.port) for _ in range(clients + 1)]
    poller = Poller(conns[0], server.host, server.port, server.token)
    left = commands

    async def client(conn: Connection) -> None:
        nonlocal left
        while left > 0:
            left -= 1
            poller.add(await create_user(conn, server))

    start = time.perf_counter()
    await asyncio.gather(poller.until_applied(commands), *(client(c) for c in conns[1:]))
    elapsed = time.perf_counter() - start
    for conn in conns:
        conn.close()
    return commands / elapsed


async def latencies(server: Server, rate_per_s: float, duration_s: float) -> list[float]:
    """Open loop: a createUser every 1/rate s whatever the answers, each followed by its own
    subscription; milliseconds from sending the mutation to seeing APPLIED."""
    subscriptions = await Subscriptions.open(server.host, server.port, server.token)
    # Taken in turn (first in, first out): a connection left idle past the server's keep-alive
    # timeout (5 s in uvicorn) is closed by it, and the request sent on it would fail.
    idle = deque([await Connection.open(server.host, server.port) for _ in range(8)])
    samples: list[float] = []

    async def one() -> None:
        conn = idle.popleft() if idle else await Connection.open(server.host, server.port)
        sent = time.perf_counter()
        command_id = await create_user(conn, server)
        idle.append(conn)
        samples.append((await subscriptions.applied(command_id) - sent) * 1000)

    tasks = []
    start = time.perf_counter()
    for i in range(int(rate_per_s * duration_s)):
        delay = start + i / rate_per_s - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one()))
    await asyncio.gather(*tasks)
    await subscriptions.close()
    for conn in idle:
        conn.close()
    return samples


@probe(
    "commands through the local server",
    "local.commands_per_s",
    "local.commands_per_s.one_process",
    "local.apply_latency_ms.*",
)
def commands(sizes: Sizes) -> list[Figure]:
    """On the default server (what `make run` starts: on this machine's cores, an HTTP worker
    each and the pipeline in a process of its own) and, in turns with it, on `serve --workers 1`
    (everything in one process)."""
    n, seconds = sizes.pick(1_000, 5_000), sizes.pick(2, 8)
    default, one, p50s, p99s = [], [], [], []
    with (
        usermgmt_server(sizes.work / "default") as server,
        usermgmt_server(sizes.work / "one", "--workers", "1") as single,
    ):
        for each in (server, single):  # warm-up: caches, connections, the page cache
            asyncio.run(throughput(each, 300))
        for _ in range(RUNS):
            default.append(asyncio.run(throughput(server, n)))
            one.append(asyncio.run(throughput(single, n)))
            ms = asyncio.run(latencies(server, RATE_PER_S, seconds))
            p50s.append(statistics.median(ms))
            p99s.append(statistics.quantiles(ms, n=100)[98])
    return [
        figure(
            "local.commands_per_s",
            "commands/s",
            default,
            baseline="local.sqlite_append_per_s",
            goal=f"{CLIENTS} clients, default server, goal >= 1,500",
        ),
        figure(
            "local.commands_per_s.one_process",
            "commands/s",
            one,
            baseline="local.commands_per_s",
            goal="serve --workers 1",
        ),
        figure("local.apply_latency_ms.p50", "ms", p50s, goal=f"at {RATE_PER_S}/s, goal <= 10"),
        figure("local.apply_latency_ms.p99", "ms", p99s, goal=f"at {RATE_PER_S}/s"),
    ]
