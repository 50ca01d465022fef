"""Settings from the environment, read when first asked for and checked as a whole: one module,
one SettingsError, for every runtime.

- Settings: the API's (auth, developer aids, data directory). Local dev (the default) trusts its
  own key in the data directory and turns the developer aids on; production verifies Auth0
  tokens and turns them off unless a setting turns one back on.
- AwsSettings: where the AWS backend's resources are. On Lambda every name comes from an
  environment variable that serverless.yml wires from the resource itself. On a laptop (`usermgmt
  serve --backend aws`) the names follow the stack's naming rule `<service>-<stage>-<resource>`,
  so a stage is enough to find them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PREFIX = "USERMGMT_"
ENVIRONMENTS = ("local", "production")
SERVICE = "usermgmt"
VIEW_KINDS = ("user", "role", "authorization", "group")
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
    # The permission (or role), in the same claim, that lets a service caller (a machine-to-
    # machine token, sub `…@clients`) call the checks (can, canMany, whoCan, AuthZEN...).
    check_value: str = "usermgmt:check"
    allowed_origins: tuple[str, ...] = ()
    introspection: bool = True
    graphiql: bool = True
    field_suggestions: bool = True
    leeway_s: int = 30
    # The console (local_server/console.py): the built app's directory (None: web/dist beside
    # the package) and the Auth0 application (SPA) it signs in with in production.
    console_dir: Path | None = None
    console_client_id: str | None = None

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
        check_value=get("CHECK_VALUE") or "usermgmt:check",
        allowed_origins=_origins(get("ALLOWED_ORIGINS")),
        introspection=_flag("INTROSPECTION", get("INTROSPECTION"), local),
        graphiql=_flag("GRAPHIQL", get("GRAPHIQL"), local),
        field_suggestions=_flag("FIELD_SUGGESTIONS", get("FIELD_SUGGESTIONS"), local),
        leeway_s=_int("LEEWAY_S", get("LEEWAY_S"), 30),
        console_dir=Path(console_dir) if (console_dir := get("CONSOLE_DIR")) else None,
        console_client_id=get("CONSOLE_CLIENT_ID") or None,
    )
    if not local and not (settings.auth0_domain and settings.auth0_audience):
        raise SettingsError(
            f"{PREFIX}AUTH0_DOMAIN and {PREFIX}AUTH0_AUDIENCE are required in production"
        )
    return settings


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


@dataclass(frozen=True)
class AwsSettings:
    events_table: str
    commands_table: str
    view_tables: Mapping[str, str]  # aggregate kind -> table name
    # Queue URLs, or queue names to be looked up once (GetQueueUrl) when a URL is not known.
    command_queue: str
    command_dlq: str
    execution_queue: str
    execution_dlq: str
    replay_function: str | None = None  # the Lambda function that runs ReplayFrom commands
    region: str | None = None  # None: botocore's own (AWS_REGION, AWS_DEFAULT_REGION, config)
    endpoint_url: str | None = None  # None: AWS, or AWS_ENDPOINT_URL (e.g. a moto_server)
    command_ttl_days: int = 30  # a command's status is kept this long, then expires
    # WebSocket connections and their subscriptions (the websocket and notifier functions only).
    connections_table: str | None = None
    # The persons' data keys and the KMS key that wraps them (both or neither: without them
    # events are stored as they come, unsealed).
    keys_table: str | None = None
    kms_key: str | None = None
    retry_base_s: float = 1.0  # the first backoff of a failed message, doubling each delivery


def for_stage(
    stage: str, service: str = SERVICE, region: str | None = None, endpoint_url: str | None = None
) -> AwsSettings:
    """The resources of a deployed stack, by serverless.yml's naming rule."""
    prefix = f"{service}-{stage}"
    return AwsSettings(
        events_table=f"{prefix}-events",
        commands_table=f"{prefix}-commands",
        view_tables={kind: f"{prefix}-{kind}-view" for kind in VIEW_KINDS},
        command_queue=f"{prefix}-commands.fifo",
        command_dlq=f"{prefix}-commands-dlq.fifo",
        execution_queue=f"{prefix}-executions.fifo",
        execution_dlq=f"{prefix}-executions-dlq.fifo",
        replay_function=f"{prefix}-replay",
        region=region,
        endpoint_url=endpoint_url,
        connections_table=f"{prefix}-connections",
        keys_table=f"{prefix}-keys",
        kms_key=f"alias/{prefix}-data-keys",
    )


# Environment variable (after PREFIX) for each setting.
ENV_NAMES = {
    "events_table": "EVENTS_TABLE",
    "commands_table": "COMMANDS_TABLE",
    "command_queue": "COMMAND_QUEUE_URL",
    "command_dlq": "COMMAND_DLQ_URL",
    "execution_queue": "EXECUTION_QUEUE_URL",
    "execution_dlq": "EXECUTION_DLQ_URL",
}
VIEW_ENV_NAMES = {kind: f"{kind.upper()}_VIEW_TABLE" for kind in VIEW_KINDS}
# Optional: only the WebSocket functions need it.
CONNECTIONS_ENV_NAME = "CONNECTIONS_TABLE"


def aws_from_env(env: Mapping[str, str] | None = None) -> AwsSettings:
    """Where the AWS resources are, from `env` (default: the process environment). With
    USERMGMT_STAGE set, names not given explicitly follow the stack's naming rule."""
    env = os.environ if env is None else env

    def get(name: str) -> str | None:
        value = env.get(PREFIX + name, "").strip()
        return value or None

    stage = get("STAGE")
    base = for_stage(stage) if stage else None
    values: dict[str, str] = {}
    missing = []
    for attr, name in ENV_NAMES.items():
        value = get(name) or (getattr(base, attr) if base else None)
        if value is None:
            missing.append(PREFIX + name)
        else:
            values[attr] = value
    views = {}
    for kind, name in VIEW_ENV_NAMES.items():
        value = get(name) or (base.view_tables[kind] if base else None)
        if value is None:
            missing.append(PREFIX + name)
        else:
            views[kind] = value
    if missing:
        raise SettingsError(f"missing settings: {', '.join(missing)} (or set {PREFIX}STAGE)")
    return AwsSettings(
        **values,
        view_tables=views,
        replay_function=get("REPLAY_FUNCTION") or (base.replay_function if base else None),
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
        command_ttl_days=_positive_int(get("COMMAND_TTL_DAYS"), "COMMAND_TTL_DAYS", 30),
        connections_table=get(CONNECTIONS_ENV_NAME) or (base.connections_table if base else None),
        keys_table=get("KEYS_TABLE") or (base.keys_table if base else None),
        kms_key=get("KMS_KEY") or (base.kms_key if base else None),
        retry_base_s=retry_base_s_from_env(env),
    )


def retry_base_s_from_env(env: Mapping[str, str] | None = None) -> float:
    """USERMGMT_RETRY_BASE_S: the first backoff of a failed message (default 1 s, doubling)."""
    env = os.environ if env is None else env
    value = env.get(PREFIX + "RETRY_BASE_S", "").strip() or None
    return _seconds("RETRY_BASE_S", value, 1.0)


def _positive_int(value: str | None, name: str, default: int) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name} must be a whole number, not {value!r}") from None
    if number <= 0:
        raise SettingsError(f"{PREFIX}{name} must be positive")
    return number


def _seconds(name: str, value: str | None, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name} must be a number of seconds, not {value!r}") from None
    if number < 0:
        raise SettingsError(f"{PREFIX}{name} must not be negative")
    return number
