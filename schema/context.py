"""What every resolver gets: the backend's ports, the caller, the request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeAlias

import strawberry

from pipeline.ports import Backend

if TYPE_CHECKING:
    from resolvers.loaders import Loaders
    from resolvers.status_hub import StatusHub


@dataclass(frozen=True)
class Caller:
    """Who asks: the token's subject, and whether it carries the admin right."""

    sub: str
    admin: bool


@dataclass
class AppContext:
    backend: Backend
    caller: Caller | None = None
    hub: StatusHub | None = None
    connection_params: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def loaders(self) -> Loaders:
        # One set per request (per subscription message on a socket): a loader's cache must not
        # outlive the read it serves.
        from resolvers.loaders import Loaders

        return Loaders(self.backend.views)

    def today(self) -> date:
        return self.backend.clock().date()


Info: TypeAlias = strawberry.Info[AppContext, None]
