"""Local stand-ins of the Telegram Bot API, the Slack Web API and the Bot Framework
(Microsoft's OpenID metadata and keys, its token endpoint and a Teams service URL).

Each is a small aiohttp app on a free loopback port, run in a thread, that answers as
the platform documents and records every request it receives. The helpers at the end
build the platforms' webhook requests: a Telegram Update, a signed Slack event or
interactive payload, a Bot Framework Activity with a signed JWT.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

import jwt
import requests
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from scripts.stack import free_port

_ids = itertools.count(1)


def new_id(prefix: str = "") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


@dataclass
class Recorded:
    method: str
    path: str
    headers: Dict[str, str]
    query: Dict[str, str]
    body: bytes
    params: Dict[str, Any] = field(default_factory=dict)  # JSON body, form fields or query
    status: Optional[int] = None  # the stand-in's answer, once it has answered
    answer: Any = None

    @property
    def accepted(self) -> bool:
        """The stand-in answered it as the platform answers a valid call."""
        return self.status is not None and self.status < 300 and (not isinstance(self.answer, dict) or self.answer.get("ok", True))


class StandIn:
    """An aiohttp app on 127.0.0.1 in its own thread; `requests` is everything it got."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: List[Recorded] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._runner: Optional[web.AppRunner] = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    @web.middleware
    async def _record(self, request: web.Request, handler: Callable) -> web.StreamResponse:
        body = await request.read()
        params: Dict[str, Any] = dict(request.query)
        if request.content_type == "application/json" and body:
            params.update(json.loads(body))
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            params.update({k: v for k, v in (await request.post()).items() if isinstance(v, str)})
        entry = Recorded(request.method, request.path, dict(request.headers), dict(request.query), body, params)
        with self._lock:
            self.requests.append(entry)
        request["recorded"] = entry
        response = await handler(request)
        entry.answer = json.loads(response.text) if response.content_type == "application/json" else None
        entry.status = response.status
        return response

    def start(self) -> "StandIn":
        app = web.Application(middlewares=[self._record])
        self.routes(app)
        self._runner = web.AppRunner(app)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(10)
        return self

    async def _serve(self) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def __enter__(self) -> "StandIn":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def mark(self) -> int:
        with self._lock:
            return len(self.requests)

    def since(self, mark: int, match: Callable[[Recorded], bool] = lambda r: True) -> List[Recorded]:
        with self._lock:
            return [r for r in self.requests[mark:] if match(r)]

    def wait(
        self, mark: int, match: Callable[[Recorded], bool], count: int = 1, timeout: float = 60, settle: float = 1.5
    ) -> List[Recorded]:
        """The matching requests after `mark`: wait for `count` of them, then `settle` s for any more."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.since(mark, match)
            if len(found) >= count:
                time.sleep(settle)
                return self.since(mark, match)
            time.sleep(0.1)
        got = [(r.method, r.path, r.status, r.params) for r in self.since(mark)]
        raise AssertionError(f"{type(self).__name__}: expected {count} matching request(s); all since: {got}")


# --- Telegram -------------------------------------------------------------------------

class TelegramAPI(StandIn):
    """The Bot API: https://core.telegram.org/bots/api (POST /bot<token>/<method>)."""

    def __init__(self, token: str, username: str) -> None:
        super().__init__()
        self.token, self.username = token, username

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self.method)

    async def method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        name, params = request.match_info["method"], request["recorded"].params
        bot = {"id": int(self.token.split(":")[0]), "is_bot": True, "first_name": "IE assistant", "username": self.username}
        if name == "getMe":
            result: Any = bot
        elif name == "sendMessage":
            result = {"message_id": next(_ids), "date": int(time.time()), "from": bot, "text": params.get("text", ""),
                      "chat": {"id": int(params["chat_id"]), "type": "private"}}
        else:  # setWebhook, answerCallbackQuery...
            result = True
        return web.json_response({"ok": True, "result": result})

    def sent(self, mark: int, chat_id: int, **wait: Any) -> List[Dict[str, Any]]:
        """The sendMessage calls to `chat_id` after `mark` (their parameters).

        Rasa's Telegram handler answers the webhook after the replies are sent: no need to wait long."""
        wait.setdefault("settle", 0.2)
        found = self.wait(mark, lambda r: r.path.endswith("/sendMessage") and r.params.get("chat_id") == str(chat_id) and r.accepted,
                          **wait)
        return [r.params for r in found]

    def calls(self, method: str, mark: int = 0) -> List[Dict[str, Any]]:
        return [r.params for r in self.since(mark, lambda r: r.path.endswith("/" + method))]


