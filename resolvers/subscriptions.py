"""commandStatus: the current status first, then each change, until a terminal one."""

# Annotations here are objects, not strings (no `from __future__ import annotations`):
# Strawberry reads each one, and a string costs it a compile (see schema/__init__.py).

from collections.abc import AsyncGenerator

import strawberry

from domain import rules
from pipeline.records import CommandRecord
from resolvers.checks import checked
from resolvers.queries import visible
from resolvers.status_hub import StatusHub
from schema.context import Info
from schema.types import Command


async def command_status(info: Info, command_id: strawberry.ID) -> AsyncGenerator[Command, None]:
    """Another user's command (or a missing one) yields nothing and completes. An id no command
    can have is refused before any read (BAD_USER_INPUT), as `command(id)` refuses it."""
    checked_id = checked(rules.user_id, command_id, "command_id")
    ctx = info.context
    commands = ctx.backend.commands
    hub = ctx.hub or StatusHub()
    with hub.watch(checked_id) as watch:
        record = commands.get(checked_id)
        if record is None or not visible(ctx.caller, record):
            return
        yield Command.of(record)
        last = record
        while not last.status.terminal:
            update = await watch.next(hub.poll_s) or commands.get(checked_id)
            if update is not None and _newer(update, last):
                yield Command.of(update)
                last = update


def _newer(update: CommandRecord, last: CommandRecord) -> bool:
    """Statuses only move forward; a report that arrives late must not take a watcher back."""
    return update != last and update.status.rank >= last.status.rank
