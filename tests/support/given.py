"""Given events, when a command, then events (or a refusal): the form of the domain tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pytest

from domain.commands import AggregateCommand
from domain.decision_context import Context
from domain.errors import Code, DomainError
from domain.events import Event
from domain.model import fold, handle

TODAY = date(2026, 11, 26)
ADMIN = Context(actor="auth0|admin", admin=True, today=TODAY)


def user_ctx(sub: str) -> Context:
    return Context(actor=sub, admin=False, today=TODAY)


def when(given: Sequence[Event], command: AggregateCommand, ctx: Context = ADMIN) -> list[Event]:
    assert command.KIND is not None
    return handle(fold(command.KIND, given), len(given), command, ctx)


def refused(given: Sequence[Event], command: AggregateCommand, ctx: Context = ADMIN) -> DomainError:
    with pytest.raises(DomainError) as caught:
        when(given, command, ctx)
    return caught.value


def assert_refused(
    given: Sequence[Event],
    command: AggregateCommand,
    code: Code,
    field: str | None = None,
    ctx: Context = ADMIN,
) -> None:
    error = refused(given, command, ctx)
    assert (error.code, error.field) == (code, field), error.message
