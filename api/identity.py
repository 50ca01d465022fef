"""Where the caller's identity comes from, pluggable per deployment.

- BearerIdentity (default, local server): verify the `Authorization: Bearer` token here.
- AuthorizerIdentity (Lambda behind API Gateway): the authorizer already verified the token and
  put the subject, the admin right and the check right in the request context; Mangum passes
  the event in the scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from infra.auth import AuthError, bearer_token
from schema.context import Caller

if TYPE_CHECKING:
    from infra.auth import TokenVerifier


class IdentitySource(Protocol):
    def __call__(self, scope: Mapping[str, Any]) -> Caller:
        """The caller of this HTTP request; AuthError when there is none."""


class BearerIdentity:
    def __init__(self, verifier: TokenVerifier) -> None:
        self.verifier = verifier

    def __call__(self, scope: Mapping[str, Any]) -> Caller:
        header = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                header = value.decode("latin-1")
                break
        return self.from_header(header)

    def from_header(self, header: str | None) -> Caller:
        identity = self.verifier.verify(bearer_token(header))
        return Caller(sub=identity.sub, admin=identity.admin, check=identity.check)


class AuthorizerIdentity:
    """Trust the API Gateway Lambda authorizer's context: `{"sub": ..., "admin": true|"true",
    "check": true|"true"}` (a simple-response authorizer's context values may arrive as strings)."""

    def __call__(self, scope: Mapping[str, Any]) -> Caller:
        event = scope.get("aws.event") or {}
        authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
        context = authorizer.get("lambda") or authorizer
        sub = context.get("sub")
        if not isinstance(sub, str) or not sub:
            raise AuthError("the authorizer context has no subject")
        return Caller(sub=sub, admin=_flag(context.get("admin")), check=_flag(context.get("check")))


def _flag(value: object) -> bool:
    return value is True or value == "true"
