"""Microsoft Teams through the Bot Framework: Rasa's connector, configurable and stricter.

Changes to `rasa.core.channels.botframework`, nothing else:
- `openid_metadata_url` (credentials): where the signing keys of incoming tokens are
  found, default Microsoft's https://login.botframework.com/v1/.well-known/openidconfiguration
  (a local stand-in in the tests);
- `token_url` (credentials): where the bot gets its own token for replies, default
  Microsoft's multi-tenant endpoint; a single-tenant bot uses
  https://login.microsoftonline.com/<tenant id>/oauth2/v2.0/token;
- incoming tokens are checked as the Bot Framework specifies ("Authenticate requests
  from the Bot Connector service"): RS256 only, a key from the metadata's JWKS (fetched
  again for an unknown key id, at most every 5 minutes) endorsed for the activity's
  channelId, issuer https://api.botframework.com, audience = the app id, exp/nbf with
  5 minutes' clock skew, and the token's serviceUrl claim equal to the activity's (so a
  token cannot send the replies elsewhere). Rasa's own check takes the algorithm from
  the token and skips the issuer and serviceUrl. A refused request gets 401;
- the activity's `locale` (Teams sends "nb-NO") goes into the metadata as "locale";
- buttons are a hero card of messageBack actions (Rasa's card carries Rasa's button
  dicts, which are not Bot Framework card actions): the click sends the payload as the
  message text, shows the button's title in the chat, and repeats the payload in
  `value`; a card action that sends only `value: {"payload": ...}` works too;
- a mention of the bot ("<at>IE Assistant</at> ...", in channels and group chats) is
  taken out of the text.
"""
from __future__ import annotations

import datetime
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

import jwt
import requests
from jwt import InvalidTokenError, PyJWTError
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels import botframework as rasa_botframework
from rasa.core.channels.botframework import BEARER_REGEX
from rasa.core.channels.botframework import BotFramework as RasaBotFramework
from rasa.core.channels.botframework import BotFrameworkInput as RasaBotFrameworkInput
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.common import api_url, refuse, request_json, require, verify_webhook, with_locale

logger = logging.getLogger(__name__)

OPENID_METADATA_URL = rasa_botframework.MICROSOFT_OPEN_ID_URI
TOKEN_URL = f"{rasa_botframework.MICROSOFT_OAUTH2_URL}/{rasa_botframework.MICROSOFT_OAUTH2_PATH}"
TOKEN_SCOPE = "https://api.botframework.com/.default"
ISSUER = "https://api.botframework.com"
CLOCK_SKEW = 300  # seconds
KEYS_MAX_AGE = datetime.timedelta(days=1)
KEYS_MIN_INTERVAL = datetime.timedelta(minutes=5)
HERO_CARD = "application/vnd.microsoft.card.hero"


def card_action(button: Dict[Text, Any]) -> Dict[Text, Any]:
    title, payload = button["title"], button["payload"]
    return {"type": "messageBack", "title": title, "displayText": title, "text": payload, "value": {"payload": payload}}


def prepare_activity(activity: Dict[Text, Any]) -> None:
    """The text the bot should read: without the bot's @mention, or the card's payload."""
    text = str(activity.get("text") or "")
    bot_id = (activity.get("recipient") or {}).get("id")
    for entity in activity.get("entities") or []:
        if entity.get("type") == "mention" and (entity.get("mentioned") or {}).get("id") == bot_id:
            text = text.replace(str(entity.get("text") or ""), " ")
    value = activity.get("value")
    if not text.strip() and isinstance(value, dict) and value.get("payload"):
        text = str(value["payload"])
    activity["text"] = " ".join(text.split())


class BotFramework(RasaBotFramework):
    token_url = TOKEN_URL

    @classmethod
    def like(cls, channel: RasaBotFramework, token_url: Text) -> "BotFramework":
        """This class's output channel for the conversation of Rasa's `channel`."""
        service_url = channel.global_uri[: -len("v3/")]
        ours = cls(channel.app_id, channel.app_password, channel.conversation, channel.bot, service_url)
        ours.token_url = token_url
        return ours

    async def _get_headers(self) -> Optional[Dict[Text, Any]]:
        """Rasa's token request, to `token_url` instead of a fixed Microsoft address."""
        cls = type(self)
        if cls.headers and cls.token_expiration_date > datetime.datetime.now():
            return cls.headers
        answer = requests.post(
            self.token_url,
            data={"client_id": self.app_id, "client_secret": self.app_password,
                  "grant_type": "client_credentials", "scope": TOKEN_SCOPE},
            timeout=30,
        )
        if not answer.ok:
            logger.error("Could not get a Bot Framework token from %s (HTTP %s)", self.token_url, answer.status_code)
            return None
        token = answer.json()
        lifetime = datetime.timedelta(seconds=int(token["expires_in"]) - 60)
        cls.token_expiration_date = datetime.datetime.now() + lifetime
        cls.headers = {"content-type": "application/json", "Authorization": f"Bearer {token['access_token']}"}
        return cls.headers

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        card = {"contentType": HERO_CARD, "content": {"text": text, "buttons": [card_action(b) for b in buttons]}}
        await self.send(self.prepare_message(recipient_id, {"attachments": [card]}))


