"""Slack: Rasa's connector with a configurable Web API address and stricter checks.

Changes to `rasa.core.channels.slack`, nothing else:
- `api_url` (credentials): the Web API base, default https://slack.com/api/ (a local
  stand-in in the tests);
- requests are checked with Rasa's signing-secret check (v0 HMAC-SHA256 over
  "v0:{timestamp}:{body}", timestamps more than 5 minutes off refused) and, in addition,
  a signature already seen within those 5 minutes is refused as a replay; a refused
  request gets 401 (Rasa's handler answers 400) and never reaches the bot;
- only POST reaches the handler: Rasa's route also takes GET with the same body handling,
  so a signed request replayed as GET would be delivered twice; GET gets 405
  (channels/common.py, verify_webhook);
- the user's Slack locale (users.info with include_locale; needs the users:read scope)
  goes into the message metadata as "locale", looked up once per user and kept an hour;
- buttons: Rasa's blocks (a section and an actions block), but more than 5 buttons are
  spread over several actions blocks instead of being dropped;
- no `as_user` in chat.postMessage: Slack refuses it from the bot token of a current app.
"""
from __future__ import annotations

import json
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot as RasaSlackBot
from rasa.core.channels.slack import SlackInput as RasaSlackInput
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from channels.common import api_url, refuse, request_json, require, verify_webhook, with_locale

logger = logging.getLogger(__name__)

SLACK_API = AsyncWebClient.BASE_URL
REPLAY_WINDOW = 5 * 60  # seconds: Slack's limit for a request's timestamp
BUTTONS_PER_BLOCK = 5
LOCALE_TTL = 3600.0


class SlackBot(RasaSlackBot):
    def __init__(self, token: Text, slack_channel: Optional[Text] = None, thread_id: Optional[Text] = None,
                 proxy: Optional[Text] = None, api_base: Text = SLACK_API) -> None:
        super().__init__(token, slack_channel, thread_id, proxy)
        self.client = AsyncWebClient(token, proxy=proxy, base_url=api_base)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        elements = [
            {"type": "button", "text": {"type": "plain_text", "text": b["title"][:75]}, "value": b["payload"]}
            for b in buttons
        ]
        blocks = [{"type": "section", "text": {"type": "plain_text", "text": text}}] + [
            {"type": "actions", "elements": elements[i : i + BUTTONS_PER_BLOCK]}
            for i in range(0, len(elements), BUTTONS_PER_BLOCK)
        ]
        await self._post_message(channel=self.slack_channel or recipient_id, text=text, blocks=blocks)

    async def _post_message(self, channel: Text, **kwargs: Any) -> None:
        # Rasa's connector passes as_user=True, which Slack refuses from the bot tokens of
        # apps created since 2020 ("invalid_arguments"): every reply would be lost.
        kwargs.pop("as_user", None)
        await super()._post_message(channel, **kwargs)


class SlackInput(RasaSlackInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        require(credentials, "Slack", "slack_token", "slack_signing_secret")
        channel = super().from_credentials(credentials)
        channel.api_url = api_url(credentials, "api_url", SLACK_API).rstrip("/") + "/"
        channel.seen_signatures = {}  # signature -> when it came (replay check)
        channel.locales = {}  # user id -> (when asked, locale)
        return channel

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        return SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy, self.api_url)

    async def check_request(self, request: Request) -> Optional[HTTPResponse]:
        if not self.is_request_from_slack_authentic(request):
            return refuse("slack", "bad or expired X-Slack-Signature")
        now = time.time()
        self.seen_signatures = {s: t for s, t in self.seen_signatures.items() if now - t <= 2 * REPLAY_WINDOW}
        signature = request.headers.get("X-Slack-Signature", "")
        if signature in self.seen_signatures:
            return refuse("slack", "replayed request")
        self.seen_signatures[signature] = now
        return None

    def get_metadata(self, request: Request) -> Dict[Text, Any]:
        metadata = super().get_metadata(request)
        metadata["user"] = self._user_id(request)
        return metadata

    @staticmethod
    def _user_id(request: Request) -> Optional[Text]:
        if request.headers.get("content-type") == "application/x-www-form-urlencoded":
            user = json.loads(request.form["payload"][0]).get("user") or {}
            return user.get("id")
        return (request_json(request).get("event") or {}).get("user")

    async def user_locale(self, user_id: Optional[Text]) -> Optional[Text]:
        """The user's Slack locale ("nb-NO"), None when Slack does not tell."""
        if not user_id:
            return None
        cached = self.locales.get(user_id)
        if cached and time.monotonic() - cached[0] < LOCALE_TTL:
            return cached[1]
        client = AsyncWebClient(self.slack_token, proxy=self.proxy, base_url=self.api_url)
        try:
            answer = await client.users_info(user=user_id, include_locale=True)
            locale = (answer.get("user") or {}).get("locale")
        except Exception as error:  # no users:read scope, Slack unreachable...: no hint
            logger.info("Slack users.info for %s failed: %s", user_id, error)
            locale = None
        self.locales[user_id] = (time.monotonic(), locale)
        return locale

    async def process_message(self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                              text: Text, sender_id: Optional[Text], metadata: Optional[Dict]) -> Any:
        metadata = with_locale(await self.user_locale((metadata or {}).get("user")), metadata)
        return await super().process_message(request, on_new_message, text, sender_id, metadata)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return verify_webhook(super().blueprint(on_new_message), self.check_request)
