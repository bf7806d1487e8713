"""Telegram: Rasa's connector with a configurable Bot API address and a secret token.

Changes to `rasa.core.channels.telegram`, nothing else:
- `api_url` (credentials): the Bot API server, default https://api.telegram.org; a
  self-hosted Telegram Bot API server, or a local stand-in in the tests.
- `secret_token` (credentials, required): sent to Telegram with setWebhook; Telegram
  then puts it in the X-Telegram-Bot-Api-Secret-Token header of every update, and an
  update without it is refused (401) before it reaches the bot.
- the user's `language_code` goes into the message metadata as "locale";
- a button click (callback_query) is acknowledged with answerCallbackQuery, which
  Telegram asks for (the client shows a progress bar until then);
- buttons are one per row (titles are long), unless a response sets `button_type`;
- Telegram's "/start" (first contact, deep links) is read as a greeting;
- Rasa's /webhooks/telegram/set_webhook route is disabled (404): it needs no
  authentication, and the webhook is set at start anyway (get_output_channel).
"""
from __future__ import annotations

import asyncio
import hmac
import logging
import re
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from aiogram import Bot
from aiogram.bot import api
from aiogram.bot.api import TelegramAPIServer
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput as RasaTelegramInput
from rasa.core.channels.telegram import TelegramOutput as RasaTelegramOutput
from rasa.shared.exceptions import InvalidConfigException, RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import api_url, refuse, request_json, require, verify_webhook, with_locale

logger = logging.getLogger(__name__)

TELEGRAM_API = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what setWebhook accepts
MAX_CALLBACK_DATA = 64  # bytes; Telegram rejects a button with a longer payload
START_COMMAND = re.compile(r"^/start(@\w+)?(\s.*)?$", re.DOTALL)
START_PAYLOAD = "/greet"


def sender(update: Dict[Text, Any]) -> Dict[Text, Any]:
    """The user who sent the update (a message, an edit or a button click)."""
    for kind in ("callback_query", "message", "edited_message"):
        if isinstance(update.get(kind), dict):
            return update[kind].get("from") or {}
    return {}


class TelegramOutput(RasaTelegramOutput):
    def __init__(self, access_token: Optional[Text], api_base: Text = TELEGRAM_API, secret_token: Optional[Text] = None) -> None:
        Bot.__init__(self, access_token, server=TelegramAPIServer.from_base(api_base))
        self.secret_token = secret_token

    async def set_webhook(self, url: Text, **kwargs: Any) -> bool:
        """setWebhook with the secret token (aiogram 2.15 predates that parameter)."""
        payload = {"url": url, "secret_token": self.secret_token, **kwargs}
        return await self.request(api.Methods.SET_WEBHOOK, {k: v for k, v in payload.items() if v is not None})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], button_type: Optional[Text] = None, **kwargs: Any
    ) -> None:
        for button in buttons:
            if len(str(button.get("payload", "")).encode("utf-8")) > MAX_CALLBACK_DATA:
                # The size, not the button: a payload can carry what the person told the bot.
                logger.warning("Telegram refuses button payloads over %d bytes: one has %d bytes",
                               MAX_CALLBACK_DATA, len(str(button.get("payload", "")).encode("utf-8")))
        await super().send_text_with_buttons(recipient_id, text, buttons, button_type=button_type or "vertical", **kwargs)


class TelegramInput(RasaTelegramInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        require(credentials, "Telegram", "access_token", "verify", "webhook_url", "secret_token")
        channel = super().from_credentials(credentials)
        channel.api_url = api_url(credentials, "api_url", TELEGRAM_API)
        channel.secret_token = str(credentials["secret_token"])
        if not SECRET_FORMAT.match(channel.secret_token):
            raise InvalidConfigException("Telegram secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.")
        return channel

    def get_output_channel(self) -> TelegramOutput:
        """The bot, with its webhook set (with the secret token) as Rasa's does."""
        channel = TelegramOutput(self.access_token, self.api_url, self.secret_token)

        async def set_webhook() -> None:
            try:
                await channel.set_webhook(self.webhook_url)
            finally:
                # The HTTP session belongs to this short-lived event loop: close it, so the
                # server's loop opens its own (Rasa's connector reuses it across loops).
                await channel.session.close()

        try:
            asyncio.run(set_webhook())
        except TelegramAPIError as error:
            raise RasaException("Failed to set channel webhook: " + str(error)) from error
        self.output_channel = channel
        return channel

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        return with_locale(sender(request_json(request)).get("language_code"))

    async def check_request(self, request: Request) -> Optional[HTTPResponse]:
        token = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(token.encode("utf-8"), self.secret_token.encode("utf-8")):
            return refuse("telegram", f"missing or wrong {SECRET_HEADER}")
        update = request_json(request)
        message = update.get("message")
        if isinstance(message, dict) and START_COMMAND.match(str(message.get("text") or "")):
            message["text"] = START_PAYLOAD  # Rasa's handler reads the parsed body
        query = update.get("callback_query")
        if isinstance(query, dict) and query.get("id"):
            try:
                await self.output_channel.answer_callback_query(query["id"])
            except TelegramAPIError as error:
                logger.warning("answerCallbackQuery failed: %s", error)
        return None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = verify_webhook(super().blueprint(on_new_message), self.check_request)

        async def no_set_webhook(request: Request) -> Optional[HTTPResponse]:
            # Anyone could call it (it has no check) and make the bot call Telegram's API.
            if request.path.rstrip("/").endswith("/set_webhook"):
                return response.text("Not Found", status=HTTPStatus.NOT_FOUND)
            return None

        blueprint.middleware(no_set_webhook, "request")
        return blueprint
