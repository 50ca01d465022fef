"""Query, Mutation and Subscription: every field of API.md, its permission and its resolver."""

# Annotations here are objects, not strings (no `from __future__ import annotations`):
# Strawberry reads each one, and a string costs it a compile (see schema/__init__.py).

from collections.abc import AsyncGenerator

import strawberry
from strawberry.permission import BasePermission
from strawberry.scalars import JSON

from resolvers import authz as a
from resolvers import export as x
from resolvers import mutations as m
from resolvers import queries as q
from resolvers.subscriptions import command_status
from schema.authz import Decision, Permission
from schema.enums import UserStatus
from schema.pagination import Connection
from schema.permissions import IsAdmin, IsAuthenticated, IsSignedIn, MayCheck, MayCheckAnyone
from schema.types import Authorization, Command, CommandReceipt, Event, Group, Role, User

ADMIN: list[type[BasePermission]] = [IsAdmin]
ANYONE: list[type[BasePermission]] = [IsAuthenticated]
CHECKER: list[type[BasePermission]] = [MayCheck]


@strawberry.type
class Query:
    me: User | None = strawberry.field(
        resolver=q.me,
        permission_classes=ANYONE,
        description="The caller's own profile; null before registerMe.",
    )
    user: User | None = strawberry.field(resolver=q.user, permission_classes=ADMIN)
    users: Connection[User] = strawberry.field(resolver=q.users, permission_classes=ADMIN)
    role: Role | None = strawberry.field(resolver=q.role, permission_classes=ADMIN)
    roles: Connection[Role] = strawberry.field(resolver=q.roles, permission_classes=ADMIN)
    authorization: Authorization | None = strawberry.field(
        resolver=q.authorization, permission_classes=ADMIN
    )
    authorizations: Connection[Authorization] = strawberry.field(
        resolver=q.authorizations, permission_classes=ADMIN
    )
    group: Group | None = strawberry.field(resolver=q.group, permission_classes=ADMIN)
    groups: Connection[Group] = strawberry.field(resolver=q.groups, permission_classes=ADMIN)
    command: Command | None = strawberry.field(
        resolver=q.command,
        permission_classes=ANYONE,
        description="Admin: any command. User: their own commands only (null otherwise).",
    )
    history: Connection[Event] = strawberry.field(
        resolver=q.history,
        permission_classes=ADMIN,
        description="The aggregate's events in ascending version order.",
    )
    export_user: JSON = strawberry.field(
        resolver=x.export_user,
        permission_classes=ADMIN,
        description="Everything held about the user (docs/api.md, Export); events beyond a "
        "page continue with after: the previous page's next.",
    )
    export_me: JSON = strawberry.field(
        resolver=x.export_me,
        permission_classes=[IsSignedIn],
        description="exportUser for the caller; a blocked user may call it too.",
    )
    user_status: UserStatus | None = strawberry.field(
        resolver=a.user_status,
        permission_classes=CHECKER,
        description="A check: the user's status now (null: unknown). The Auth0 Action denies "
        "a BLOCKED user's login.",
    )
    can: Decision = strawberry.field(
        resolver=a.can,
        permission_classes=CHECKER,
        description="May the user do this? The authorization by name (trimmed, any case).",
    )
    can_many: list[Decision] = strawberry.field(
        resolver=a.can_many,
        permission_classes=CHECKER,
        description="Up to 50 checks, answered in order.",
    )
    effective_permissions: list[Permission] = strawberry.field(
        resolver=a.effective_permissions,
        permission_classes=CHECKER,
        description="Every authorization the user has, by name, with what gives it.",
    )
    who_can: Connection[User] = strawberry.field(
        resolver=a.who_can,
        permission_classes=[MayCheckAnyone],
        description="The users for whom can is true; a page may hold fewer than first.",
    )


