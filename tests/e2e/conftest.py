from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.api_server import Server

# local: `usermgmt serve` as `make run` starts it (on more than one core, an HTTP worker per core
# and the pipeline in a process of its own); local-1: `serve --workers 1`, everything in one
# process; aws: the Lambda handlers.
DEPLOYMENTS = {"local": (), "local-1": ("--workers", "1"), "aws": None}


@pytest.fixture(scope="session", params=list(DEPLOYMENTS))
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """One deployment for the suite; tests use fresh ids and names so they do not collide.
    local, local-1: the real server process. aws: the Lambda handlers behind API Gateway
    events, the pipeline on moto (tests/support/lambda_api.py)."""
    args = DEPLOYMENTS[request.param]
    if args is None:
        from tests.support.lambda_api import lambda_api

        with lambda_api(tmp_path_factory.mktemp("usermgmt-aws")) as api:
            yield api
        return
    live = Server(tmp_path_factory.mktemp("usermgmt"), args=args).start()
    yield live
    live.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test marked local_only needs the server process or its WebSocket: not on AWS."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("server") == "aws":
            marker = item.get_closest_marker("local_only")
            if marker is not None:
                item.add_marker(pytest.mark.skip(reason=f"local server only: {marker.args[0]}"))


# `usermgmt serve`'s process layouts: the default (on more than one core, an HTTP worker per
# core and the pipeline in a process of its own; the suite's `server` runs it) and one process.
LAYOUTS = {"default": (), "one-process": ("--workers", "1")}


@pytest.fixture(params=list(LAYOUTS))
def layout(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """The `usermgmt serve` options of each layout in turn."""
    return LAYOUTS[request.param]


@pytest.fixture
def fresh_server(tmp_path: Path, layout: tuple[str, ...]) -> Iterator[Server]:
    """A server of its own, for tests that stop, kill or restart it, in each layout."""
    live = Server(tmp_path / "data", args=layout).start()
    yield live
    if live.process is not None:
        live.stop()


@pytest.fixture(scope="session")
def admin(server: Server) -> str:
    return server.admin_token()
