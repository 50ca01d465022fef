"""Reads behind nested fields (a user's role and group, a role's authorizations): batched through
the request's loaders, or folded from the event store when the parent was read `asOf`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pipeline.reads import as_of as fold_as_of
from pipeline.records import ViewRow
from schema.context import AppContext


async def one(
    ctx: AppContext, kind: str, aggregate_id: str | None, as_of: datetime | None
) -> ViewRow | None:
    if not aggregate_id:
        return None
    if as_of is not None:
        return fold_as_of(ctx.backend.events, kind, aggregate_id, as_of)
    return await ctx.loaders.of(kind).load(aggregate_id)


async def many(
    ctx: AppContext, kind: str, ids: Sequence[str], as_of: datetime | None
) -> list[ViewRow]:
    if not ids:
        return []
    if as_of is not None:
        folded = (fold_as_of(ctx.backend.events, kind, i, as_of) for i in ids)
        return [row for row in folded if row is not None]
    rows = await ctx.loaders.of(kind).load_many(list(ids))
    return [row for row in rows if row is not None]
