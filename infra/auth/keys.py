"""Where signing keys come from: a JWKS file (the local dev key) or Auth0's JWKS endpoint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Protocol

import jwt

from infra.auth.identity import AuthError


class KeySource(Protocol):
    def key_for(self, kid: str) -> jwt.PyJWK:
        """The public key with this `kid`; AuthError when there is none."""


class JwksFile:
    """A JWKS read from a file once: the local server's own key, read without an HTTP call."""

    def __init__(self, path: Path) -> None:
        self._keys = {
            k.key_id: k for k in jwt.PyJWKSet.from_dict(json.loads(path.read_text())).keys
        }

    def key_for(self, kid: str) -> jwt.PyJWK:
        key = self._keys.get(kid)
        if key is None:
            raise AuthError(f"no key with kid {kid!r}")
        return key


class RemoteJwks:
    """Auth0's JWKS, fetched on first use and cached by PyJWKClient (refetched for a new kid)."""

    def __init__(self, url: str, lifespan_s: int = 600) -> None:
        self._client = jwt.PyJWKClient(url, cache_keys=True, lifespan=lifespan_s, timeout=5)

    def key_for(self, kid: str) -> jwt.PyJWK:
        try:
            return self._client.get_signing_key(kid)
        except jwt.PyJWKClientError as exc:
            raise AuthError(f"no usable key with kid {kid!r}: {exc}") from exc
