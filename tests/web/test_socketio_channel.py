"""The socket.io channel (channels/socketio.py): allowed origins and sessions."""
from __future__ import annotations

import threading

import pytest
import socketio

from channels.socketio import SocketIOInput, parse_origins
from tests.web.helpers import rasa_api, user_events


def test_allowed_origins_from_credentials():
    assert parse_origins(["https://www.example.org/", "HTTP://LOCALHOST:8000"]) == {
        "https://www.example.org",
        "http://localhost:8000",
    }
    assert parse_origins("https://a.example, https://b.example") == {"https://a.example", "https://b.example"}
    assert parse_origins(["*"]) is None and parse_origins("*") is None  # every site
    assert parse_origins(None) == frozenset()  # only Rasa's own pages

    channel = SocketIOInput.from_credentials({"cors_allowed_origins": ["http://localhost:8000"]})
    environ = {"HTTP_HOST": "rasa.example:5005", "wsgi.url_scheme": "https"}
    assert channel.origin_allowed("http://localhost:8000", environ)
    assert channel.origin_allowed("https://rasa.example:5005", environ)  # same origin
    assert channel.origin_allowed(None, environ)  # not a browser
    assert not channel.origin_allowed("http://localhost:8001", environ)
    assert not channel.origin_allowed("https://evil.example", environ)


class Client:
    """A socket.io client of the chat (what the widget does, without a browser)."""

    def __init__(self, url: str) -> None:
        self.sio = socketio.Client(reconnection=False)
        self.confirmed = threading.Event()
        self.answered = threading.Event()
        self.session_id = None
        self.sio.on("session_confirm", self._on_confirm)
        self.sio.on("bot_uttered", lambda data: self.answered.set())
        self.sio.connect(url, transports=["polling"], wait_timeout=20)

    def _on_confirm(self, session_id) -> None:
        self.session_id = session_id
        self.confirmed.set()

    def session(self, requested=None) -> str:
        self.confirmed.clear()
        self.sio.emit("session_request", {"session_id": requested})
        assert self.confirmed.wait(20), "no session_confirm"
        return self.session_id

    def say(self, text: str, session_id: str) -> None:
        self.sio.emit("user_uttered", {"message": text, "session_id": session_id})


@pytest.fixture
def clients(web_stack):
    made = []

    def make() -> Client:
        made.append(Client(web_stack.rasa_url))
        return made[-1]

    yield make
    for client in made:
        client.sio.eio.disconnect(abort=True)  # without waiting for the open long-poll


def test_a_socket_speaks_only_for_its_own_session(web_stack, clients):
    victim = clients().session()
    other = clients()
    assert other.session("not a session id!") not in ("not a session id!", victim)  # a new one instead
    own = other.session_id

    other.say("do I need maths?", victim)  # someone else's conversation: ignored
    other.say("do I need maths?", own)
    assert other.answered.wait(30), "no answer in the socket's own session"
    assert [e["text"] for e in user_events(web_stack, own)] == ["do I need maths?"]
    tracker = rasa_api(web_stack, "GET", f"/conversations/{victim}/tracker")
    assert not [e for e in tracker["events"] if e["event"] == "user"]

    # The widget's reload: a new socket asks for the session it had, and gets it back.
    assert clients().session(own) == own