def telegram_user(user_id: int, language_code: Optional[str]) -> Dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Kari", "username": f"user{user_id}"}
    if language_code:
        user["language_code"] = language_code
    return user


def telegram_message_update(user_id: int, text: str, language_code: Optional[str] = "en") -> Dict[str, Any]:
    """An Update with a private text message (https://core.telegram.org/bots/api#update)."""
    user = telegram_user(user_id, language_code)
    return {
        "update_id": next(_ids),
        "message": {"message_id": next(_ids), "from": user, "date": int(time.time()), "text": text,
                    "chat": {"id": user_id, "first_name": "Kari", "username": user["username"], "type": "private"}},
    }


def telegram_callback_update(user_id: int, data: str, language_code: Optional[str] = "en") -> Dict[str, Any]:
    """An Update with a callback_query: the person pressed an inline keyboard button."""
    user = telegram_user(user_id, language_code)
    return {
        "update_id": next(_ids),
        "callback_query": {
            "id": str(next(_ids)), "from": user, "chat_instance": "-4242", "data": data,
            "message": {"message_id": next(_ids), "date": int(time.time()), "text": "(the bot's question)",
                        "from": {"id": 42, "is_bot": True, "first_name": "IE assistant"},
                        "chat": {"id": user_id, "type": "private"}},
        },
    }


# --- Slack ----------------------------------------------------------------------------

class SlackAPI(StandIn):
    """The Web API: https://api.slack.com/web (POST /api/chat.postMessage, GET /api/users.info)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.locales: Dict[str, str] = {}  # user id -> the locale users.info reports

    def routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/api/{method}", self.method)

    async def method(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        name, params = request.match_info["method"], request["recorded"].params
        if name == "chat.postMessage":
            if "as_user" in params:  # what Slack answers an app created since 2020
                return web.json_response({"ok": False, "error": "invalid_arguments", "deprecated_argument": "as_user"})
            ts = f"{time.time():.6f}"
            return web.json_response({"ok": True, "channel": params.get("channel"), "ts": ts,
                                      "message": {"type": "message", "text": params.get("text"), "ts": ts, "bot_id": "B1"}})
        if name == "users.info":
            user = params.get("user")
            info = {"id": user, "name": "kari", "tz": "Europe/Oslo"}
            if user in self.locales and params.get("include_locale") in ("true", "1", "True"):
                info["locale"] = self.locales[user]
            return web.json_response({"ok": True, "user": info})
        return web.json_response({"ok": False, "error": "unknown_method"})

    def posted(self, mark: int, channel: str, **wait: Any) -> List[Dict[str, Any]]:
        found = self.wait(mark, lambda r: r.path == "/api/chat.postMessage" and r.params.get("channel") == channel and r.accepted,
                          **wait)
        return [r.params for r in found]


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """https://api.slack.com/authentication/verifying-requests-from-slack"""
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def slack_headers(secret: str, body: bytes, content_type: str, timestamp: Optional[int] = None) -> Dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": slack_signature(secret, stamp, body)}


def slack_message_event(user: str, channel: str, text: str) -> Dict[str, Any]:
    """An Events API event_callback with a message.im event (https://api.slack.com/events/message.im)."""
    ts = f"{time.time():.6f}"
    return {
        "token": "legacy-verification-token", "team_id": "T0NTNU", "api_app_id": "A0IEBOT",
        "event": {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts,
                  "event_ts": ts, "channel_type": "im"},
        "type": "event_callback", "event_id": new_id("Ev"), "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": "T0NTNU", "user_id": "U0BOT",
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    }


def slack_block_actions(user: str, channel: str, value: str, title: str = "Button") -> Dict[str, Any]:
    """The interactive payload of a button click (https://api.slack.com/reference/interaction-payloads/block-actions)."""
    ts = f"{time.time():.6f}"
    return {
        "type": "block_actions", "user": {"id": user, "username": "kari", "name": "kari", "team_id": "T0NTNU"},
        "api_app_id": "A0IEBOT", "token": "legacy-verification-token", "trigger_id": new_id("trig"),
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False},
        "team": {"id": "T0NTNU", "domain": "ntnu"}, "channel": {"id": channel, "name": "directmessage"},
        "message": {"type": "message", "bot_id": "B1", "text": "(the bot's question)", "ts": ts},
        "response_url": "http://127.0.0.1:9/unused", "state": {"values": {}},
        "actions": [{"action_id": new_id("a"), "block_id": new_id("b"), "type": "button", "value": value,
                     "text": {"type": "plain_text", "text": title}, "action_ts": ts}],
    }


