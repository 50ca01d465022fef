"""The HTTP API's authorizer (payload 2.0, simple responses).

It verifies the bearer token with the shared verifier (Auth0's JWKS in production) and hands the
caller to the GraphQL function in the request context: {"sub": ..., "admin": ..., "check": ...}.
It does not answer for the API: a request without a valid token goes on with an empty subject,
and the GraphQL function refuses it exactly as the local server does (401, UNAUTHENTICATED). The
gateway caches nothing (no identity source, TTL 0), so a token stops working the moment it
expires; verified tokens are remembered by the verifier, made once per container, until then. See
the README for why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from infra.auth import AuthError, bearer_token
from lambda_runtime.log import logger

if TYPE_CHECKING:
    from infra.auth import TokenVerifier

ANONYMOUS = {"sub": "", "admin": False, "check": False}


@dataclass(frozen=True)
class Authorizer:
    """A Lambda handler: the caller named by the `authorization` header's bearer token."""

    verifier: TokenVerifier

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        header = (event.get("headers") or {}).get("authorization")
        try:
            identity = self.verifier.verify(bearer_token(header))
        except AuthError as exc:
            logger.info("no verified caller", extra={"reason": str(exc)})
            return {"isAuthorized": True, "context": ANONYMOUS}
        caller = {"sub": identity.sub, "admin": identity.admin, "check": identity.check}
        return {"isAuthorized": True, "context": caller}
