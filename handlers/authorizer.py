"""Lambda: the HTTP API's authorizer (payload 2.0, simple responses).

It verifies the bearer token with the shared verifier (Auth0's JWKS in production) and hands the
caller to the GraphQL function in the request context: {"sub": ..., "admin": ...}. It does not
answer for the API: a request without a valid token goes on with an empty subject, and the
GraphQL function refuses it exactly as the local server does (401, UNAUTHENTICATED). The gateway
caches nothing (no identity source, TTL 0), so a token stops working the moment it expires;
verified tokens are remembered in this container until then. See the README for why.
"""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools import Logger

from infra.auth import AuthError, TokenVerifier

logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", "usermgmt"))
ANONYMOUS = {"sub": "", "admin": False}

_verifiers: dict[str, TokenVerifier] = {}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    header = (event.get("headers") or {}).get("authorization")
    try:
        identity = verifier().verify(_bearer(header))
    except AuthError as exc:
        logger.info("no verified caller", extra={"reason": str(exc)})
        return {"isAuthorized": True, "context": ANONYMOUS}
    return {"isAuthorized": True, "context": {"sub": identity.sub, "admin": identity.admin}}


def verifier() -> TokenVerifier:
    """Made once per container: it keeps the JWKS and the tokens it has verified."""
    made = _verifiers.get("current")
    if made is None:
        from infra.auth import verifier_for
        from infra.settings import settings

        made = _verifiers["current"] = verifier_for(settings())
    return made


def use(given: TokenVerifier | None) -> None:
    """Verify with `given` (tests); None: the one the settings describe, made anew."""
    _verifiers.pop("current", None)
    if given is not None:
        _verifiers["current"] = given


def _bearer(header: str | None) -> str:
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("no bearer token")
    return token.strip()
