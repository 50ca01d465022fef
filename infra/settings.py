"""Settings from the environment, read when first asked for and checked as a whole.

Local dev (the default) trusts its own key in the data directory and turns the developer aids on;
production verifies Auth0 tokens and turns them off unless a setting turns one back on.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PREFIX = "USERMGMT_"
ENVIRONMENTS = ("local", "production")
TRUE, FALSE = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off", ""})


class SettingsError(ValueError):
    """A setting that is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    environment: str = "local"
    data_dir: Path = Path(".usermgmt")
    auth0_domain: str | None = None  # e.g. tenant.eu.auth0.com; production only
    auth0_audience: str | None = None  # the API identifier set up in Auth0
    admin_claim: str = "permissions"  # Auth0 RBAC; or a namespaced roles claim
    admin_value: str = "usermgmt:admin"  # the permission (or role) that grants the admin right
    allowed_origins: tuple[str, ...] = ()
    introspection: bool = True
    graphiql: bool = True
    field_suggestions: bool = True
    leeway_s: int = 30

    @property
    def local(self) -> bool:
        return self.environment == "local"

    @property
    def issuer(self) -> str | None:
        return f"https://{self.auth0_domain}/" if self.auth0_domain else None

    @property
    def jwks_url(self) -> str | None:
        return f"https://{self.auth0_domain}/.well-known/jwks.json" if self.auth0_domain else None


def from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from `env` (default: the process environment); SettingsError names a bad one."""
    env = os.environ if env is None else env

    def get(name: str) -> str | None:
        value = env.get(PREFIX + name)
        return value.strip() if value is not None else None

    environment = (get("ENV") or "local").lower()
    if environment not in ENVIRONMENTS:
        raise SettingsError(f"{PREFIX}ENV must be one of {', '.join(ENVIRONMENTS)}")
    local = environment == "local"
    settings = Settings(
        environment=environment,
        data_dir=Path(get("DATA_DIR") or ".usermgmt"),
        auth0_domain=_domain(get("AUTH0_DOMAIN")),
        auth0_audience=get("AUTH0_AUDIENCE") or None,
        admin_claim=get("ADMIN_CLAIM") or "permissions",
        admin_value=get("ADMIN_VALUE") or "usermgmt:admin",
        allowed_origins=_origins(get("ALLOWED_ORIGINS")),
        introspection=_flag("INTROSPECTION", get("INTROSPECTION"), local),
        graphiql=_flag("GRAPHIQL", get("GRAPHIQL"), local),
        field_suggestions=_flag("FIELD_SUGGESTIONS", get("FIELD_SUGGESTIONS"), local),
        leeway_s=_int("LEEWAY_S", get("LEEWAY_S"), 30),
    )
    if not local and not (settings.auth0_domain and settings.auth0_audience):
        raise SettingsError(
            f"{PREFIX}AUTH0_DOMAIN and {PREFIX}AUTH0_AUDIENCE are required in production"
        )
    return settings


@cache
def settings() -> Settings:
    """The process's settings, read once on first use."""
    return from_env()


def _domain(value: str | None) -> str | None:
    if not value:
        return None
    return value.removeprefix("https://").removesuffix("/")


def _origins(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    origins = tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())
    for origin in origins:
        if origin != "*" and not origin.startswith(("http://", "https://")):
            raise SettingsError(f"{PREFIX}ALLOWED_ORIGINS: {origin!r} is not an origin")
    return origins


def _flag(name: str, value: str | None, default: bool) -> bool:
    if value is None:
        return default
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise SettingsError(f"{PREFIX}{name} must be true or false, not {value!r}")


def _int(name: str, value: str | None, default: int) -> int:
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name} must be a whole number, not {value!r}") from None
    if number < 0:
        raise SettingsError(f"{PREFIX}{name} must not be negative")
    return number
