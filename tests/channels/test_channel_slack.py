"""Slack: signed Events API and interactive requests to /webhooks/slack/webhook, answers
posted to the Web API stand-in (chat.postMessage)."""
from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest
import requests

from language import detect_language
from tests.channels.conftest import SLACK_SECRET
from tests.channels.platforms import new_id, slack_block_actions, slack_headers, slack_message_event

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def post(channels, body: bytes, content_type: str, secret=SLACK_SECRET, timestamp=None, headers=None):
    headers = headers or slack_headers(secret, body, content_type, timestamp)
    return requests.post(channels.webhook("slack"), data=body, headers=headers, timeout=60)


def event_body(user, channel, text) -> bytes:
    return json.dumps(slack_message_event(user, channel, text)).encode()


def click_body(user, channel, value) -> bytes:
    return urlencode({"payload": json.dumps(slack_block_actions(user, channel, value))}).encode()


def person(channels, locale=None):
    """A new Slack user (and the DM channel with the bot), with a locale in their profile."""
    user, channel = new_id("U"), new_id("D")
    if locale:
        channels.slack.locales[user] = locale
    return user, channel


def say(channels, user, channel, text, count=1):
    mark = channels.slack.mark()
    assert post(channels, event_body(user, channel, text), JSON).status_code == 200
    return channels.slack.posted(mark, channel, count=count)


def click(channels, user, channel, value, count=1):
    mark = channels.slack.mark()
    assert post(channels, click_body(user, channel, value), FORM).status_code == 200
    return channels.slack.posted(mark, channel, count=count)


def buttons(message):
    """The buttons of a chat.postMessage: {title: value}, and the blocks' types."""
    blocks = message["blocks"]
    found = {e["text"]["text"]: e["value"] for b in blocks if b["type"] == "actions" for e in b["elements"]
             if e["type"] == "button"}
    return found, [b["type"] for b in blocks]


def test_english_question_gets_the_english_answer(channels):
    user, channel = person(channels, "nb-NO")
    replies = say(channels, user, channel, "do I need maths")
    assert "7.5 ECTS" in replies[0]["text"] and detect_language(replies[0]["text"]) == "en"


def test_norwegian_question_gets_the_norwegian_answer(channels):
    user, channel = person(channels, "en-US")
    replies = say(channels, user, channel, "må jeg ha matte")
    assert "7,5 studiepoeng" in replies[0]["text"] and detect_language(replies[0]["text"]) == "nb"


@pytest.mark.parametrize("locale, expected", [("nb-NO", "nb"), ("en-GB", "en")])
def test_the_users_slack_locale_decides_an_ambiguous_message(channels, locale, expected):
    user, channel = person(channels, locale)
    mark = channels.slack.mark()
    replies = say(channels, user, channel, "ok")
    assert detect_language(replies[0]["text"]) == expected, replies
    lookups = channels.slack.since(mark, lambda r: r.path == "/api/users.info")
    assert [r.params["user"] for r in lookups] == [user]
    assert channels.user_events(user)[-1]["metadata"]["locale"] == locale


def test_button_click_reaches_the_bot_as_the_payload(channels):
    user, channel = person(channels)
    replies = click(channels, user, channel, '/faq_choice{"faq_key":"math_requirement"}')
    assert "7.5 ECTS" in replies[0]["text"]
    assert channels.user_events(user)[-1]["text"] == '/faq_choice{"faq_key":"math_requirement"}'


def test_buttons_are_block_kit_buttons_and_clicks_answer_them(channels):
    user, channel = person(channels, "en-GB")
    say(channels, user, channel, "calculate my tuition fee please")
    replies = say(channels, user, channel, "India")
    found, types = buttons(replies[-1])
    assert types == ["section", "actions"]
    assert found["MSc in Industrial Ecology"] == '/inform{"level":"master"}'
    replies = click(channels, user, channel, found["MSc in Industrial Ecology"])
    replies = click(channels, user, channel, buttons(replies[-1])[0]["Autumn 2023 or later"])
    found, types = buttons(replies[-1])
    # Six choices: Rasa's connector would drop them all (its limit is 5); here two actions blocks.
    assert len(found) == 6 and types == ["section", "actions", "actions"]


def test_url_verification_challenge(channels):
    body = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"}).encode()
    response = post(channels, body, JSON)
    assert response.status_code == 200 and "3eZbrw1aBm2rZgRNFdxV" in response.text


def assert_refused(channels, user, mark, response):
    assert response.status_code == 401
    time.sleep(2)  # Slack's handler answers at once and works in the background
    assert channels.slack.since(mark) == []
    assert channels.user_events(user) == []


@pytest.mark.parametrize("forgery", ["wrong secret", "no signature", "body changed", "click, wrong secret"])
def test_forged_request_is_refused(channels, forgery):
    user, channel = person(channels)
    body = event_body(user, channel, "do I need maths")
    headers = slack_headers(SLACK_SECRET, body, JSON)
    if forgery == "wrong secret":
        headers = slack_headers("not-the-signing-secret", body, JSON)
    elif forgery == "no signature":
        del headers["X-Slack-Signature"]
    elif forgery == "body changed":
        body = event_body(user, channel, "må jeg ha matte")
    else:
        body = click_body(user, channel, '/faq_choice{"faq_key":"math_requirement"}')
        headers = slack_headers("not-the-signing-secret", body, FORM)
    mark = channels.slack.mark()
    assert_refused(channels, user, mark, post(channels, body, "", headers=headers))


def test_request_older_than_five_minutes_is_refused_as_a_replay(channels):
    user, channel = person(channels)
    mark = channels.slack.mark()
    body = event_body(user, channel, "do I need maths")
    assert_refused(channels, user, mark, post(channels, body, JSON, timestamp=int(time.time()) - 5 * 60 - 10))


def test_the_same_signed_request_twice_is_refused_as_a_replay(channels):
    user, channel = person(channels)
    body = event_body(user, channel, "do I need maths")
    headers = slack_headers(SLACK_SECRET, body, JSON)
    mark = channels.slack.mark()
    assert post(channels, body, JSON, headers=headers).status_code == 200
    channels.slack.posted(mark, channel)
    assert len(channels.user_events(user)) == 1
    mark = channels.slack.mark()
    response = post(channels, body, JSON, headers=headers)
    assert response.status_code == 401
    time.sleep(2)
    assert channels.slack.since(mark) == [] and len(channels.user_events(user)) == 1


def test_a_signed_request_replayed_as_get_is_refused(channels):
    """Rasa's route takes GET with the same body handling: a replay as GET must not get in."""
    user, channel = person(channels)
    body = event_body(user, channel, "do I need maths")
    headers = slack_headers(SLACK_SECRET, body, JSON)
    mark = channels.slack.mark()
    assert post(channels, body, JSON, headers=headers).status_code == 200
    channels.slack.posted(mark, channel)
    mark = channels.slack.mark()
    response = requests.get(channels.webhook("slack"), data=body, headers=headers, timeout=60)
    assert response.status_code == 405
    time.sleep(2)
    assert channels.slack.since(mark) == [] and len(channels.user_events(user)) == 1


def test_a_fresh_signed_get_request_is_refused_too(channels):
    user, channel = person(channels)
    body = event_body(user, channel, "do I need maths")
    mark = channels.slack.mark()
    response = requests.get(channels.webhook("slack"), data=body, headers=slack_headers(SLACK_SECRET, body, JSON),
                            timeout=60)
    assert response.status_code == 405
    time.sleep(2)
    assert channels.slack.since(mark) == [] and channels.user_events(user) == []
