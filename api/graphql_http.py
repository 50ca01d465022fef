"""GraphQL over HTTP as its specification (graphql.github.io/graphql-over-http) has it: which
response media type a request accepts, what a well-formed request is, and the status each
answer gets for the media type it is served in. Pure functions; api/app.py applies them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from graphql import GraphQLError
from strawberry.http import GraphQLRequestData

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
CONTENT_TYPES = {
    GRAPHQL_RESPONSE: f"{GRAPHQL_RESPONSE}; charset=utf-8",
    JSON: f"{JSON}; charset=utf-8",
}
ACCEPTED = f"{GRAPHQL_RESPONSE}, {JSON}"  # what a 406 says the server can send

# What each media range of an Accept header gets. `*/*` and `application/*` leave the choice to
# the server: application/json, what curl, httpx and most HTTP libraries (which send `*/*` by
# default) were always answered with, so their 200s stay 200s.
_RANGES = {
    GRAPHQL_RESPONSE: GRAPHQL_RESPONSE,
    JSON: JSON,
    "application/*": JSON,
    "*/*": JSON,
}


class HttpError(Exception):
    """A request refused before it runs: its status, and one GraphQL error in the body (never a
    `data` entry), with `extensions.code`."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str = "BAD_REQUEST",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = dict(headers or {})

    def body(self) -> bytes:
        error = {"message": self.message, "extensions": {"code": self.code}}
        return json.dumps({"errors": [error]}).encode()


@lru_cache(maxsize=256)
def negotiate(accept: str | None) -> str | None:
    """The media type to answer in: of the two the server speaks, the one the Accept header
    ranks highest (by q, then by order); None when it accepts neither (406). Without a header,
    application/graphql-response+json (the specification's default since 2025)."""
    if accept is None or not accept.strip():
        return GRAPHQL_RESPONSE
    best, best_q = None, 0.0
    for item in accept.split(","):
        media, *params = item.split(";")
        chosen = _RANGES.get(media.strip().lower())
        if chosen is None:
            continue
        q, utf8 = _params(params)
        if utf8 and q > best_q:
            best, best_q = chosen, q
    return best


def _params(params: Sequence[str]) -> tuple[float, bool]:
    """The q of a media range, and whether its charset (if it names one) is UTF-8."""
    q, utf8 = 1.0, True
    for param in params:
        key, _, value = param.partition("=")
        key, value = key.strip().lower(), value.strip().strip('"').lower()
        if key == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        elif key == "charset":
            utf8 = value in ("utf-8", "utf8")
    return q, utf8


def json_body(content_type: str | None, body: bytes) -> object:
    """The decoded JSON of a POST's body. 415 unless it is application/json (UTF-8, as the
    specification requires); 400 when it is not UTF-8 or not JSON."""
    media, _, params = (content_type or "").partition(";")
    _, utf8 = _params(params.split(";"))
    if media.strip().lower() != JSON or not utf8:
        raise HttpError(
            415,
            "a POST's body must be JSON, sent with Content-Type: application/json",
            "UNSUPPORTED_MEDIA_TYPE",
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpError(400, "the body must be UTF-8 encoded JSON") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise HttpError(400, "the body is not valid JSON") from None


def request_of(params: object) -> GraphQLRequestData:
    """A well-formed GraphQL-over-HTTP request, or 400 saying what is wrong with it. `params`
    is a POST's JSON body, or a GET's parameters (where an empty string means absent)."""
    if isinstance(params, list):
        raise HttpError(400, "batching is not supported: send one operation per request")
    if not isinstance(params, dict):
        raise HttpError(
            400, 'the body must be a JSON object, e.g. {"query": "{ me { id } }"}, not a bare value'
        )
    query = params.get("query")
    if not isinstance(query, str):
        raise HttpError(400, "`query` is required and must be a string: the GraphQL document")
    operation = params.get("operationName") or None
    if operation is not None and not isinstance(operation, str):
        raise HttpError(400, "`operationName` must be a string or null")
    variables = _mapping(params, "variables")
    extensions = _mapping(params, "extensions")
    return GraphQLRequestData(
        query=query, variables=variables, operation_name=operation, extensions=extensions
    )


def _mapping(params: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, dict):
        raise HttpError(400, f"`{name}` must be a JSON object or null")
    return value


def is_request_error(data: object, errors: Sequence[GraphQLError] | None) -> bool:
    """Whether the operation never ran: the document did not parse or validate, or its
    variables did not coerce. Such errors have no path (every field error has one), and the
    GraphQL specification leaves `data` out of such a response."""
    return data is None and bool(errors) and all(error.path is None for error in errors or ())


def request_error_status(errors: Sequence[object]) -> int:
    """Under application/graphql-response+json, a response without `data`: 400, or 500 when
    the failure was ours (a masked internal error)."""
    for error in errors:
        extensions = error.get("extensions") if isinstance(error, dict) else None
        if isinstance(extensions, dict) and extensions.get("code") == "INTERNAL":
            return 500
    return 400
