"""Following commands to APPLIED, the two ways a client can: commandStatus subscriptions
multiplexed on one graphql-transport-ws connection (exact, for latency), or a `command` query of
many aliases at once (cheap per command, for throughput)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from bench.load import Connection, graphql_request

TERMINAL = {"APPLIED", "REJECTED", "FAILED"}
STATUS = "subscription($id: ID!) { commandStatus(commandId: $id) { status } }"
ALIASES = 20  # the API refuses more aliases than this in one document


class CommandFailed(RuntimeError):
    pass


class Subscriptions:
    """commandStatus subscriptions on one WebSocket; `applied(id)` resolves to the moment
    (perf_counter) the APPLIED status arrived."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self._waiting: dict[str, asyncio.Future[float]] = {}
        self._next_id = 0
        self._reader = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def open(cls, host: str, port: int, token: str) -> Subscriptions:
        ws = await connect(
            f"ws://{host}:{port}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
        )
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        await ws.send(json.dumps(init))
        ack = json.loads(await ws.recv())
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        return cls(ws)

    async def applied(self, command_id: str) -> float:
        self._next_id += 1
        key = str(self._next_id)
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting[key] = future
        payload = {"query": STATUS, "variables": {"id": command_id}}
        await self.ws.send(json.dumps({"id": key, "type": "subscribe", "payload": payload}))
        return await future

    async def _read(self) -> None:
        async for raw in self.ws:
            message = json.loads(raw)
            future = self._waiting.get(message.get("id", ""))
            if future is None or future.done():
                continue
            if message["type"] == "next":
                status = message["payload"]["data"]["commandStatus"]["status"]
                if status == "APPLIED":
                    future.set_result(time.perf_counter())
                elif status in TERMINAL:
                    future.set_exception(CommandFailed(status))
            elif message["type"] in ("error", "complete"):
                future.set_exception(CommandFailed(json.dumps(message)))

    async def close(self) -> None:
        self._reader.cancel()
        await self.ws.close()


def _poll_document(size: int) -> str:
    params = ", ".join(f"$i{i}: ID!" for i in range(size))
    fields = " ".join(f"c{i}: command(id: $i{i}) {{ status }}" for i in range(size))
    return f"query({params}) {{ {fields} }}"


# A document per batch size, each parsed once by the server: a poll asks for exactly the
# commands it follows (padding a short batch to 20 aliases doubled the server's work per poll).
POLLS = {size: _poll_document(size) for size in range(1, ALIASES + 1)}


class Poller:
    """Follows submitted commands by polling the oldest ones, `ALIASES` per request."""

    def __init__(self, conn: Connection, host: str, port: int, token: str) -> None:
        self.conn = conn
        self.host, self.port, self.token = host, port, token
        self.outstanding: deque[str] = deque()
        self.applied = 0

    def add(self, command_id: str) -> None:
        self.outstanding.append(command_id)

    async def until_applied(self, total: int, idle_s: float = 0.002) -> None:
        """Poll until `total` commands were seen APPLIED; CommandFailed on any other end."""
        while self.applied < total:
            batch = [self.outstanding.popleft() for _ in range(min(ALIASES, len(self.outstanding)))]
            if not batch:
                await asyncio.sleep(idle_s)  # nothing submitted yet
                continue
            statuses = await self._statuses(batch)
            pending = [i for i, s in zip(batch, statuses, strict=True) if s != "APPLIED"]
            for command_id, status in zip(batch, statuses, strict=True):
                if status in TERMINAL and status != "APPLIED":
                    raise CommandFailed(f"{command_id}: {status}")
            self.applied += len(batch) - len(pending)
            self.outstanding.extendleft(reversed(pending))
            if pending and pending[0] == batch[0]:
                await asyncio.sleep(idle_s)  # the oldest is not done yet: give it a moment

    async def _statuses(self, ids: list[str]) -> list[str | None]:
        variables = {f"i{i}": v for i, v in enumerate(ids)}
        request = graphql_request(self.host, self.port, self.token, POLLS[len(ids)], variables)
        status, body = await self.conn.request(request)
        data: dict[str, Any] = json.loads(body).get("data") or {}
        if status != 200 or not data:
            raise RuntimeError(f"poll failed: HTTP {status} {body[:300]!r}")
        return [(data.get(f"c{i}") or {}).get("status") for i in range(len(ids))]
