"""Telegram: Updates posted to /webhooks/telegram/webhook, answers sent to the Bot API stand-in."""
from __future__ import annotations

import itertools
import json
import re

import pytest
import requests

from language import detect_language
from tests.channels.conftest import TELEGRAM_SECRET, TELEGRAM_WEBHOOK
from tests.channels.platforms import post_json, telegram_callback_update, telegram_message_update

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_users = itertools.count(7_000_001)


def send(channels, update, secret=TELEGRAM_SECRET):
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return post_json(channels.webhook("telegram"), update, headers)


def say(channels, user, text, language_code="en", count=1):
    """Send a text message; the texts of the bot's sendMessage calls."""
    mark = channels.telegram.mark()
    assert send(channels, telegram_message_update(user, text, language_code)).status_code == 200
    return channels.telegram.sent(mark, user, count=count)


def click(channels, user, data, language_code="en", count=1):
    mark = channels.telegram.mark()
    update = telegram_callback_update(user, data, language_code)
    assert send(channels, update).status_code == 200
    replies = channels.telegram.sent(mark, user, count=count)
    answered = channels.telegram.calls("answerCallbackQuery", mark)
    assert [a["callback_query_id"] for a in answered] == [update["callback_query"]["id"]]
    return replies


def keyboard(message):
    """The inline keyboard of a sendMessage call: rows of (title, callback_data)."""
    markup = json.loads(message["reply_markup"])
    return [[(b["text"], b["callback_data"]) for b in row] for row in markup["inline_keyboard"]]


def test_webhook_is_set_with_the_secret_token(channels):
    calls = channels.telegram.calls("setWebhook")
    assert calls and calls[0]["url"] == TELEGRAM_WEBHOOK
    assert calls[0]["secret_token"] == TELEGRAM_SECRET


def test_english_question_gets_the_english_answer(channels):
    replies = say(channels, next(_users), "do I need maths", language_code="nb")
    assert "7.5 ECTS" in replies[0]["text"]
    assert detect_language(replies[0]["text"]) == "en"


def test_norwegian_question_gets_the_norwegian_answer(channels):
    replies = say(channels, next(_users), "må jeg ha matte", language_code="en")
    assert "7,5 studiepoeng" in replies[0]["text"]
    assert detect_language(replies[0]["text"]) == "nb"


@pytest.mark.parametrize("language_code, expected", [("nb", "nb"), ("no", "nb"), ("en", "en"), ("en-GB", "en")])
def test_the_users_telegram_language_decides_an_ambiguous_message(channels, language_code, expected):
    replies = say(channels, next(_users), "ok", language_code=language_code)
    assert detect_language(replies[0]["text"]) == expected, replies


def test_start_command_is_a_greeting(channels):
    user = next(_users)
    replies = say(channels, user, "/start", language_code="nb")
    assert replies and replies[0]["text"]
    assert channels.user_events(str(user))[0]["parse_data"]["intent"]["name"] == "greet"


def test_button_click_reaches_the_bot_as_the_payload(channels):
    user = next(_users)
    replies = click(channels, user, '/faq_choice{"faq_key":"math_requirement"}')
    assert "7.5 ECTS" in replies[0]["text"]
    assert channels.user_events(str(user))[-1]["text"] == '/faq_choice{"faq_key":"math_requirement"}'


@pytest.mark.parametrize("secret", [None, "wrong-secret", TELEGRAM_SECRET + "x", ""])
def test_update_without_the_secret_token_is_refused(channels, secret):
    user = next(_users)
    mark = channels.telegram.mark()
    response = send(channels, telegram_message_update(user, "do I need maths"), secret=secret)
    assert response.status_code == 401
    assert channels.telegram.since(mark) == []  # not even getMe: refused before Rasa's handler
    assert channels.user_events(str(user)) == []


def test_personal_fee_dialogue_from_first_question_to_amount(channels):
    """Typed answers and inline keyboard clicks, as a person on Telegram would."""
    user = next(_users)
    replies = say(channels, user, "calculate my tuition fee please")
    assert "country" in replies[-1]["text"].lower()
    replies = say(channels, user, "India")
    rows = keyboard(replies[-1])
    assert all(len(row) == 1 for row in rows)  # one button a row: the titles are long
    assert ("MSc in Industrial Ecology", '/inform{"level":"master"}') in [row[0] for row in rows]
    for title in ("MSc in Industrial Ecology", "Autumn 2023 or later", "No, none of these", "Yes, full time"):
        buttons = dict(row[0] for row in keyboard(replies[-1]))
        assert title in buttons, (title, buttons)
        assert len(buttons[title].encode()) <= 64  # Telegram's limit for callback_data
        replies = click(channels, user, buttons[title])
    answer = replies[0]["text"]
    assert "India" in answer and re.search(r"NOK \d{3},\d{3}", answer), answer
    assert detect_language(answer) == "en"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_set_webhook_route_is_disabled(channels, method):
    """Rasa's set_webhook route has no authentication: anyone could make the bot call Telegram."""
    mark = channels.telegram.mark()
    response = requests.request(method, channels.rasa_url + "/webhooks/telegram/set_webhook", timeout=30)
    assert response.status_code == 404
    assert channels.telegram.since(mark) == []  # no setWebhook (or any) call to Telegram


def test_update_sent_as_get_is_refused_even_with_the_secret(channels):
    user = next(_users)
    mark = channels.telegram.mark()
    response = requests.get(channels.webhook("telegram"), json=telegram_message_update(user, "do I need maths"),
                            headers={SECRET_HEADER: TELEGRAM_SECRET}, timeout=30)
    assert response.status_code == 405
    assert channels.telegram.since(mark) == [] and channels.user_events(str(user)) == []
