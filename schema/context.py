"""What every resolver gets: the backend's ports, the caller, the request's loaders."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

import strawberry

from domain.commands import Command
from pipeline.ports import Backend
from pipeline.records import CommandRecord
from pipeline.submit import submit

if TYPE_CHECKING:
    from resolvers.loaders import Loaders
    from resolvers.status_hub import StatusHub


SERVICE_SUFFIX = "@clients"  # Auth0's subject for a machine-to-machine (client credentials) token


@dataclass(frozen=True)
class Caller:
    """Who asks: the token's subject, and whether it carries the admin right and the check
    right. A service (an Auth0 machine-to-machine token) that is not an admin may call the
    checks, with the check right, and nothing else."""

    sub: str
    admin: bool
    check: bool = False

    @property
    def service(self) -> bool:
        return self.sub.endswith(SERVICE_SUFFIX)

    @property
    def checks_anyone(self) -> bool:
        """May check any user's rights (a user may check only their own)."""
        return self.admin or (self.service and self.check)

    @property
    def acts_as_user(self) -> bool:
        """May call the fields any signed-in user may (me, registerMe, commandStatus...)."""
        return self.admin or not self.service


class Submitter(Protocol):
    def __call__(
        self, command: Command, actor: str, admin: bool, command_id: str | None
    ) -> Awaitable[CommandRecord]:
        """`pipeline.submit.submit`, awaitable: the record once the command is QUEUED."""


@dataclass
class AppContext:
    backend: Backend
    caller: Caller | None = None
    hub: StatusHub | None = None
    connection_params: dict[str, Any] = field(default_factory=dict)
    # The local server commits submissions in groups off the event loop; elsewhere (Lambda,
    # one request at a time) they are written right here.
    submitter: Submitter | None = None

    async def submit(
        self, command: Command, actor: str, admin: bool, command_id: str | None
    ) -> CommandRecord:
        if self.submitter is not None:
            return await self.submitter(command, actor, admin, command_id)
        return submit(self.backend, command, actor, admin, command_id)

    @cached_property
    def loaders(self) -> Loaders:
        # One set per request (per subscription message on a socket): a loader's cache must not
        # outlive the read it serves.
        from resolvers.loaders import Loaders

        return Loaders(self.backend.views)

    def today(self) -> date:
        return self.backend.clock().date()


Info: TypeAlias = strawberry.Info[AppContext, None]
