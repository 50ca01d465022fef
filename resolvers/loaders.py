"""Batched view reads for nested fields: a page of users costs one read per kind, not per user,
and a page of groups one read for all their members."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from strawberry.dataloader import DataLoader

from pipeline.ports import ViewFilter, Views
from pipeline.records import ViewRow


class Loaders:
    """One DataLoader per aggregate kind, created on first use, living for one request."""

    def __init__(self, views: Views) -> None:
        self._views = views
        self._loaders: dict[str, DataLoader[str, ViewRow | None]] = {}
        self._members: dict[tuple[int, str | None], DataLoader[str, list[ViewRow]]] = {}

    def of(self, kind: str) -> DataLoader[str, ViewRow | None]:
        loader = self._loaders.get(kind)
        if loader is None:
            loader = DataLoader(load_fn=self._batch(kind))
            self._loaders[kind] = loader
        return loader

    def _batch(self, kind: str) -> Callable[[Sequence[str]], Awaitable[list[ViewRow | None]]]:
        views = self._views

        async def load(ids: Sequence[str]) -> list[ViewRow | None]:
            rows = views.get_many(kind, list(ids))
            return [rows.get(i) for i in ids]

        return load

    def members(self, first: int, after: str | None) -> DataLoader[str, list[ViewRow]]:
        """Group id -> up to `first` of its members after `after`: one loader per page size and
        cursor, since those are what one read can share."""
        key = (first, after)
        loader = self._members.get(key)
        if loader is None:
            views = self._views

            async def load(group_ids: Sequence[str]) -> list[list[ViewRow]]:
                wheres = [ViewFilter(group_id=g) for g in group_ids]
                return views.pages("user", first, after, wheres)

            loader = DataLoader(load_fn=load)
            self._members[key] = loader
        return loader