class BotFrameworkInput(RasaBotFrameworkInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        require(credentials, "Bot Framework", "app_id", "app_password")
        return cls(
            str(credentials["app_id"]),
            str(credentials["app_password"]),
            api_url(credentials, "openid_metadata_url", OPENID_METADATA_URL),
            api_url(credentials, "token_url", TOKEN_URL),
        )

    def __init__(self, app_id: Text, app_password: Text, openid_metadata_url: Text = OPENID_METADATA_URL,
                 token_url: Text = TOKEN_URL) -> None:
        self.openid_metadata_url = openid_metadata_url
        self.token_url = token_url
        super().__init__(app_id, app_password)  # fetches the signing keys

    def _update_cached_jwk_keys(self) -> None:
        self.jwt_update_time = datetime.datetime.now()
        metadata = requests.get(self.openid_metadata_url, timeout=30)
        metadata.raise_for_status()
        keys = requests.get(metadata.json()["jwks_uri"], timeout=30)
        keys.raise_for_status()
        self.jwt_keys = {key["kid"]: key for key in keys.json()["keys"]}

    def signing_key(self, key_id: Optional[Text]) -> Dict[Text, Any]:
        age = datetime.datetime.now() - self.jwt_update_time
        if age > KEYS_MAX_AGE or (key_id not in self.jwt_keys and age > KEYS_MIN_INTERVAL):
            try:
                self._update_cached_jwk_keys()
            except (requests.RequestException, KeyError, ValueError) as error:
                logger.warning("Could not update the Bot Framework keys from %s: %s", self.openid_metadata_url, error)
        if key_id not in self.jwt_keys:
            raise InvalidTokenError(f"unknown signing key {key_id!r}")
        return self.jwt_keys[key_id]

    def verified_claims(self, token: Text, activity: Dict[Text, Any]) -> Dict[Text, Any]:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != "RS256":
            raise InvalidTokenError(f"algorithm {header.get('alg')!r} is not RS256")
        key = self.signing_key(header.get("kid"))
        endorsements = key.get("endorsements")
        if endorsements is not None and activity.get("channelId") not in endorsements:
            raise InvalidTokenError(f"key not endorsed for channel {activity.get('channelId')!r}")
        claims = jwt.decode(
            token, RSAAlgorithm.from_jwk(key), algorithms=["RS256"], audience=self.app_id, issuer=ISSUER,
            leeway=CLOCK_SKEW, options={"require": ["exp", "iss", "aud"]},
        )
        if claims.get("serviceUrl") != activity.get("serviceUrl"):
            raise InvalidTokenError("the activity's serviceUrl is not the token's")
        return claims

    async def check_request(self, request: Request) -> Optional[HTTPResponse]:
        match = BEARER_REGEX.match(request.headers.get("Authorization", ""))
        if not match:
            return refuse("botframework", "no Bearer token")
        activity = request_json(request)
        try:
            self.verified_claims(match.group(1).strip(), activity)
        except (PyJWTError, ValueError, TypeError) as error:
            return refuse("botframework", f"token not accepted: {error}")
        prepare_activity(activity)  # Rasa's handler reads this same parsed body
        return None

    def _validate_auth(self, auth_header: Optional[Text]) -> Optional[HTTPResponse]:
        """Done by `check_request` before the handler (it needs the activity as well)."""
        return None

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        activity = request_json(request)
        client_info = [e for e in activity.get("entities") or [] if e.get("type") == "clientInfo"]
        return with_locale(activity.get("locale") or (client_info[0].get("locale") if client_info else None))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def with_our_output(message: UserMessage) -> Any:
            # Rasa's handler builds its own output channel class: swap in this module's.
            message.output_channel = BotFramework.like(message.output_channel, self.token_url)
            return await on_new_message(message)

        return verify_webhook(super().blueprint(with_our_output), self.check_request)
