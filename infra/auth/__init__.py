"""Token verification, one verifier for every place: Auth0's JWKS in production, the local dev
key in the data directory on a laptop. Never imports strawberry or starlette."""

from infra.auth.identity import AuthError, Identity
from infra.auth.keys import JwksFile, KeySource, RemoteJwks
from infra.auth.local import LocalAuthority
from infra.auth.verifier import TokenVerifier, verifier_for

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
