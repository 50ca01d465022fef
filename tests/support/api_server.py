"""The real server in a subprocess (uvicorn + runner over a temp data dir) and a small client
for it: GraphQL over HTTP, commandStatus over graphql-transport-ws."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import uvicorn
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from infra.auth import LocalAuthority
from infra.settings import from_env
from pipeline.ports import Backend

START_TIMEOUT_S = 30.0
WAIT_S = 15.0
ROOT = Path(__file__).resolve().parents[2]


class ReadyServer(uvicorn.Server):
    """uvicorn that says when its sockets listen, so a test waits for that and not a moment
    longer (run it on a thread; wait on `ready`)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets: list[Any] | None = None) -> None:
        await super().startup(sockets)
        self.ready.set()


class ServerOutput:
    """What the server prints, read as it comes: a pipe drained by a thread (so it never fills
    and blocks the server), copied to a file for whoever reads a failed test's logs. A test
    waits on a line appearing, not on a timer."""

    def __init__(self, stream: IO[bytes], copy: Path) -> None:
        self._lines: list[str] = []
        self._ended = False
        self._changed = threading.Condition()
        threading.Thread(target=self._drain, args=(stream, copy), daemon=True).start()

    @property
    def text(self) -> str:
        with self._changed:
            return "".join(self._lines)

    def wait_for(self, pattern: str, timeout: float = START_TIMEOUT_S) -> re.Match[str]:
        """The first match of `pattern` in a line; RuntimeError if the output ends (every
        process of the server exited) or `timeout` passes first."""
        deadline = time.monotonic() + timeout
        searched = 0
        with self._changed:
            while True:
                for line in self._lines[searched:]:
                    if found := re.search(pattern, line):
                        return found
                searched = len(self._lines)
                left = deadline - time.monotonic()
                if self._ended or left <= 0:
                    raise RuntimeError(f"the server did not print {pattern!r}:\n{self.text}")
                self._changed.wait(left)

    def _drain(self, stream: IO[bytes], copy: Path) -> None:
        with stream, open(copy, "ab") as out:
            for raw in iter(stream.readline, b""):
                out.write(raw)
                out.flush()
                with self._changed:
                    self._lines.append(raw.decode(errors="replace"))
                    self._changed.notify_all()
        with self._changed:
            self._ended = True
            self._changed.notify_all()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class GraphQLErrors(AssertionError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(json.dumps(errors))
        self.errors = errors

    @property
    def codes(self) -> list[str | None]:
        return [(e.get("extensions") or {}).get("code") for e in self.errors]


@dataclass
class Server:
    data: Path
    port: int = field(default_factory=free_port)
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()  # more options for `usermgmt serve`
    process: subprocess.Popen[bytes] | None = None
    output: ServerOutput | None = None  # of the last launch
    _http: httpx.Client | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = httpx.Client(base_url=self.url, timeout=WAIT_S)
        return self._http

    # lifecycle ----------------------------------------------------------------------------------

    def start(self) -> Server:
        return self.launch().wait_ready()

    def launch(self) -> Server:
        """Start the process, without waiting for it to serve. In a session of its own, so that
        `interrupt` can do what a Ctrl-C on its terminal does."""
        command = [sys.executable, "-m", "handlers.cli", "serve", "--port", str(self.port)]
        command += ["--data", str(self.data), *self.args]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        copy = self.data.parent / f"server-{self.port or 'any'}.log"
        self.output = ServerOutput(self.process.stdout, copy)
        return self

    def wait_ready(self) -> Server:
        """Once the server announces its sockets, they listen: a request waits in their backlog
        until an HTTP process takes it, so one /healthz tells when the server serves."""
        assert self.output is not None
        self.output.wait_for(r"serving on http://")
        assert self.http.get("/healthz", timeout=START_TIMEOUT_S).status_code == 200
        return self

    def stop(self, sig: int = signal.SIGTERM) -> int:
        assert self.process is not None
        self._close_http()
        self.process.send_signal(sig)
        return self._exited()

    def interrupt(self) -> int:
        """Ctrl-C on the terminal: SIGINT to every process of its foreground group."""
        assert self.process is not None
        self._close_http()
        os.killpg(self.process.pid, signal.SIGINT)
        return self._exited()

    def _close_http(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    def _exited(self) -> int:
        assert self.process is not None
        code = self.process.wait(timeout=20)
        self.process = None
        return code

    # tokens -------------------------------------------------------------------------------------

    @property
    def authority(self) -> LocalAuthority:
        return LocalAuthority.ensure(self.data)

    def admin_token(self, sub: str = "local|admin") -> str:
        settings = from_env()
        return self.authority.mint(
            sub, admin_claim=settings.admin_claim, admin_value=settings.admin_value
        )

    def user_token(self, sub: str) -> str:
        return self.authority.mint(sub)

    # GraphQL ------------------------------------------------------------------------------------

    def post(
        self, query: str, variables: dict[str, Any] | None = None, token: str | None = None
    ) -> httpx.Response:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        body = {"query": query, "variables": variables or {}}
        return self.http.post("/graphql", json=body, headers=headers)

    def gql(self, query: str, token: str, **variables: Any) -> dict[str, Any]:
        """The data of a query that must succeed."""
        reply = self.post(query, variables, token)
        assert reply.status_code == 200, reply.text
        payload = reply.json()
        if payload.get("errors"):
            raise GraphQLErrors(payload["errors"])
        data: dict[str, Any] = payload["data"]
        return data

    def errors(self, query: str, token: str, **variables: Any) -> GraphQLErrors:
        """The errors of a query that must fail."""
        try:
            self.gql(query, token, **variables)
        except GraphQLErrors as errors:
            return errors
        raise AssertionError(f"expected errors from {query}")

    # commands -----------------------------------------------------------------------------------

    @contextmanager
    def store(self) -> Iterator[Backend]:
        """The deployment's ports, behind the API's back: for a test that damages what only an
        operator's tool could fix. Here, the data directory the server process shares."""
        from infra.sqlite import open_backend

        backend = open_backend(self.data)
        try:
            yield backend
        finally:
            backend.close()

    def run(self, mutation: str, token: str, **variables: Any) -> dict[str, Any]:
        """Submit a mutation and follow its command to a terminal status; the last Command."""
        (receipt,) = self.gql(mutation, token, **variables).values()
        return self.follow(receipt["commandId"], token)[-1]

    def follow(self, command_id: str, token: str) -> list[dict[str, Any]]:
        """Every Command the subscription sends until it completes."""
        with self.socket(token) as ws:
            return subscribe(ws, command_id)

    @contextmanager
    def socket(self, token: str | None) -> Iterator[ClientConnection]:
        with connect(
            self.ws_url, subprotocols=[Subprotocol("graphql-transport-ws")], open_timeout=WAIT_S
        ) as ws:
            payload = {"Authorization": f"Bearer {token}"} if token else {}
            ws.send(json.dumps({"type": "connection_init", "payload": payload}))
            yield ws


def worker_pids(server: Server) -> list[int]:
    """The server's child processes: its HTTP workers, when it has any."""
    assert server.process is not None
    pid = server.process.pid
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def exits(pid: int) -> bool:
    """Whether the process (not our child) exits within WAIT_S: a pidfd turns readable then."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], WAIT_S)
        return bool(readable)
    finally:
        os.close(fd)


COMMAND_FIELDS = (
    "id name status aggregateId version error { code message field } submittedAt updatedAt"
)


def subscribe(ws: ClientConnection, command_id: str) -> list[dict[str, Any]]:
    ack = json.loads(ws.recv(WAIT_S))
    assert ack["type"] == "connection_ack", ack
    op = str(uuid.uuid4())
    query = f"subscription($id: ID!) {{ commandStatus(commandId: $id) {{ {COMMAND_FIELDS} }} }}"
    ws.send(
        json.dumps(
            {
                "id": op,
                "type": "subscribe",
                "payload": {"query": query, "variables": {"id": command_id}},
            }
        )
    )
    updates: list[dict[str, Any]] = []
    while True:
        message = json.loads(ws.recv(WAIT_S))
        if message["type"] == "next":
            payload = message["payload"]
            if payload.get("errors"):
                raise GraphQLErrors(payload["errors"])
            updates.append(payload["data"]["commandStatus"])
        elif message["type"] == "complete":
            return updates
        elif message["type"] == "error":
            raise GraphQLErrors(message["payload"])


# Building blocks shared by the suites ----------------------------------------------------------

CREATE_AUTHORIZATION = """mutation($name: String!, $description: String!) {
  createAuthorization(input: {name: $name, description: $description}) {
    commandId status aggregateId } }"""
CREATE_ROLE = """mutation($name: String!, $description: String!, $ids: [ID!]) {
  createRole(input: {name: $name, description: $description, authorizationIds: $ids}) {
    commandId status aggregateId } }"""
CREATE_GROUP = """mutation($name: String!, $description: String!) {
  createGroup(input: {name: $name, description: $description}) {
    commandId status aggregateId } }"""
CREATE_USER = """mutation($input: CreateUserInput!) {
  createUser(input: $input) { commandId status aggregateId } }"""
REGISTER_ME = """mutation($input: RegisterMeInput!) {
  registerMe(input: $input) { commandId status aggregateId } }"""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def applied(command: dict[str, Any]) -> str:
    assert command["status"] == "APPLIED", command
    aggregate_id: str = command["aggregateId"]
    return aggregate_id


def new_authorization(server: Server, admin: str, name: str | None = None) -> str:
    name = name or unique("auth")
    return applied(server.run(CREATE_AUTHORIZATION, admin, name=name, description=f"{name} right"))


def new_role(server: Server, admin: str, ids: list[str] | None = None) -> str:
    name = unique("role")
    return applied(server.run(CREATE_ROLE, admin, name=name, description="a role", ids=ids))


def new_group(server: Server, admin: str) -> str:
    return applied(server.run(CREATE_GROUP, admin, name=unique("group"), description="a group"))


def new_user(server: Server, admin: str, **fields: Any) -> str:
    user_id = fields.pop("id", None) or f"auth0|{uuid.uuid4().hex[:12]}"
    values = {
        "id": user_id,
        "email": f"{user_id.replace('|', '.')}@example.com",
        "firstName": "Ada",
        "lastName": "Lovelace",
        **fields,
    }
    return applied(server.run(CREATE_USER, admin, input=values))
