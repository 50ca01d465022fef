"""Who may read or run what. Checked before the resolver, so before any input is looked at."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from schema.context import Info
from schema.errors import Forbidden, Unauthenticated


class IsAuthenticated(BasePermission):
    message = "a valid bearer token is required"
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.caller is not None


class IsAdmin(BasePermission):
    message = "this needs the admin right"
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        caller = info.context.caller
        if caller is None:
            raise Unauthenticated("a valid bearer token is required")
        return caller.admin


__all__ = ["Forbidden", "IsAdmin", "IsAuthenticated"]
