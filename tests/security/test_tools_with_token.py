"""Tools that need Rasa's HTTP API start it with a token of their own: the mail worker's
own Rasa server (mailbot/__main__.py) parses with it, and refuses anyone without it."""
from __future__ import annotations

from mailbot.__main__ import start_assistant
from mailbot.answer import RasaParser
from mailbot.config import Config
from tests.security.conftest import http


def test_the_mail_workers_own_rasa_needs_its_token(tmp_path):
    config = Config(rasa_url="http://127.0.0.1:9", rasa_token="", start_rasa=True, state_db=tmp_path / "state.db")
    stack = start_assistant(config)  # nothing answers at RASA_URL: it starts its own
    try:
        assert stack is not None and config.rasa_url == stack.rasa_url
        assert config.rasa_token == stack.api_token and len(config.rasa_token) >= 32
        parsed = RasaParser(config.rasa_url, config.rasa_token)("do I need maths?")
        assert parsed["intent"]["name"]
        assert http("POST", config.rasa_url + "/model/parse", {"text": "hei"})[0] == 401
        assert not RasaParser(config.rasa_url, "wrong").available()
        assert "--cors" not in stack.rasa_command()
    finally:
        if stack is not None:
            stack.stop()
