"""The OpenID AuthZEN Authorization API 1.0 access evaluation endpoints, for policy enforcement
points that do not speak GraphQL: POST /access/v1/evaluation and POST /access/v1/evaluations.

The subject is a user (`{"type": "user", "id": ...}`), the action's name an authorization's
name; the resource and the context are accepted and change nothing (the model is role-based).
The answer is `{"decision": true|false, "context": {"grants": [...]}}`. The same callers as the
GraphQL checks (schema/permissions.py may_check), the same body rules as /graphql: anything
malformed is a 400 naming what is wrong, never a 5xx.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from api.graphql_http import HttpError, json_body
from api.identity import IdentitySource
from domain import rules
from domain.errors import DomainError
from infra.auth import AuthError
from pipeline import authz
from pipeline.ports import Views
from schema.check_limits import CHECKS_MAX, VIA_MAX
from schema.context import Caller
from schema.errors import ApiError
from schema.permissions import may_check

EVALUATION = "/access/v1/evaluation"
EVALUATIONS = "/access/v1/evaluations"
SEMANTICS = ("execute_all", "deny_on_first_deny", "permit_on_first_permit")
SUBJECT_TYPE = "user"
REQUEST_ID = "x-request-id"  # echoed, as the specification asks of a PDP
JSON_TYPE = "application/json"


@dataclass(frozen=True)
class Check:
    user_id: str
    authorization: str


class AuthZen:
    """The two endpoints over the views, with the app's identity source and origin rule."""

    def __init__(
        self, views: Views, identify: IdentitySource, origin_allowed: Callable[[Scope], bool]
    ) -> None:
        self.views = views
        self.identify = identify
        self.origin_allowed = origin_allowed

    async def evaluation(self, request: Request) -> Response:
        return await self._answer(request, single=True)

    async def evaluations(self, request: Request) -> Response:
        return await self._answer(request, single=False)

    async def _answer(self, request: Request, *, single: bool) -> Response:
        echo = _echo(request)
        try:
            caller = self._caller(request.scope)
            body = json_body(request.headers.get("content-type"), await request.body())
            if not isinstance(body, dict):
                raise HttpError(400, "the body must be a JSON object: an AuthZEN request")
            answer = self._evaluate(caller, body, single)
        except HttpError as error:
            return Response(error.body(), error.status, {**echo, **error.headers}, JSON_TYPE)
        return Response(json.dumps(answer).encode(), 200, echo, JSON_TYPE)

    def _caller(self, scope: Scope) -> Caller:
        if not self.origin_allowed(scope):
            raise HttpError(403, "this origin is not allowed", "FORBIDDEN")
        try:
            return self.identify(scope)
        except AuthError:
            raise HttpError(
                401,
                "a valid bearer token is required",
                "UNAUTHENTICATED",
                {"www-authenticate": "Bearer"},
            ) from None

    def _evaluate(self, caller: Caller, body: dict[str, Any], single: bool) -> dict[str, Any]:
        items = None if single else _evaluations(body)
        if not items:  # no `evaluations`: the single form, and its answer
            checks = [_check(body, {})]
        else:
            checks = [_check(item, body, f"evaluations[{i}].") for i, item in enumerate(items)]
        semantic = "execute_all" if single else _semantic(body)
        try:
            may_check(caller, [c.user_id for c in checks])
        except ApiError as error:
            raise HttpError(403, error.message, "FORBIDDEN") from None
        decisions = authz.can_many(self.views, [(c.user_id, c.authorization) for c in checks])
        answers = [_decision(d) for d in _until(decisions, semantic)]
        return answers[0] if not items else {"evaluations": answers}


def _evaluations(body: Mapping[str, Any]) -> list[Any] | None:
    items = body.get("evaluations")
    if items is None:
        return None
    if not isinstance(items, list):
        raise HttpError(400, "`evaluations` must be an array")
    if len(items) > CHECKS_MAX:
        raise HttpError(400, f"`evaluations` must hold at most {CHECKS_MAX} evaluations")
    return items


def _semantic(body: Mapping[str, Any]) -> str:
    options = body.get("options")
    if options is None:
        return "execute_all"
    if not isinstance(options, dict):
        raise HttpError(400, "`options` must be an object")
    semantic = options.get("evaluations_semantic", "execute_all")
    if semantic not in SEMANTICS:
        raise HttpError(
            400, f"`options.evaluations_semantic` must be one of {', '.join(SEMANTICS)}"
        )
    return str(semantic)


def _until(decisions: list[authz.Decision], semantic: str) -> list[authz.Decision]:
    """The decisions up to and including the first that ends the batch under `semantic`."""
    stop = {"deny_on_first_deny": False, "permit_on_first_permit": True}.get(semantic)
    for i, decision in enumerate(decisions):
        if decision.allowed is stop:
            return decisions[: i + 1]
    return decisions


def _check(item: object, defaults: Mapping[str, Any], where: str = "") -> Check:
    """One evaluation: its own subject, action and resource, or the request's."""
    if not isinstance(item, dict):
        raise HttpError(400, f"`{where.rstrip('.')}` must be an object")
    subject = _member(item, defaults, "subject", where)
    action = _member(item, defaults, "action", where)
    resource = item.get("resource", defaults.get("resource"))
    if resource is not None:
        if not isinstance(resource, dict):
            raise HttpError(400, f"`{where}resource` must be an object")
        for key in ("type", "id"):
            if key in resource:
                _text(resource[key], f"{where}resource.{key}", rules.LONG_TEXT_MAX)
    context = item.get("context", defaults.get("context"))
    if context is not None and not isinstance(context, dict):
        raise HttpError(400, f"`{where}context` must be an object")
    kind = _text(subject.get("type"), f"{where}subject.type", rules.SHORT_TEXT_MAX)
    if kind != SUBJECT_TYPE:
        raise HttpError(400, f'`{where}subject.type` must be "{SUBJECT_TYPE}"')
    user_id = _text(subject.get("id"), f"{where}subject.id", rules.USER_ID_MAX)
    name = _text(action.get("name"), f"{where}action.name", rules.SHORT_TEXT_MAX)
    try:
        return Check(rules.user_id(user_id), rules.text(name, "name"))
    except DomainError as error:
        field = "subject.id" if error.field != "name" else "action.name"
        raise HttpError(400, f"`{where}{field}`: {error.message}") from None


def _member(
    item: Mapping[str, Any], defaults: Mapping[str, Any], key: str, where: str
) -> dict[str, Any]:
    value = item.get(key, defaults.get(key))
    if value is None:
        raise HttpError(400, f"`{where}{key}` is required")
    if not isinstance(value, dict):
        raise HttpError(400, f"`{where}{key}` must be an object")
    return value


def _text(value: object, where: str, limit: int) -> str:
    if not isinstance(value, str) or not value:
        raise HttpError(400, f"`{where}` must be a non-empty string")
    if len(value) > limit:
        raise HttpError(400, f"`{where}` must be at most {limit} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise HttpError(400, f"`{where}` must be valid Unicode") from None
    return value


def _decision(decision: authz.Decision) -> dict[str, Any]:
    grants = [
        {"role_id": g.role_id, "group_ids": list(g.group_ids)} for g in decision.via[:VIA_MAX]
    ]
    return {"decision": decision.allowed, "context": {"grants": grants}}


def _echo(request: Request) -> dict[str, str]:
    value = request.headers.get(REQUEST_ID)
    return {"X-Request-ID": value} if value and len(value) <= rules.SHORT_TEXT_MAX else {}
