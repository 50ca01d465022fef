from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.api_harness import Server


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One real server for the suite; tests use fresh ids and names so they do not collide."""
    live = Server(tmp_path_factory.mktemp("usermgmt")).start()
    yield live
    live.stop()


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[Server]:
    """A server of its own, for tests that stop, kill or restart it."""
    live = Server(tmp_path / "data").start()
    yield live
    if live.process is not None:
        live.stop()


@pytest.fixture(scope="session")
def admin(server: Server) -> str:
    return server.admin_token()
