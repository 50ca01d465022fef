"""The AWS backend's bill, counted on moto: requests and items read per command at a small and
a large table, Scans over the whole run, and a replay's requests per stream. Counts do not
drift, so each is measured once."""

from __future__ import annotations

import json
from typing import Any

from bench.probes import Sizes, probe
from bench.results import Figure, figure
from bench.server import last_line

COMMANDS = ("create_user", "update_user", "delete_user", "erase_user")
REQUEST_GOAL = {"create_user": "goal <= 12 in all (DynamoDB, SQS, KMS), the same at every size"}


def run_module(*args: str) -> Any:
    """`python -m bench.aws_cost ARGS` (it uses the tests' moto harness): its JSON answer."""
    return json.loads(last_line("bench.aws_cost", *args))


@probe(
    "cost per command on AWS (moto)",
    "cost.create_user.*",
    "cost.update_user.*",
    "cost.delete_user.*",
    "cost.erase_user.*",
    "cost.scans",
    "replay.dynamodb_requests_per_stream",
)
def aws_costs(sizes: Sizes) -> list[Figure]:
    large = sizes.pick(1_000, 10_000)
    measured = run_module("commands", "10", str(large))
    figures = [f for size in ("10", str(large)) for f in _command_figures(size, measured[size])]
    events, streams = sizes.pick(2_500, 10_000), sizes.pick(1_000, 4_000)
    replay = run_module("replay", str(events), str(streams))
    scans = replay["scans"] + sum(m["scans"] for m in measured.values())
    return [
        *figures,
        figure("cost.scans", "requests", [scans], goal="goal: 0"),
        figure(
            "replay.dynamodb_requests_per_stream",
            "requests",
            [replay["per_stream"]],
            goal=f"{events:,} events in {streams:,} streams, goal <= 1.1",
        ),
    ]


def _command_figures(size: str, measured: dict[str, Any]) -> list[Figure]:
    figures = []
    for name in COMMANDS:
        cost = measured["costs"][name]
        requests = cost["requests"]
        dynamodb = sum(n for op, n in requests.items() if op.startswith("dynamodb."))
        kms = sum(n for op, n in requests.items() if op.startswith("kms."))
        sqs = sum(requests.values()) - dynamodb - kms
        split = f"{dynamodb} DynamoDB + {sqs} SQS + {kms} KMS"
        goal = "; ".join(x for x in (split, REQUEST_GOAL.get(name)) if x)
        figures += [
            figure(f"cost.{name}.requests@{size}", "requests", [sum(requests.values())], goal=goal),
            figure(f"cost.{name}.items_read@{size}", "items", [cost["items_read"]]),
        ]
    return figures


@probe(
    "checks and group grants on AWS (moto)",
    "check.dynamodb_requests@*",
    "cost.group_grant.*",
)
def check_costs(sizes: Sizes) -> list[Figure]:
    """DynamoDB requests for one `can` (a user in 20 groups nested 4 deep) and for granting a
    role to a group, with few and with many users (members of that group)."""
    large = sizes.pick(1_000, 10_000)
    measured = run_module("checks", "10", str(large))
    figures = []
    for size in ("10", str(large)):
        check = measured[size]["check"]
        grant = measured[size]["group_grant"]["requests"]
        dynamodb = sum(n for op, n in check.items() if op.startswith("dynamodb."))
        figures += [
            figure(
                f"check.dynamodb_requests@{size}",
                "requests",
                [dynamodb],
                goal="goal <= 3, the same at every size (docs/design.md: the views for checks)",
            ),
            figure(
                f"cost.group_grant.requests@{size}",
                "requests",
                [sum(grant.values())],
                goal="goal: the same at every size (no write per member)",
            ),
        ]
    return figures
