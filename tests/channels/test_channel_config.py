"""The channels are off unless their variables are set (no Rasa server needed here)."""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml
from rasa.shared.exceptions import InvalidConfigException

from channels.credentials import CHANNELS_FILE, required_variables, with_channels

ROOT = Path(__file__).resolve().parents[2]
CREDENTIALS = ROOT / "credentials.yml"
TELEGRAM = "channels.telegram.TelegramInput"
TELEGRAM_ENV = {
    "TELEGRAM_ACCESS_TOKEN": "123:abc",
    "TELEGRAM_BOT_USERNAME": "ie_bot",
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook",
    "TELEGRAM_SECRET_TOKEN": "s3cret",
}


def channels_spec():
    return yaml.safe_load(CHANNELS_FILE.read_text(encoding="utf-8"))


def test_without_any_variable_the_credentials_file_is_used_as_it_is(tmp_path):
    assert with_channels(CREDENTIALS, {}, tmp_path) == (CREDENTIALS, [])
    assert list(tmp_path.iterdir()) == []


def test_a_channel_with_a_variable_missing_stays_off(tmp_path):
    env = {k: v for k, v in TELEGRAM_ENV.items() if k != "TELEGRAM_SECRET_TOKEN"}
    assert with_channels(CREDENTIALS, {**env, "TELEGRAM_SECRET_TOKEN": ""}, tmp_path) == (CREDENTIALS, [])


def test_only_the_configured_channel_is_added_and_secrets_stay_out_of_the_file(tmp_path):
    path, added = with_channels(CREDENTIALS, TELEGRAM_ENV, tmp_path)
    assert added == [TELEGRAM]
    written = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = yaml.safe_load(CREDENTIALS.read_text(encoding="utf-8"))
    assert written == {**base, TELEGRAM: written[TELEGRAM]}
    assert written[TELEGRAM]["access_token"] == "${TELEGRAM_ACCESS_TOKEN}"
    assert written[TELEGRAM]["api_url"] == "https://api.telegram.org"  # the optional one's default
    assert "123:abc" not in path.read_text(encoding="utf-8")


def test_rasa_fills_in_the_secrets_and_an_optional_address_can_be_set(tmp_path, monkeypatch):
    from rasa.shared.utils.io import read_config_file

    env = {**TELEGRAM_ENV, "TELEGRAM_API_URL": "http://127.0.0.1:8081"}
    path, _ = with_channels(CREDENTIALS, env, tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    telegram = read_config_file(str(path))[TELEGRAM]
    assert telegram["access_token"] == "123:abc" and telegram["secret_token"] == "s3cret"
    assert telegram["api_url"] == "http://127.0.0.1:8081"


def test_a_channel_the_credentials_file_configures_itself_is_kept(tmp_path):
    own = tmp_path / "own.yml"
    own.write_text(f"rest:\n{TELEGRAM}:\n  access_token: literal\n", encoding="utf-8")
    assert with_channels(own, TELEGRAM_ENV, tmp_path) == (own, [])


@pytest.mark.parametrize("name", list(channels_spec()))
def test_every_channel_names_a_connector_that_refuses_to_run_without_its_secrets(name):
    module, cls = name.rsplit(".", 1)
    channel = getattr(importlib.import_module(module), cls)
    assert channel.name() in ("botframework", "slack", "telegram")  # Rasa's webhook paths
    with pytest.raises(InvalidConfigException):
        channel.from_credentials({"api_url": "http://127.0.0.1:9"})


def test_telegram_secret_token_must_be_what_telegram_accepts():
    from channels.telegram import TelegramInput

    credentials = {"access_token": "1:a", "verify": "b", "webhook_url": "https://x/", "secret_token": "no spaces!"}
    with pytest.raises(InvalidConfigException):
        TelegramInput.from_credentials(credentials)


def test_the_readme_documents_every_variable():
    readme = (ROOT / "channels" / "README.md").read_text(encoding="utf-8")
    variables = set(re.findall(r"\$\{([A-Z_]+)", CHANNELS_FILE.read_text(encoding="utf-8")))
    assert variables and not [v for v in sorted(variables) if v not in readme]
    for block in channels_spec().values():
        assert required_variables(block)  # each channel needs at least one secret to be on


def test_every_button_payload_fits_telegrams_callback_data():
    """Telegram refuses an inline button whose callback_data is over 64 bytes."""
    from actions.faq import choice_payload
    from channels.telegram import MAX_CALLBACK_DATA
    from content import faq_topics

    payloads = [choice_payload(key) for key in faq_topics()] + ["/human_handoff"]
    for path in (ROOT / "domain").glob("*.yml"):
        for variations in (yaml.safe_load(path.read_text(encoding="utf-8")).get("responses") or {}).values():
            payloads += [b["payload"] for v in variations for b in v.get("buttons") or []]
    too_long = [p for p in payloads if len(p.encode("utf-8")) > MAX_CALLBACK_DATA]
    assert len(payloads) > 10 and too_long == []
