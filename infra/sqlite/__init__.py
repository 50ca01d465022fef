"""The embedded backend: every port on one SQLite file (WAL), safe across threads and processes."""

from infra.sqlite.backend import open_backend

__all__ = ["open_backend"]
