"""One verifier for Auth0 access tokens and the local dev key alike.

RS256 only, the key picked by `kid`; `iss`, `aud`, `exp` and `sub` required, `nbf` checked when
present, a small leeway for clock skew. A token verified once is remembered until it expires, so
a client sending the same token on every request pays for the signature check once.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import jwt

from infra.auth.identity import AuthError, Identity
from infra.auth.keys import JwksFile, KeySource, RemoteJwks
from infra.settings import Settings

ALGORITHM = "RS256"
REQUIRED = ["exp", "iss", "aud", "sub"]
CACHE_SIZE = 10_000


class TokenVerifier:
    def __init__(
        self,
        keys: KeySource,
        *,
        issuer: str,
        audience: str,
        admin_claim: str,
        admin_value: str,
        check_value: str = "usermgmt:check",
        leeway_s: int = 30,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.admin_claim = admin_claim
        self.admin_value = admin_value
        self.check_value = check_value
        self.leeway_s = leeway_s
        self.clock = clock
        self._cache: OrderedDict[str, Identity] = OrderedDict()

    def verify(self, token: str) -> Identity:
        """The identity the token proves, or AuthError."""
        cached = self._cache.get(token)
        if cached is not None:
            if cached.expires_at > self.clock():
                return cached
            del self._cache[token]
        identity = self._verify(token)
        self._remember(token, identity)
        return identity

    def _verify(self, token: str) -> Identity:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"malformed token: {exc}") from exc
        if header.get("alg") != ALGORITHM:
            raise AuthError(f"algorithm {header.get('alg')!r} is not {ALGORITHM}")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("token has no kid")
        key = self.keys.key_for(kid)
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": REQUIRED, "verify_signature": True},
            )
        except jwt.InvalidTokenError as exc:
            raise AuthError(f"invalid token: {type(exc).__name__}: {exc}") from exc
        sub = claims["sub"]
        if not isinstance(sub, str) or not sub.strip():
            raise AuthError("token subject is empty")
        email = claims.get("email")
        return Identity(
            sub=sub,
            admin=self._holds(claims, self.admin_value),
            expires_at=float(claims["exp"]),
            email=email if isinstance(email, str) else None,
            check=self._holds(claims, self.check_value),
        )

    def _holds(self, claims: dict[str, Any], right: str) -> bool:
        # Only the configured top-level claim counts: Auth0 sets it from RBAC or a rule, while
        # user_metadata and the like are editable by the user.
        value = claims.get(self.admin_claim)
        if isinstance(value, str):
            return right in value.split()
        if isinstance(value, list):
            return right in value
        return False

    def _remember(self, token: str, identity: Identity) -> None:
        self._cache[token] = identity
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)


def verifier_for(settings: Settings) -> TokenVerifier:
    """Auth0's JWKS in production; the data directory's local key otherwise."""
    if settings.local:
        from infra.auth.local import LocalAuthority  # makes keys: needs cryptography

        authority = LocalAuthority.ensure(settings.data_dir)
        keys: KeySource = JwksFile(authority.jwks_path)
        issuer, audience = authority.issuer, authority.audience
    else:
        assert settings.jwks_url and settings.issuer and settings.auth0_audience
        keys = RemoteJwks(settings.jwks_url)
        issuer, audience = settings.issuer, settings.auth0_audience
    return TokenVerifier(
        keys,
        issuer=issuer,
        audience=audience,
        admin_claim=settings.admin_claim,
        admin_value=settings.admin_value,
        check_value=settings.check_value,
        leeway_s=settings.leeway_s,
    )
