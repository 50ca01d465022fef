"""commandStatus: the current status first, then each change, until a terminal one."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import strawberry

from pipeline.records import CommandRecord
from resolvers.queries import visible
from resolvers.status_hub import StatusHub
from schema.context import Info
from schema.types import Command


async def command_status(info: Info, command_id: strawberry.ID) -> AsyncGenerator[Command, None]:
    """Another user's command (or a missing one) yields nothing and completes."""
    ctx = info.context
    commands = ctx.backend.commands
    hub = ctx.hub or StatusHub()
    with hub.watch(command_id) as watch:
        record = commands.get(command_id)
        if not visible(ctx.caller, record):
            return
        last: CommandRecord | None = None
        while record is not None:
            if record != last:
                yield Command.of(record)
                last = record
            if record.status.terminal:
                return
            await watch.changed(hub.poll_s)
            record = commands.get(command_id)
