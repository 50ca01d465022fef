"""A mixed, realistic batch of admin commands: references, renames, clashes and deletions."""

from __future__ import annotations

import random

from domain import commands as c
from domain.commands import Command
from tests.support.builders import create_role, create_user, new_id


def mixed_commands(rng: random.Random, users: int = 12) -> list[Command]:
    auths = [new_id() for _ in range(3)]
    roles = [new_id() for _ in range(2)]
    groups = [new_id() for _ in range(2)]
    out: list[Command] = [
        c.CreateAuthorization(id=a, name=f"perm-{i}", description="may do things")
        for i, a in enumerate(auths)
    ]
    out += [create_role(r, f"role-{i}", rng.sample(auths, 2)) for i, r in enumerate(roles)]
    out += [
        c.CreateGroup(id=g, name=f"group-{i}", description="people") for i, g in enumerate(groups)
    ]
    user_ids = [f"auth0|user-{new_id()}" for _ in range(users)]
    for i, user_id in enumerate(user_ids):
        email = f"user{i % (users - 2)}@example.com"  # two clashes
        out.append(
            create_user(
                user_id, email, role_ids=(rng.choice(roles),), group_ids=(rng.choice(groups),)
            )
        )
    for user_id in rng.sample(user_ids, 4):
        out.append(c.UpdateUser(id=user_id, first_name="Grace", email=f"{new_id()}@example.com"))
    for user_id in rng.sample(user_ids, 3):
        out.append(c.UpdateUser(id=user_id, role_ids=(), group_ids=tuple(rng.sample(groups, 2))))
    out.append(c.DeleteUser(id=rng.choice(user_ids)))
    out.append(c.DeleteRole(id=roles[0]))  # likely still referenced: CONFLICT
    out.append(c.DeleteAuthorization(id=auths[0]))  # likely still referenced: CONFLICT
    out.append(c.UpdateGroup(id=groups[1], name="GROUP-0"))  # clashes with group-0
    out.append(c.UpdateRole(id=roles[1], authorization_ids=(auths[2],)))
    return out
