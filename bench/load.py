"""A lean HTTP/1.1 load generator: keep-alive connections on asyncio streams, requests built
once as bytes. It spends a few tens of microseconds per request, so the figures measure the
server, not the client (which shares the machine's two cores with it)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


def graphql_request(host: str, port: int, token: str, query: str, variables: Any = None) -> bytes:
    body = json.dumps({"query": query, "variables": variables}).encode()
    return (
        f"POST /graphql HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body


async def closed_loop(
    host: str,
    port: int,
    clients: int,
    duration_s: float,
    work: Callable[[Connection, int], Awaitable[None]],
) -> float:
    """`clients` connections each running `work` back to back for `duration_s`; returns the
    number of completed units per second."""
    connections = [await Connection.open(host, port) for _ in range(clients)]
    done = 0
    deadline = time.perf_counter() + duration_s

    async def client(conn: Connection, index: int) -> None:
        nonlocal done
        n = 0
        while time.perf_counter() < deadline:
            await work(conn, index * 1_000_000 + n)
            n += 1
            done += 1

    start = time.perf_counter()
    await asyncio.gather(*(client(c, i) for i, c in enumerate(connections)))
    elapsed = time.perf_counter() - start
    for c in connections:
        c.close()
    return done / elapsed
