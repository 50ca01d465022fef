"""The costliest queries the cost limit accepts (schema/cost.py's MAX_COST), timed one at a time
on the local server over data that fills every page they ask for: the time one request can take
within the limits, whose goal is well under a second."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.load import Connection, graphql_request
from bench.probes import Sizes, probe
from bench.results import Figure, figure
from bench.server import Server, usermgmt_server
from domain import commands as c
from domain.rules import PAGE_MAX, ROLE_AUTHORIZATIONS_MAX, USER_GROUPS_MAX, USER_ROLES_MAX
from infra.sqlite import open_backend
from pipeline.runner import Runner
from pipeline.submit import submit
from schema.build import MAX_ALIASES
from schema.cost import MAX_COST, WEIGHTS

USER = "id email firstName lastName birthDate version createdAt updatedAt"
NAMED = "id name description version createdAt updatedAt"
EVENT = "id aggregateId aggregateType type version occurredAt actor commandId data"
GROUP_ID = str(uuid.UUID(int=20_000))
ROLE_ID = str(uuid.UUID(int=10_000))


def shapes(now: str) -> dict[str, str]:
    """The costliest query of each shape the limit accepts, every page filled by seed()."""
    # each outer member may be in USER_GROUPS_MAX groups, each with one inner member
    inner = 1
    per_outer = 1 + USER_GROUPS_MAX * (WEIGHTS["User.groups"] + inner)
    outer_size = min(int((MAX_COST - 1) // per_outer), PAGE_MAX)
    per_user = int(
        1
        + USER_ROLES_MAX * (WEIGHTS["User.roles"] + ROLE_AUTHORIZATIONS_MAX)
        + USER_GROUPS_MAX * WEIGHTS["User.groups"]
    )
    per_role = 1 + ROLE_AUTHORIZATIONS_MAX
    members = _page(f"members(first: {inner})", USER)
    outer = _page(f"members(first: {outer_size})", f"{USER} groups {{ {NAMED} {members} }}")
    role = f"{NAMED} authorizations {{ {NAMED} }}"
    as_of = (
        f'r{i}: role(id: "{ROLE_ID}", asOf: "{now}") {{ {role} }}'
        for i in range(_aliases(per_role))
    )
    history = (
        _page(f'h{i}: history(aggregateId: "{GROUP_ID}", first: {PAGE_MAX})', EVENT)
        for i in range(_aliases(PAGE_MAX))
    )
    users = min(MAX_COST // per_user, PAGE_MAX)
    return {
        # A group's members, each with the group's members again.
        "nested members": f'{{ group(id: "{GROUP_ID}") {{ {NAMED} {outer} }} }}',
        # A page of users, each with the role, its authorizations and the group.
        "users page": "{ "
        + _page(f"users(first: {users})", f"{USER} roles {{ {role} }} groups {{ {NAMED} }}")
        + " }",
        # A role as of now, its authorizations folded from their events one by one, aliased.
        "roles as of": "{ " + " ".join(as_of) + " }",
        # A group's history, aliased.
        "history": "{ " + " ".join(history) + " }",
    }


def _page(field: str, node: str) -> str:
    return f"{field} {{ edges {{ cursor node {{ {node} }} }} }}"


def _aliases(per_alias: int) -> int:
    return min(MAX_COST // per_alias, MAX_ALIASES)


def seed(data: Path) -> None:
    """A group of PAGE_MAX users, each with the one role, which holds ROLE_AUTHORIZATIONS_MAX
    authorizations; the group has a history of more than PAGE_MAX events."""
    backend = open_backend(data)
    with backend.batch():
        ids = [str(uuid.UUID(int=i + 1)) for i in range(ROLE_AUTHORIZATIONS_MAX)]
        for i, aid in enumerate(ids):
            submit(backend, c.CreateAuthorization(id=aid, name=f"a{i}", description="d"), "b", True)
        role = c.CreateRole(id=ROLE_ID, name="r", description="d", authorization_ids=tuple(ids))
        submit(backend, role, "b", True)
        submit(backend, c.CreateGroup(id=GROUP_ID, name="g", description="d"), "b", True)
    Runner(backend).run_until_idle()
    for i in range(PAGE_MAX):  # a history longer than a page: one update after another
        submit(backend, c.UpdateGroup(id=GROUP_ID, description=f"d{i}"), "b", True)
        Runner(backend).run_until_idle()
    with backend.batch():
        for i in range(PAGE_MAX):
            user = c.CreateUser(
                id=f"bench|{i}",
                email=f"worst{i}@example.com",
                first_name="Worst",
                last_name=f"Case {i}",
                role_ids=(ROLE_ID,),
                group_ids=(GROUP_ID,),
            )
            submit(backend, user, "b", True)
    Runner(backend).run_until_idle()
    backend.close()


async def _time(server: Server, query: str, runs: int) -> list[float]:
    request = graphql_request(server.host, server.port, server.token, query)
    conn = await Connection.open(server.host, server.port)
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        status, body = await conn.request(request)
        times.append((time.perf_counter() - start) * 1000)
        if status != 200 or b'"errors"' in body or not json.loads(body)["data"]:
            raise RuntimeError(f"the query failed: HTTP {status} {body[:300]!r}")
    return times


@probe("the costliest accepted query, one at a time", "query.worst_accepted_ms")
def worst_accepted(sizes: Sizes) -> list[Figure]:
    runs = sizes.pick(3, 7)
    data = sizes.work / "worst"
    seed(data)
    with usermgmt_server(data, "--workers", "1") as server:
        now = datetime.now(UTC).isoformat()
        times = {n: asyncio.run(_time(server, q, runs + 1))[1:] for n, q in shapes(now).items()}
    worst = max(times.values(), key=lambda samples: sorted(samples)[len(samples) // 2])
    goal = f"goal well under 1000 ms (MAX_COST {MAX_COST})"
    return [figure("query.worst_accepted_ms", "ms", worst, goal=goal)]
