"""One real assistant (action server + Rasa server) with the Teams, Slack and Telegram
channels on, talking to local stand-ins of the three platforms' APIs.

The channels are turned on the way a deployment does it: credentials.yml as it is, the
platforms' variables in the environment, and scripts/stack.py adding the blocks of
credentials.channels.yml whose variables are set; only the API addresses point at the
stand-ins (TELEGRAM_API_URL, SLACK_API_URL, BOTFRAMEWORK_*_URL).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest

from scripts.stack import MODEL, Stack
from tests.channels.platforms import BotFrameworkAPI, SlackAPI, TelegramAPI

ROOT = Path(__file__).resolve().parents[2]
# CHANNELS_TEST_MODEL points the tests at another model while developing.
TEST_MODEL = Path(os.environ.get("CHANNELS_TEST_MODEL", MODEL))

TELEGRAM_TOKEN = "123456789:TEST-telegram-token_abc"
TELEGRAM_USERNAME = "ie_assistant_test_bot"
TELEGRAM_SECRET = "test-secret_token-42"
TELEGRAM_WEBHOOK = "https://ie-assistant.example.org/webhooks/telegram/webhook"
SLACK_TOKEN = "xoxb-test-token"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TEAMS_APP_ID = "0b7a8f52-1111-4c3e-9d2a-ie0assistant"
TEAMS_PASSWORD = "test-app-password"


@dataclass
class Channels:
    rasa_url: str
    api_token: str  # Rasa's HTTP API is on for these tests, with this token only
    telegram: TelegramAPI
    slack: SlackAPI
    teams: BotFrameworkAPI

    def webhook(self, channel: str) -> str:
        return f"{self.rasa_url}/webhooks/{channel}/webhook"

    def user_events(self, sender: str) -> List[Dict[str, Any]]:
        """What the bot's tracker holds from `sender` (nothing for a refused request)."""
        url = f"{self.rasa_url}/conversations/{sender}/tracker?{urlencode({'token': self.api_token})}"
        with urlopen(url, timeout=30) as response:
            events = json.loads(response.read())["events"] or []
        return [event for event in events if event["event"] == "user"]


@pytest.fixture(scope="package")
def channels(tmp_path_factory) -> Iterator[Channels]:
    if not TEST_MODEL.exists():
        pytest.fail(f"no trained model at {TEST_MODEL}: run `make train` (make test does)")
    with TelegramAPI(TELEGRAM_TOKEN, TELEGRAM_USERNAME) as telegram, SlackAPI(SLACK_TOKEN) as slack, \
            BotFrameworkAPI(TEAMS_APP_ID, TEAMS_PASSWORD) as teams:
        env = {
            "TELEGRAM_ACCESS_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_BOT_USERNAME": TELEGRAM_USERNAME,
            "TELEGRAM_WEBHOOK_URL": TELEGRAM_WEBHOOK,
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
            "TELEGRAM_API_URL": telegram.url,
            "SLACK_BOT_TOKEN": SLACK_TOKEN,
            "SLACK_SIGNING_SECRET": SLACK_SECRET,
            "SLACK_API_URL": f"{slack.url}/api/",
            "BOTFRAMEWORK_APP_ID": TEAMS_APP_ID,
            "BOTFRAMEWORK_APP_PASSWORD": TEAMS_PASSWORD,
            "BOTFRAMEWORK_OPENID_METADATA_URL": teams.metadata_url,
            "BOTFRAMEWORK_TOKEN_URL": teams.token_url,
        }
        stack = Stack(credentials=ROOT / "credentials.yml", model=TEST_MODEL, extra_env=env, api=True,
                      log_dir=tmp_path_factory.mktemp("channels-stack-logs"))
        with stack:
            assert len(stack.channels) == 3, stack.channels
            yield Channels(stack.rasa_url, stack.api_token, telegram, slack, teams)
