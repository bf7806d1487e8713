"""What the Teams (Bot Framework), Slack and Telegram connectors share.

- `with_locale`: the message metadata the bot gets from every platform. The platform's
  locale of the user ("nb-NO", "en-US", Telegram's "nb") goes in as "locale", which
  components/language_detector.py uses as a hint when the text does not decide the
  language (e.g. "ok").
- `verify_webhook`: a check of every request to a connector's /webhook route, run before
  Rasa's handler; a request that fails it gets 401 and never reaches the bot. The
  platforms only POST there; Rasa's Slack and Telegram routes also accept GET with the
  same body handling (a signed request replayed as GET would be delivered a second time),
  so any other method gets 405.
- `api_url`: a platform's API address from credentials.yml, with the public one as default.
"""
from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, Awaitable, Callable, Dict, Mapping, Optional, Text

from rasa.shared.exceptions import InvalidConfigException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

LOCALE = "locale"

# Returns None when the request is genuine, else the response that refuses it.
RequestCheck = Callable[[Request], Awaitable[Optional[HTTPResponse]]]


def with_locale(locale: Any, metadata: Optional[Mapping[Text, Any]] = None) -> Dict[Text, Any]:
    """`metadata` (Rasa's, if the connector has any) plus the platform's user locale."""
    result = dict(metadata or {})
    if isinstance(locale, str) and locale.strip():
        result[LOCALE] = locale.strip()
    return result


def api_url(credentials: Mapping[Text, Any], key: Text, default: Text) -> Text:
    """The API base URL under `key` in the channel's credentials, else the public one."""
    value = str(credentials.get(key) or "").strip()
    return value or default


def require(credentials: Optional[Mapping[Text, Any]], channel: Text, *keys: Text) -> None:
    """Refuse to start a channel whose secrets are missing (or that has no credentials at
    all): it could not verify requests."""
    missing = [key for key in keys if not str((credentials or {}).get(key) or "").strip()]
    if missing:
        raise InvalidConfigException(
            f"The {channel} channel needs {', '.join(missing)} in credentials.yml "
            "(see channels/README.md)."
        )


def refuse(channel: Text, reason: Text, status: HTTPStatus = HTTPStatus.UNAUTHORIZED) -> HTTPResponse:
    logger.warning("%s webhook: request refused: %s", channel, reason)
    return response.text(reason, status=status)


def verify_webhook(blueprint: Blueprint, check: RequestCheck) -> Blueprint:
    """Run `check` on every request to the blueprint's /webhook route before the handler;
    a method other than POST is refused (405) without reaching it."""

    async def verify(request: Request) -> Optional[HTTPResponse]:
        if not request.path.rstrip("/").endswith("/webhook"):
            return None
        if request.method != "POST":
            return refuse(blueprint.name, f"{request.method} is not accepted, only POST", HTTPStatus.METHOD_NOT_ALLOWED)
        return await check(request)

    blueprint.middleware(verify, "request")
    return blueprint


def request_json(request: Request) -> Dict[Text, Any]:
    """The request's JSON body as a dict ({} when it is not one)."""
    try:
        body = request.json
    except Exception:  # sanic raises on a body that is not JSON
        return {}
    return body if isinstance(body, dict) else {}
