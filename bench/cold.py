"""Cold starts of the Lambda functions against their baselines, each in a fresh process, the
kinds interleaved run by run; the AWS side is a moto_server in a process of its own (so moto's
import is not measured) with serverless.yml's tables and queues. And the GraphQL function's
package size, from `make package`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from bench.probes import Sizes, probe
from bench.results import Figure, figure
from bench.server import HOST, ROOT, free_port, last_line

REGION = "eu-west-1"
KINDS = ("graphql_api", "frameworks", "command", "mediator", "executor", "boto3")
API_PACKAGE = ROOT / ".serverless" / "lambda-packages" / "api-usermgmt-dev-graphqlApi.zip"
START_TIMEOUT_S = 30.0


@contextmanager
def moto_server(log: Path) -> Iterator[str]:
    port = free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "moto_server"), "-H", HOST, "-p", str(port)],
            stdout=out,
            stderr=out,
        )
    try:
        _wait_listening(process, port)
        yield f"http://{HOST}:{port}"
    finally:
        process.terminate()
        process.wait(10)


def _wait_listening(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {process.returncode}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)  # not listening yet: there is no event to await
    raise RuntimeError("moto_server did not listen in time")


def lambda_environment(endpoint: str) -> dict[str, str]:
    """serverless.yml's resources on the moto_server, one user in its view table, and the
    environment a deployed function would get, pointed at it. Without PYTHONDONTWRITEBYTECODE:
    the warm-up writes our modules' bytecode, so that every cold start imports compiled code on
    both sides (pip compiled the libraries'), not our modules compiled anew each time."""
    aws = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    }
    from infra.aws import resources
    from infra.aws.clients import Clients
    from infra.dynamodb.views import item_of
    from pipeline.records import ViewRow

    with _environment(aws):  # the clients made here read their credentials from it
        clients = Clients(REGION, endpoint)
        template = resources.read("bench", REGION)
        environment = resources.environment(template, resources.ensure_all(template, clients))
        at = datetime(2026, 1, 1, tzinfo=UTC)
        data = {"email": "b@x.io", "first_name": "Ben", "last_name": "Ch", "birth_date": None}
        row = ViewRow("user", "auth0|bench", 1, {**data, "role_ids": [], "group_ids": []}, at, at)
        table = environment["USERMGMT_USER_VIEW_TABLE"]
        clients.dynamodb().put_item(TableName=table, Item=item_of(row))
    inherited = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**inherited, **environment, **aws}


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


def cold_start_s(kind: str, env: dict[str, str]) -> float:
    return float(last_line("bench.cold_start", kind, env=env))


@probe("cold starts of the Lambda functions", "cold.*")
def cold_starts(sizes: Sizes) -> list[Figure]:
    runs = sizes.pick(5, 15)
    samples: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with moto_server(sizes.work / "moto.log") as endpoint:
        env = lambda_environment(endpoint)
        for kind in KINDS:  # warm-up: the page cache, compiled bytecode
            cold_start_s(kind, env)
        for _ in range(runs):
            for kind in KINDS:
                samples[kind].append(cold_start_s(kind, env) * 1000)
    workers = [
        figure(f"cold.{k}", "ms", samples[k], baseline="cold.boto3", goal="goal <= 1.5x")
        for k in ("command", "mediator", "executor")
    ]
    return [
        figure(
            "cold.graphql_api",
            "ms",
            samples["graphql_api"],
            baseline="cold.frameworks",
            goal="import + first user(id); goal <= 1.15x",
        ),
        figure("cold.frameworks", "ms", samples["frameworks"], goal="the stack, one request"),
        *workers,
        figure("cold.boto3", "ms", samples["boto3"], goal="import boto3, DynamoDB + SQS clients"),
    ]


@probe("package size of the GraphQL function", "package.graphql_api_mb")
def package_size(sizes: Sizes) -> list[Figure]:
    """`make package` builds it (a full run always; --quick reuses a package already built)."""
    if not sizes.quick or not API_PACKAGE.exists():
        done = subprocess.run(
            ["make", "package"], cwd=ROOT, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            output = done.stdout[-2000:] + done.stderr[-2000:]
            raise RuntimeError(f"make package failed:\n{output}")
    size_mb = API_PACKAGE.stat().st_size / 1_000_000
    return [figure("package.graphql_api_mb", "MB", [size_mb], goal="zipped, from make package")]
