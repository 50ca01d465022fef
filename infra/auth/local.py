"""The local dev authority: an RSA key made once in the data directory, with a fixed issuer and
audience, its JWKS beside it, and a way to mint admin and user tokens for it.

Everything lives under `<data>/auth/`, so tokens minted today still verify after a restart.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

LOCAL_ISSUER = "https://usermgmt.local/"
LOCAL_AUDIENCE = "https://usermgmt.local/api"
TOKEN_TTL_S = 24 * 3600
KEY_FILE = "private_key.pem"
JWKS_FILE = "jwks.json"
CONFIG_FILE = "authority.json"


@dataclass(frozen=True)
class LocalAuthority:
    directory: Path
    issuer: str
    audience: str
    kid: str

    @classmethod
    def ensure(cls, data_dir: Path) -> LocalAuthority:
        """The authority of `data_dir`, created on first use. Safe when processes race. One
        made before needs no write (so a read-only data directory still reads), and one that
        cannot be made is an `Unwritable`, naming the directory and why."""
        directory = data_dir / "auth"
        if not (directory / CONFIG_FILE).exists():
            try:
                directory.mkdir(parents=True, exist_ok=True)
                with _locked(directory / ".lock"):
                    if not (directory / CONFIG_FILE).exists():
                        _create(directory)
            except OSError as error:
                # Here only: the authorizer's package carries infra/auth, not infra/unwritable.
                from infra.unwritable import Unwritable

                raise Unwritable.of("the local signing key", directory, error) from error
        config = json.loads((directory / CONFIG_FILE).read_text())
        return cls(directory, config["issuer"], config["audience"], config["kid"])

    @property
    def jwks_path(self) -> Path:
        return self.directory / JWKS_FILE

    def jwks(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.jwks_path.read_text())
        return data

    @classmethod
    def existing(cls, data_dir: Path) -> LocalAuthority | None:
        """The authority a server made in `data_dir`, or None: never creates one (a key made
        anywhere else signs tokens that server refuses)."""
        directory = data_dir / "auth"
        try:
            config = json.loads((directory / CONFIG_FILE).read_text())
        except FileNotFoundError:
            return None
        return cls(directory, config["issuer"], config["audience"], config["kid"])

    def mint(
        self,
        sub: str,
        *,
        admin_claim: str | None = None,
        admin_value: str = "",
        email: str | None = None,
        ttl_s: int = TOKEN_TTL_S,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """An RS256 access token for `sub`; with `admin_claim`, it carries the admin right."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": sub,
            "iat": now,
            "exp": now + ttl_s,
        }
        if admin_claim:
            claims[admin_claim] = [admin_value]
        if email:
            claims["email"] = email
        claims.update(extra or {})
        key = (self.directory / KEY_FILE).read_bytes()
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})


def _create(directory: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = uuid.uuid4().hex
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    public.update({"kid": kid, "alg": "RS256", "use": "sig"})
    _write(directory / KEY_FILE, pem, mode=0o600)
    _write(directory / JWKS_FILE, json.dumps({"keys": [public]}, indent=2).encode())
    # Written last: its presence says the other two are complete.
    config = {"issuer": LOCAL_ISSUER, "audience": LOCAL_AUDIENCE, "kid": kid}
    _write(directory / CONFIG_FILE, json.dumps(config, indent=2).encode())


def _write(path: Path, data: bytes, mode: int = 0o644) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # a part written to a full disk only takes the space
        raise


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
