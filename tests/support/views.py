"""What the views must hold: the fold of the event store, row for row."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.model import AGGREGATES
from pipeline.ports import Backend
from pipeline.projection import fold_row
from pipeline.records import RecordedEvent, ViewRow

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def all_histories(backend: Backend) -> list[list[RecordedEvent]]:
    return list(backend.events.histories_since(EPOCH))


def folded_rows(backend: Backend) -> dict[tuple[str, str], ViewRow]:
    rows = {}
    for history in all_histories(backend):
        row = fold_row(history)
        assert row is not None
        rows[(row.kind, row.id)] = row
    return rows


def live_rows(backend: Backend, kind: str) -> list[ViewRow]:
    rows: list[ViewRow] = []
    after = None
    while True:
        page = backend.views.page(kind, 100, after)
        rows.extend(page)
        if len(page) < 100:
            return rows
        after = page[-1].id


def assert_views_match_store(backend: Backend) -> None:
    expected = folded_rows(backend)
    for (kind, aggregate_id), row in expected.items():
        actual = backend.views.get(kind, aggregate_id)
        if row.deleted:
            assert actual is None or actual.deleted, f"{kind} {aggregate_id} should be gone"
        else:
            assert actual == row, f"{kind} {aggregate_id}: view {actual} != fold {row}"
    for kind in AGGREGATES:
        for row in live_rows(backend, kind):
            folded = expected.get((kind, row.id))
            assert folded is not None and not folded.deleted, f"stray view row {kind} {row.id}"


def assert_versions_gap_free(backend: Backend) -> None:
    for history in all_histories(backend):
        versions = [r.version for r in history]
        assert versions == list(range(1, len(versions) + 1)), history[0].stream
