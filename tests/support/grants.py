"""How the check tests give users rights, in one place: the model's shape (a user's `roleIds`)
is known here and nowhere else in those tests."""

from __future__ import annotations

from dataclasses import dataclass

from infra.settings import from_env
from tests.support.api_server import (
    Server,
    applied,
    new_authorization,
    new_role,
    new_user,
    unique,
)

UPDATE_USER = "mutation($input: UpdateUserInput!) { updateUser(input: $input) { commandId } }"


@dataclass(frozen=True)
class Right:
    """An authorization and a role that grants it."""

    name: str
    authorization_id: str
    role_id: str


def new_right(server: Server, admin: str, name: str | None = None) -> Right:
    name = name or unique("may")
    authorization_id = new_authorization(server, admin, name)
    return Right(name, authorization_id, new_role(server, admin, [authorization_id]))


def user_holding(server: Server, admin: str, role_id: str | None) -> str:
    """A new user holding `role_id` (None: no role)."""
    return new_user(server, admin, roleIds=[role_id]) if role_id else new_user(server, admin)


def give_role(server: Server, admin: str, user_id: str, role_id: str | None) -> None:
    """The user holds `role_id` from now on (None: no role)."""
    roles = [role_id] if role_id else []
    applied(server.run(UPDATE_USER, admin, input={"id": user_id, "roleIds": roles}))


def service_token(server: Server, name: str = "pep", check: bool = True) -> str:
    """A machine-to-machine token as `usermgmt token --service` mints it (sub NAME@clients)."""
    settings = from_env()
    return server.authority.mint(
        f"{name}@clients",
        admin_claim=settings.admin_claim if check else None,
        admin_value=settings.check_value,
    )
