"""The GraphQL function starts without the cyclic garbage collector, and the container's first
request, answered or failed, turns it back on with the start's objects frozen
(handlers/graphql_api.py, internals/coldstart.py). Each case runs in a process of its own: the
collector is global."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

FIRST_REQUEST = """
import gc, sys
from pathlib import Path

HEAVY = {"strawberry", "starlette", "mangum", "botocore"}
collecting_at = {}


class Watch:
    # Notes whether the collector was on as each heavy library started loading.
    def find_spec(self, name, path=None, target=None):
        if name in HEAVY:
            collecting_at.setdefault(name, gc.isenabled())
        return None


sys.meta_path.insert(0, Watch())
import handlers.graphql_api as api
from bench.cold_start import Context, api_event
from infra.sqlite.backend import open_backend
from lambda_runtime.bootstrap import build

print("collecting while imported:", gc.isenabled())
print("collecting as the libraries loaded:", sorted(k for k, on in collecting_at.items() if on))
functions = build(backend=open_backend(Path(sys.argv[1])))
event = api_event() if sys.argv[2] == "query" else {"not": "an API Gateway event"}
try:
    print("status:", api.answer(lambda: functions.graphql_api, event, Context())["statusCode"])
except Exception as error:
    print("failed:", type(error).__name__)
print("collecting after:", gc.isenabled(), "frozen:", gc.get_freeze_count() > 0)
"""


def first_request(tmp_path: Path, kind: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", FIRST_REQUEST, str(tmp_path), kind],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def test_the_first_answered_request_ends_the_start(tmp_path: Path) -> None:
    assert first_request(tmp_path, "query") == [
        "collecting while imported: False",
        "collecting as the libraries loaded: []",
        "status: 200",
        "collecting after: True frozen: True",
    ]


def test_a_first_request_that_fails_ends_it_too(tmp_path: Path) -> None:
    lines = first_request(tmp_path, "broken")
    assert lines[0] == "collecting while imported: False"
    assert lines[2].startswith("failed:")
    assert lines[3] == "collecting after: True frozen: True"
