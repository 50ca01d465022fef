"""Batched view reads for nested fields: a page of users costs one read per kind, not per user."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from pipeline.ports import Views
from pipeline.records import ViewRow


class Loaders:
    """One DataLoader per aggregate kind, created on first use, living for one request."""

    def __init__(self, views: Views) -> None:
        self._views = views
        self._loaders: dict[str, DataLoader[str, ViewRow | None]] = {}

    def of(self, kind: str) -> DataLoader[str, ViewRow | None]:
        loader = self._loaders.get(kind)
        if loader is None:
            loader = DataLoader(load_fn=self._batch(kind))
            self._loaders[kind] = loader
        return loader

    def _batch(self, kind: str):  # type: ignore[no-untyped-def]
        views = self._views

        async def load(ids: Sequence[str]) -> list[ViewRow | None]:
            rows = views.get_many(kind, list(ids))
            return [rows.get(i) for i in ids]

        return load
