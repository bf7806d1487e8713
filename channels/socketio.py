"""Rasa's socket.io channel (the web chat widget) limited to the web sites that embed it.

Rasa's own `SocketIOInput` switches python-socketio's origin check off, so a page on any
web site could open the chat socket of a visitor's browser. This channel is the same,
except that a browser connection is accepted only from the origins listed in
credentials.yml:

    channels.socketio.SocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true
      cors_allowed_origins:          # scheme://host[:port] of each page with the widget
        - https://www.example.org
        # "*" allows every site; without the key only pages served by Rasa itself

Clients that send no Origin header (scripts, other servers) are not browsers and are
let through, as python-socketio does. The check is made when the socket.io connection
is opened (a refused browser gets a `connect_error`), not with CORS response headers:
Rasa's `--cors` option adds those to every route, the socket.io one included, and a
second set would make browsers reject the response.

Two fixes to Rasa 3.6's channel come with it, for `session_persistence: true`:
- Rasa calls python-socketio's `enter_room` without awaiting it; since python-socketio
  made it a coroutine the socket never joins its session's room and the bot's answers
  reach nobody. Here it is awaited.
- A socket may only send messages for the session it was confirmed (session_request),
  not for any session id it names.
"""
from __future__ import annotations

import inspect
import logging
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Iterable, Optional, Text, Union

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

logger = logging.getLogger(__name__)

ANY_ORIGIN = "*"
# A session id from the browser is reused only if it looks like one (Rasa makes uuid4 hex).
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{8,128}")


def normalise_origin(origin: Text) -> Text:
    """'HTTPS://Example.org/' -> 'https://example.org' (how browsers send Origin)."""
    return str(origin).strip().rstrip("/").lower()


def parse_origins(value: Union[None, Text, Iterable[Text]]) -> Optional[frozenset]:
    """The allowed origins from credentials.yml; None means every origin."""
    if value is None:
        return frozenset()
    if isinstance(value, str):
        value = [part for part in value.replace(",", " ").split()]
    origins = frozenset(normalise_origin(origin) for origin in value if str(origin).strip())
    return None if ANY_ORIGIN in origins else origins


class SocketIOInput(RasaSocketIOInput):
    """A socket.io input channel that accepts browser connections from listed origins."""

    # None: every origin; empty: only the Rasa server's own origin.
    allowed_origins: Optional[frozenset] = frozenset()

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        channel = super().from_credentials(credentials)
        channel.allowed_origins = parse_origins(credentials.get("cors_allowed_origins"))
        if channel.allowed_origins is None:
            logger.warning("socket.io channel: every web site may open the chat (cors_allowed_origins: '*').")
        else:
            logger.info("socket.io channel: browser origins allowed: %s", sorted(channel.allowed_origins) or "same origin only")
        return channel

    def origin_allowed(self, origin: Optional[Text], environ: Dict[Text, Any]) -> bool:
        if not origin or self.allowed_origins is None:
            return True
        origin = normalise_origin(origin)
        if origin in self.allowed_origins:
            return True
        host = environ.get("HTTP_HOST")
        return bool(host) and origin == normalise_origin(f"{environ.get('wsgi.url_scheme', 'http')}://{host}")

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        sio = self.sio
        namespace = self.namespace
        handlers = sio.handlers[namespace or "/"]
        rasa_connect = handlers["connect"]
        rasa_handle_message = handlers[self.user_message_evt]

        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if not self.origin_allowed(origin, environ):
                logger.warning("socket.io connection from %s refused: origin not in cors_allowed_origins.", origin)
                return False
            return await rasa_connect(sid, environ, auth)

        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = requested if isinstance(requested, str) and SESSION_ID.fullmatch(requested) else uuid.uuid4().hex
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=namespace)
                if inspect.isawaitable(joined):
                    await joined
                await sio.save_session(sid, {"session_id": session_id}, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                confirmed = (await sio.get_session(sid, namespace=namespace)).get("session_id")
                if not confirmed or data.get("session_id") != confirmed:
                    logger.warning("socket.io message ignored: its session_id was not confirmed for this socket.")
                    return
            await rasa_handle_message(sid, data)

        sio.on("connect", connect, namespace=namespace)
        sio.on("session_request", session_request, namespace=namespace)
        sio.on(self.user_message_evt, handle_message, namespace=namespace)
        return socketio_webhook
