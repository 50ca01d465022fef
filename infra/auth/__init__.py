"""Token verification, one verifier for every place: Auth0's JWKS in production, the local dev
key in the data directory on a laptop. Never imports strawberry or starlette.

LocalAuthority (which makes keys, so needs `cryptography`) loads on first use: the GraphQL Lambda
function imports this package for AuthError alone and ships without `cryptography`."""

from typing import Any

from infra.auth.identity import AuthError, Identity
from infra.auth.keys import JwksFile, KeySource, RemoteJwks
from infra.auth.verifier import TokenVerifier, verifier_for


def __getattr__(name: str) -> Any:
    if name == "LocalAuthority":
        from infra.auth.local import LocalAuthority

        return LocalAuthority
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AuthError",
    "Identity",
    "JwksFile",
    "KeySource",
    "LocalAuthority",
    "RemoteJwks",
    "TokenVerifier",
    "verifier_for",
]
