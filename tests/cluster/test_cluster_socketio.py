"""The web chat's path through the cluster: socket.io long polling (what the widget opens
with) keeps its session on one Rasa server because nginx's socket.io upstream is sticky
by client address; round-robin would send half of the polls to a server that does not
know the session ("Invalid session")."""
from __future__ import annotations

import threading

import socketio

CLIENTS = 6


def test_polling_sessions_work_through_nginx(running):
    answers = []
    for index in range(CLIENTS):
        client = socketio.Client(reconnection=False)
        confirmed, answered = threading.Event(), threading.Event()
        got = {}
        client.on("session_confirm", lambda session_id, got=got, confirmed=confirmed: (got.update(session=session_id), confirmed.set()))
        client.on("bot_uttered", lambda data, got=got, answered=answered: (got.update(answer=data), answered.set()))
        client.connect(running.url, transports=["polling"], wait_timeout=20)  # no websocket upgrade
        try:
            client.emit("session_request", {"session_id": None})
            assert confirmed.wait(20), f"client {index}: no session_confirm"
            client.emit("user_uttered", {"message": "Trenger jeg matte?", "session_id": got["session"]})
            assert answered.wait(60), f"client {index}: no answer over socket.io"
            answers.append(got["answer"].get("text") or "")
        finally:
            client.eio.disconnect(abort=True)
    assert len(answers) == CLIENTS and all(answers)
