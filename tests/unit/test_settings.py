"""Settings come from one module with one SettingsError: a bad or missing setting, the API's or
the AWS resources', is refused by name before anything starts."""

from __future__ import annotations

import pytest

from infra.settings import SettingsError, aws_from_env, from_env


def test_a_stage_names_every_resource_and_the_retry_base_defaults_to_a_second() -> None:
    settings = aws_from_env({"USERMGMT_STAGE": "dev"})
    assert settings.events_table == "usermgmt-dev-events"
    assert settings.command_queue == "usermgmt-dev-commands.fifo"
    assert settings.retry_base_s == 1.0
    assert aws_from_env({"USERMGMT_STAGE": "dev", "USERMGMT_RETRY_BASE_S": "0"}).retry_base_s == 0


@pytest.mark.parametrize(
    ("read", "env", "named"),
    [
        (aws_from_env, {}, "USERMGMT_EVENTS_TABLE"),
        (aws_from_env, {"USERMGMT_STAGE": "dev", "USERMGMT_RETRY_BASE_S": "soon"}, "RETRY_BASE_S"),
        (aws_from_env, {"USERMGMT_STAGE": "dev", "USERMGMT_COMMAND_TTL_DAYS": "0"}, "TTL_DAYS"),
        (from_env, {"USERMGMT_ENV": "staging"}, "USERMGMT_ENV"),
        (from_env, {"USERMGMT_LEEWAY_S": "-1"}, "LEEWAY_S"),
    ],
)
def test_a_bad_setting_of_either_kind_is_one_settings_error_naming_it(
    read: object, env: dict[str, str], named: str
) -> None:
    assert callable(read)
    with pytest.raises(SettingsError, match=named):
        read(env)


def test_the_consoles_directory_and_auth0_application_are_settings() -> None:
    assert (from_env({}).console_dir, from_env({}).console_client_id) == (None, None)
    settings = from_env(
        {"USERMGMT_CONSOLE_DIR": " /srv/console ", "USERMGMT_CONSOLE_CLIENT_ID": "spa-id"}
    )
    assert (str(settings.console_dir), settings.console_client_id) == ("/srv/console", "spa-id")
