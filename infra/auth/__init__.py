"""Token verification, one verifier for every place: Auth0's JWKS in production, the local dev
key in the data directory on a laptop. Never imports strawberry or starlette.

All but AuthError, Identity and bearer_token load on first use: the GraphQL Lambda function
imports this package for AuthError alone and ships without `cryptography`, and importing `jwt`
would cost its cold start about 30 ms."""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from infra.auth.identity import AuthError, Identity, bearer_token

if TYPE_CHECKING:
    from infra.auth.keys import JwksFile, KeySource, RemoteJwks
    from infra.auth.local import LocalAuthority
    from infra.auth.verifier import TokenVerifier, verifier_for

_LAZY = {
    "JwksFile": "infra.auth.keys",
    "KeySource": "infra.auth.keys",
    "RemoteJwks": "infra.auth.keys",
    "LocalAuthority": "infra.auth.local",
    "TokenVerifier": "infra.auth.verifier",
    "verifier_for": "infra.auth.verifier",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)


__all__ = [
    "AuthError",
    "Identity",
    "JwksFile",
    "KeySource",
    "LocalAuthority",
    "RemoteJwks",
    "TokenVerifier",
    "bearer_token",
    "verifier_for",
]