# --- Bot Framework (Teams) ------------------------------------------------------------

BOTFRAMEWORK_ISSUER = "https://api.botframework.com"


class BotFrameworkAPI(StandIn):
    """Microsoft's side of a Teams bot: the OpenID metadata and signing keys for incoming
    tokens, the token endpoint for the bot's own token, and a Teams service URL
    (POST /teams/v3/conversations/<id>/activities)."""

    def __init__(self, app_id: str, app_password: str) -> None:
        super().__init__()
        self.app_id, self.app_password = app_id, app_password
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = new_id("kid-")
        self.bot_token = new_id("bot-access-token-")
        self.service_url = f"{self.url}/teams/"
        self.metadata_url = f"{self.url}/v1/.well-known/openidconfiguration"
        self.token_url = f"{self.url}/botframework.com/oauth2/v2.0/token"

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/v1/.well-known/openidconfiguration", self.metadata)
        app.router.add_get("/v1/.well-known/keys", self.keys)
        app.router.add_post("/botframework.com/oauth2/v2.0/token", self.token)
        app.router.add_post("/teams/v3/conversations/{conversation}/activities", self.activity)

    async def metadata(self, request: web.Request) -> web.Response:
        return web.json_response({
            "issuer": BOTFRAMEWORK_ISSUER, "authorization_endpoint": "https://invalid.example/unused",
            "jwks_uri": f"{self.url}/v1/.well-known/keys",
            "id_token_signing_alg_values_supported": ["RS256"], "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        })

    async def keys(self, request: web.Request) -> web.Response:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "endorsements": ["msteams"]})
        return web.json_response({"keys": [jwk]})

    async def token(self, request: web.Request) -> web.Response:
        form = request["recorded"].params
        if (form.get("client_id"), form.get("client_secret"), form.get("grant_type")) != (
            self.app_id, self.app_password, "client_credentials"
        ):
            return web.json_response({"error": "invalid_client"}, status=401)
        return web.json_response({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                                  "access_token": self.bot_token})

    async def activity(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.bot_token}":
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        return web.json_response({"id": new_id("act-")}, status=201)

    def sent(self, mark: int, conversation: str, **wait: Any) -> List[Dict[str, Any]]:
        wait.setdefault("settle", 0.2)  # the webhook is answered after the replies are sent
        path = f"/teams/v3/conversations/{conversation}/activities"
        return [r.params for r in self.wait(mark, lambda r: r.path == path and r.accepted, **wait)]

    def signed_token(self, service_url: Optional[str] = None, key: Any = None, algorithm: str = "RS256",
                     kid: Optional[str] = None, **claims: Any) -> str:
        """A token like the Bot Connector's; the arguments make the forged ones."""
        now = int(time.time())
        body = {"iss": BOTFRAMEWORK_ISSUER, "aud": self.app_id, "nbf": now - 60, "exp": now + 3600, "iat": now - 60,
                "serviceUrl": service_url or self.service_url}
        body.update(claims)  # a claim given as None is left out
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(body, key or self.key, algorithm=algorithm, headers={"kid": kid or self.kid})


def teams_activity(service_url: str, conversation: str, user: str, text: str, locale: Optional[str] = "en-US",
                   bot_id: str = "28:ie-bot", **extra: Any) -> Dict[str, Any]:
    """A Teams message Activity (https://learn.microsoft.com/en-us/azure/bot-service/rest-api/bot-framework-rest-connector-api-reference#activity-object)."""
    activity = {
        "type": "message", "id": new_id(), "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
        "serviceUrl": service_url, "channelId": "msteams",
        "from": {"id": user, "name": "Kari Nordmann", "aadObjectId": str(uuid.uuid4())},
        "conversation": {"conversationType": "personal", "tenantId": "tenant-ntnu", "id": conversation},
        "recipient": {"id": bot_id, "name": "IE Assistant"},
        "textFormat": "plain", "text": text,
        "entities": [{"type": "clientInfo", "locale": locale or "", "country": "NO", "platform": "Web", "timezone": "Europe/Oslo"}],
        "channelData": {"tenant": {"id": "tenant-ntnu"}},
    }
    if locale:
        activity["locale"] = locale
    activity.update(extra)
    return activity


def post_json(url: str, body: Any, headers: Optional[Dict[str, str]] = None) -> requests.Response:
    return requests.post(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **(headers or {})}, timeout=120)
