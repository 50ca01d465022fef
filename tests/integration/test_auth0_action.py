"""The Auth0 post-login Action (integrations/auth0/) against a real local server: its Node tests
(`node --test`, Node's own runner) run here so that `make test` runs them, with a server
started for them, a user holding a right, and a service token from `usermgmt token --service`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.api_server import Server
from tests.support.grants import new_right, user_holding

ROOT = Path(__file__).resolve().parents[2]
ACTION_TESTS = ROOT / "integrations" / "auth0" / "test"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    live = Server(tmp_path / "data", args=("--workers", "1")).start()
    yield live
    live.stop()


def test_the_action_puts_the_users_permissions_in_the_access_token(server: Server) -> None:
    node = shutil.which("node")
    assert node is not None, "the Auth0 Action's tests need Node 18+ (node on the PATH)"
    admin = server.admin_token()
    right = new_right(server, admin)
    new_right(server, admin)  # another right, which the user does not hold
    user = user_holding(server, admin, right.role_id)
    blocked = user_holding(server, admin, right.role_id)
    reason = "chargeback fraud ring 7"
    block = "mutation($id: ID!, $r: String!) { blockUser(id: $id, reason: $r) { commandId } }"
    assert server.run(block, admin, id=blocked, r=reason)["status"] == "APPLIED"
    service = ["token", "--service", "auth0-action", "--data", str(server.data)]
    minted = subprocess.run(
        [sys.executable, "-m", "handlers.cli", *service],
        capture_output=True,
        text=True,
        check=True,
    )
    env = {
        **os.environ,
        "USERMGMT_URL": server.url,
        "USERMGMT_SERVICE_TOKEN": minted.stdout.strip(),
        "USERMGMT_TEST_USER": user,
        "USERMGMT_TEST_PERMISSIONS": json.dumps([right.name]),
        "USERMGMT_TEST_BLOCKED_USER": blocked,
        "USERMGMT_TEST_BLOCK_REASON": reason,
    }

    done = subprocess.run(
        [node, "--test", str(ACTION_TESTS)],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "# fail 0" in done.stdout and "# pass 6" in done.stdout, done.stdout
