"""Who may read or run what. Checked before the resolver, so before any input is looked at.

Three kinds of caller (schema/context.py Caller): admins; users, who may read and change their
own record and check their own rights; and services (Auth0 machine-to-machine tokens), which may
call the checks with the check right and nothing else. A service with the admin right is an
admin."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from schema.blocked import CACHE
from schema.context import Caller, Info
from schema.errors import Blocked, Forbidden, Unauthenticated

SERVICE_REFUSED = "a service token may call only the checks (can, canMany, effectivePermissions, "
SERVICE_REFUSED += "whoCan, userStatus)"
NO_CHECK_RIGHT = "a service token needs the check right to call the checks"
OWN_ONLY = "a user may check only their own rights"
BLOCKED = "this account is blocked"


def _caller(info: Info) -> Caller:
    caller = info.context.caller
    if caller is None:
        raise Unauthenticated("a valid bearer token is required")
    return caller


def refuse_blocked(info: Info, caller: Caller) -> None:
    """BLOCKED when the caller is a user whose record is blocked. Blocking applies to user
    records: admins (their right comes from Auth0, revoked there) and services pass."""
    if caller.admin or caller.service:
        return
    if CACHE.blocked(info.context.backend, caller.sub):
        raise Blocked(BLOCKED)


class IsSignedIn(BasePermission):
    """Any signed-in user (or admin), blocked or not; not a service. Only the data rights
    (exportMe) use it: a blocked user keeps them."""

    message = "a valid bearer token is required"
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        caller = info.context.caller
        if caller is None:
            return False
        if not caller.acts_as_user:
            raise Forbidden(SERVICE_REFUSED)
        return True


class IsAuthenticated(IsSignedIn):
    """Any signed-in user (or admin) who is not blocked; not a service."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if not super().has_permission(source, info, **kwargs):
            return False
        assert info.context.caller is not None
        refuse_blocked(info, info.context.caller)
        return True


class IsAdmin(BasePermission):
    message = "this needs the admin right"
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        caller = _caller(info)
        if not caller.admin and caller.service:
            raise Forbidden(SERVICE_REFUSED)
        return caller.admin


def may_check(caller: Caller, user_ids: list[str]) -> None:
    """Forbidden unless the caller may check the rights of every one of `user_ids`."""
    if caller.checks_anyone:
        return
    if caller.service:
        raise Forbidden(NO_CHECK_RIGHT)
    if any(user_id != caller.sub for user_id in user_ids):
        raise Forbidden(OWN_ONLY)


class MayCheck(BasePermission):
    """can, canMany, effectivePermissions, userStatus: admins and services with the check right
    for anyone, a user for themselves (BLOCKED when that user is blocked)."""

    message = OWN_ONLY
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        user_id = kwargs.get("user_id")
        checks = kwargs.get("checks") or []
        ids = [user_id] if user_id is not None else [c.user_id for c in checks]
        caller = _caller(info)
        may_check(caller, ids)
        refuse_blocked(info, caller)
        return True


class MayCheckAnyone(BasePermission):
    """whoCan: admins and services with the check right."""

    message = OWN_ONLY
    error_extensions = {"code": "FORBIDDEN"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        caller = _caller(info)
        if caller.checks_anyone:
            return True
        raise Forbidden(NO_CHECK_RIGHT if caller.service else "whoCan needs the admin right")


__all__ = ["Forbidden", "IsAdmin", "IsAuthenticated", "IsSignedIn", "MayCheck", "MayCheckAnyone"]
