"""The local server as an operator meets it: `usermgmt token`, restarts, Ctrl-C, SIGTERM,
kill -9, `--port 0`; each in both process layouts (tests/e2e/conftest.py)."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import jwt
import pytest

from tests.support.api_server import ROOT, Server, exits, worker_pids

pytestmark = pytest.mark.local_only(
    "the local server process: its CLI tokens, restarts and signals"
)


def cli_token(server: Server, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "handlers.cli", "token", "--data", str(server.data), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def test_open_routes_answer_without_a_token(server: Server) -> None:
    assert server.http.get("/healthz").json() == {"status": "ok"}
    jwks = server.http.get("/.well-known/jwks.json").json()
    assert [k["kid"] for k in jwks["keys"]] == [server.authority.kid]
    assert "private" not in str(jwks) and "d" not in jwks["keys"][0]


def test_the_token_command_prints_only_a_token_that_works(server: Server) -> None:
    out = cli_token(server, "--admin")
    assert out.endswith("\n") and out.count("\n") == 1
    token = out.strip()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] >= 12 * 3600
    assert server.gql("{ users { edges { cursor } } }", token)["users"] is not None

    user = cli_token(server, "--sub", "auth0|cli-user", "--email", "cli@example.com").strip()
    assert server.errors("{ users { edges { cursor } } }", user).codes == ["FORBIDDEN"]
    assert server.gql("{ me { id } }", user) == {"me": None}


def test_tokens_survive_a_restart_and_sigterm_stops_cleanly(fresh_server: Server) -> None:
    token = cli_token(fresh_server, "--admin").strip()
    mutation = 'mutation { createGroup(input: {name: "kept", description: "d"}) { commandId } }'
    command_id = fresh_server.gql(mutation, token)["createGroup"]["commandId"]
    assert fresh_server.follow(command_id, token)[-1]["status"] == "APPLIED"

    assert fresh_server.stop(signal.SIGTERM) == 0
    fresh_server.start()
    groups = fresh_server.gql("{ groups { edges { node { name } } } }", token)["groups"]
    assert [e["node"]["name"] for e in groups["edges"]] == ["kept"]


def test_sigint_stops_cleanly(fresh_server: Server) -> None:
    assert fresh_server.stop(signal.SIGINT) == 0


def test_ctrl_c_on_its_terminal_stops_every_process_cleanly(fresh_server: Server) -> None:
    workers = worker_pids(fresh_server)
    assert fresh_server.interrupt() == 0
    assert all(exits(pid) for pid in workers)


def test_port_0_serves_on_the_port_it_announces(tmp_path: Path, layout: tuple[str, ...]) -> None:
    server = Server(tmp_path / "data", port=0, args=layout).launch()
    assert server.output is not None
    try:
        server.port = int(server.output.wait_for(r"serving on http://127\.0\.0\.1:(\d+)")[1])
        assert server.wait_ready().http.get("/healthz").json() == {"status": "ok"}
    finally:
        server.stop()


def test_a_start_waits_until_no_other_server_holds_the_port(
    tmp_path: Path, layout: tuple[str, ...]
) -> None:
    """After a kill -9, the killed server's workers stop on their own, though not at once; the
    new server must not share the port with them meanwhile (SO_REUSEPORT would let it)."""
    server = Server(tmp_path / "data", args=layout)
    held = socket.socket()  # stands for those workers: SO_REUSEPORT, listening
    held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    held.bind(("127.0.0.1", server.port))
    held.listen()
    try:
        output = server.launch().output
        assert output is not None
        output.wait_for(f"port {server.port} is in use")
        assert "serving on" not in output.text
    finally:
        held.close()
    server.wait_ready()
    token = server.admin_token()
    assert server.gql("{ groups { edges { cursor } } }", token)["groups"] == {"edges": []}
    server.stop()


def test_kill_9_loses_no_accepted_command(fresh_server: Server) -> None:
    token = fresh_server.admin_token()
    mutation = """mutation($name: String!) {
      createGroup(input: {name: $name, description: "d"}) { commandId } }"""
    ids = [
        fresh_server.gql(mutation, token, name=f"g{i}-{uuid.uuid4().hex[:6]}")["createGroup"][
            "commandId"
        ]
        for i in range(60)
    ]
    fresh_server.stop(signal.SIGKILL)
    with sqlite3.connect(fresh_server.data / "usermgmt.db") as db:
        known = {row[0] for row in db.execute("SELECT id FROM commands")}
    assert set(ids) <= known  # every receipt was durable before it was sent

    fresh_server.start()
    for command_id in ids:
        assert fresh_server.follow(command_id, token)[-1]["status"] == "APPLIED"
    groups = fresh_server.gql("{ groups(first: 100) { edges { cursor } } }", token)["groups"]
    assert len(groups["edges"]) == len(ids)