@strawberry.type
class Mutation:
    # Every receipt is nullable: in a request of several aliased mutations, one refused
    # (BAD_USER_INPUT, FORBIDDEN) is null with its error on its own path, and the others'
    # receipts still arrive. A non-null field's error would null the whole `data`.
    create_user: CommandReceipt | None = strawberry.mutation(
        resolver=m.create_user, permission_classes=ADMIN
    )
    update_user: CommandReceipt | None = strawberry.mutation(
        resolver=m.update_user, permission_classes=ADMIN
    )
    delete_user: CommandReceipt | None = strawberry.mutation(
        resolver=m.delete_user,
        permission_classes=ADMIN,
        description="Hides the user and releases their email, role and group; restoreUser "
        "brings them back.",
    )
    block_user: CommandReceipt | None = strawberry.mutation(
        resolver=m.block_user,
        permission_classes=ADMIN,
        description="The user's requests are refused (BLOCKED) until unblockUser or until.",
    )
    unblock_user: CommandReceipt | None = strawberry.mutation(
        resolver=m.unblock_user, permission_classes=ADMIN
    )
    restore_user: CommandReceipt | None = strawberry.mutation(
        resolver=m.restore_user,
        permission_classes=ADMIN,
        description="A deleted user back as before the delete, with the roles and groups "
        "that still exist; DUPLICATE (field email) when their email was taken since.",
    )
    erase_user: CommandReceipt | None = strawberry.mutation(
        resolver=m.erase_user,
        permission_classes=ADMIN,
        description="Erases the user for good (active, blocked or deleted): their personal "
        "data becomes unreadable everywhere, only their history remains (UserErased).",
    )
    create_role: CommandReceipt | None = strawberry.mutation(
        resolver=m.create_role, permission_classes=ADMIN
    )
    update_role: CommandReceipt | None = strawberry.mutation(
        resolver=m.update_role, permission_classes=ADMIN
    )
    delete_role: CommandReceipt | None = strawberry.mutation(
        resolver=m.delete_role, permission_classes=ADMIN
    )
    create_authorization: CommandReceipt | None = strawberry.mutation(
        resolver=m.create_authorization, permission_classes=ADMIN
    )
    update_authorization: CommandReceipt | None = strawberry.mutation(
        resolver=m.update_authorization, permission_classes=ADMIN
    )
    delete_authorization: CommandReceipt | None = strawberry.mutation(
        resolver=m.delete_authorization, permission_classes=ADMIN
    )
    create_group: CommandReceipt | None = strawberry.mutation(
        resolver=m.create_group, permission_classes=ADMIN
    )
    update_group: CommandReceipt | None = strawberry.mutation(
        resolver=m.update_group, permission_classes=ADMIN
    )
    delete_group: CommandReceipt | None = strawberry.mutation(
        resolver=m.delete_group, permission_classes=ADMIN
    )
    register_me: CommandReceipt | None = strawberry.mutation(
        resolver=m.register_me,
        permission_classes=ANYONE,
        description="The sign-up form on first login; the new user's id is the token's sub.",
    )
    update_me: CommandReceipt | None = strawberry.mutation(
        resolver=m.update_me,
        permission_classes=ANYONE,
        description="The caller's own profile; no role or group.",
    )
    erase_me: CommandReceipt | None = strawberry.mutation(
        resolver=m.erase_me,
        permission_classes=[IsSignedIn],
        description="eraseUser on the caller's own record; allowed while blocked.",
    )
    replay_from: CommandReceipt | None = strawberry.mutation(
        resolver=m.replay_from,
        permission_classes=ADMIN,
        description="Rebuild the views from the events since timestamp; "
        "its command is APPLIED once the views are rebuilt.",
    )


@strawberry.type
class Subscription:
    command_status: AsyncGenerator[Command, None] = strawberry.subscription(
        resolver=command_status,
        permission_classes=ANYONE,
        description="The current status first, then each change; ends after a terminal one.",
    )
