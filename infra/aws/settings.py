"""Where the AWS backend's resources are.

On Lambda every name comes from an environment variable that serverless.yml wires from the
resource itself. On a laptop (`usermgmt serve --backend aws`) the names follow the stack's
naming rule `<service>-<stage>-<resource>`, so a stage is enough to find them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

PREFIX = "USERMGMT_"
SERVICE = "usermgmt"
VIEW_KINDS = ("user", "role", "authorization", "group")


class SettingsError(ValueError):
    """A setting that is missing or malformed; the message names it."""


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


def from_env(env: Mapping[str, str] | None = None) -> AwsSettings:
    """Settings from `env` (default: the process environment). With USERMGMT_STAGE set, names
    not given explicitly follow the stack's naming rule."""
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
    )


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
