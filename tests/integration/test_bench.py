"""The bench code runs (so it cannot rot) and writes figures in the promised shape."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path


def test_a_quick_bench_of_one_figure_writes_results(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "handlers.cli",
            "bench",
            "--quick",
            "--only",
            "local.sqlite_append_per_s",
            "--results",
            str(results),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "local.sqlite_append_per_s" in done.stdout  # the table
    written = json.loads(results.read_text())
    figure = written["results"]["local.sqlite_append_per_s"]
    assert figure["min"] <= figure["value"] <= figure["max"]
    assert figure["value"] > 0 and figure["unit"] == "appends/s"
    assert {"python", "cpus", "commit"} <= set(written["machine"])


def test_an_unknown_figure_is_refused(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "handlers.cli",
            "bench",
            "--only",
            "no.such.figure",
            "--results",
            str(tmp_path / "r.json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "no measurement matches" in done.stderr
    assert not (tmp_path / "r.json").exists()


def test_the_http_probes_drive_a_real_server_and_the_bare_baseline(tmp_path: Path) -> None:
    """The load generator, the command followers and both servers, at toy sizes."""
    from bench.commands import latencies, throughput
    from bench.queries import authzen, by_id, can, page50, rate, seed
    from bench.server import bare_server, usermgmt_server

    data = tmp_path / "data"
    seed(data)
    with usermgmt_server(data) as ours, bare_server(tmp_path) as bare:
        assert asyncio.run(throughput(ours, 40, clients=4)) > 0  # all 40 seen APPLIED
        assert len(asyncio.run(latencies(ours, 100, 0.2))) == 20
        for server in (ours, bare):
            assert rate(server, by_id, 0.2) > 0 and rate(server, page50, 0.2) > 0
        assert rate(ours, can, 0.2) > 0 and rate(ours, authzen, 0.2) > 0  # each one allowed


def test_the_aws_probes_count_a_command_and_time_a_cold_start(tmp_path: Path) -> None:
    """The cost counter on moto and one cold start against a moto_server, at toy sizes."""
    from bench.aws import run_module
    from bench.cold import cold_start_s, lambda_environment, moto_server

    measured = run_module("commands", "10")["10"]
    create = measured["costs"]["create_user"]
    assert create["requests"]["dynamodb.TransactWriteItems"] == 1 and measured["scans"] == 0
    with moto_server(tmp_path / "moto.log") as endpoint:
        assert cold_start_s("command", lambda_environment(endpoint)) > 0
