"""Fixtures for the mail worker's tests: Dovecot (IMAP) and aiosmtpd (SMTP) on loopback, a
fresh mailbox per test, and the assistant: the session fixture `stack` (tests/conftest.py), or
an already running Rasa server when MAIL_TEST_RASA_URL is set (handy while developing).
"""
from __future__ import annotations

import os

import pytest
from aiosmtpd.controller import Controller

from mailbot.config import Config
from mailtest import BOT, PASSWORD, Captured, Dovecot, free_port


@pytest.fixture(scope="session")
def dovecot():
    server = Dovecot().start()
    yield server
    server.stop()


@pytest.fixture
def smtp():
    handler = Captured()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, handler
    controller.stop()


@pytest.fixture(scope="session")
def rasa_url(request) -> str:
    if os.environ.get("MAIL_TEST_RASA_URL"):
        return os.environ["MAIL_TEST_RASA_URL"]
    return request.getfixturevalue("stack").rasa_url


@pytest.fixture(scope="session")
def rasa_token(request) -> str:
    """The HTTP API token of that assistant (RASA_API_TOKEN with MAIL_TEST_RASA_URL)."""
    if os.environ.get("MAIL_TEST_RASA_URL"):
        return os.environ.get("RASA_API_TOKEN", "")
    return request.getfixturevalue("stack").api_token


@pytest.fixture
def mail_config(dovecot, smtp, tmp_path) -> Config:
    """Settings for a fresh mailbox; the assistant URL is filled in by tests that need it."""
    controller, _ = smtp
    user = dovecot.new_user()
    config = Config(
        imap_host="127.0.0.1", imap_port=dovecot.port, imap_security="plain", user=user, password=PASSWORD,
        smtp_host="127.0.0.1", smtp_port=controller.port, smtp_security="plain", smtp_user="",
        mail_from=f"MSc Industrial Ecology <{BOT}>", state_db=tmp_path / "state.db", timeout=10,
        rasa_url="http://127.0.0.1:9",  # nothing listens here: tests that need Rasa set it
    )
    config.validate()
    return config


