"""Microsoft Teams (Bot Framework): Activities with a signed JWT posted to
/webhooks/botframework/webhook, answers posted to the stand-in's Teams service URL."""
from __future__ import annotations

import time

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from language import detect_language
from tests.channels.platforms import new_id, post_json, teams_activity

HERO_CARD = "application/vnd.microsoft.card.hero"


def person():
    return new_id("29:1"), new_id("a:1")  # user id, personal conversation id


def send(channels, activity, token=None):
    token = channels.teams.signed_token() if token is None else token
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return post_json(channels.webhook("botframework"), activity, headers)


def say(channels, user, conversation, text, locale="en-US", count=1, **extra):
    mark = channels.teams.mark()
    activity = teams_activity(channels.teams.service_url, conversation, user, text, locale, **extra)
    assert send(channels, activity).status_code == 200
    return channels.teams.sent(mark, conversation, count=count)


def card_actions(activity):
    cards = [a for a in activity.get("attachments") or [] if a["contentType"] == HERO_CARD]
    assert len(cards) == 1, activity
    return cards[0]["content"]


def test_english_question_gets_the_english_answer(channels):
    user, conversation = person()
    mark = channels.teams.mark()
    replies = say(channels, user, conversation, "do I need maths", locale="nb-NO")
    assert "7.5 ECTS" in replies[0]["text"] and detect_language(replies[0]["text"]) == "en"
    assert replies[0]["recipient"]["id"] == user and replies[0]["type"] == "message"
    # The reply was sent with the bot's own token, got with its app id and password.
    sent = channels.teams.since(mark, lambda r: "/activities" in r.path)
    assert {r.headers["Authorization"] for r in sent} == {f"Bearer {channels.teams.bot_token}"}


def test_norwegian_question_gets_the_norwegian_answer(channels):
    user, conversation = person()
    replies = say(channels, user, conversation, "må jeg ha matte", locale="en-US")
    assert "7,5 studiepoeng" in replies[0]["text"] and detect_language(replies[0]["text"]) == "nb"


@pytest.mark.parametrize("locale, expected", [("nb-NO", "nb"), ("en-US", "en")])
def test_the_teams_locale_decides_an_ambiguous_message(channels, locale, expected):
    user, conversation = person()
    replies = say(channels, user, conversation, "ok", locale=locale)
    assert detect_language(replies[0]["text"]) == expected, replies


def test_locale_from_client_info_when_the_activity_has_none(channels):
    user, conversation = person()
    activity = teams_activity(channels.teams.service_url, conversation, user, "ok", locale=None)
    activity["entities"][0]["locale"] = "nb-NO"
    mark = channels.teams.mark()
    assert send(channels, activity).status_code == 200
    assert detect_language(channels.teams.sent(mark, conversation)[0]["text"]) == "nb"


def test_mention_of_the_bot_is_taken_out(channels):
    user, conversation = person()
    mention = {"type": "mention", "text": "<at>IE Assistant</at>", "mentioned": {"id": "28:ie-bot", "name": "IE Assistant"}}
    activity = teams_activity(channels.teams.service_url, conversation, user, "<at>IE Assistant</at> do I need maths",
                              entities=[mention])
    activity["conversation"]["conversationType"] = "channel"
    mark = channels.teams.mark()
    assert send(channels, activity).status_code == 200
    replies = channels.teams.sent(mark, conversation)
    assert "7.5 ECTS" in replies[0]["text"]
    assert channels.user_events(user)[-1]["text"] == "do I need maths"


@pytest.mark.parametrize("how", ["messageBack", "imBack", "value only"])
def test_button_click_reaches_the_bot_as_the_payload(channels, how):
    user, conversation = person()
    payload = '/faq_choice{"faq_key":"math_requirement"}'
    if how == "messageBack":  # what the hero card's buttons send: text and value
        extra = {"text": payload, "value": {"payload": payload}}
    elif how == "imBack":
        extra = {"text": payload}
    else:  # a card action that only sends data (e.g. an Adaptive Card's Action.Submit)
        extra = {"text": "", "value": {"payload": payload}}
    mark = channels.teams.mark()
    activity = teams_activity(channels.teams.service_url, conversation, user, "", "en-US")
    activity.update(extra)
    assert send(channels, activity).status_code == 200
    assert "7.5 ECTS" in channels.teams.sent(mark, conversation)[0]["text"]
    assert channels.user_events(user)[-1]["text"] == payload


def test_buttons_are_a_hero_card_of_message_back_actions(channels):
    user, conversation = person()
    say(channels, user, conversation, "hva må jeg betale i studieavgift?", locale="nb-NO")
    replies = say(channels, user, conversation, "India", locale="nb-NO")
    content = card_actions(replies[-1])
    assert content["text"] == "Hva skal du studere?"
    actions = {a["title"]: a for a in content["buttons"]}
    master = actions["Master i industriell økologi"]
    assert master["type"] == "messageBack" and master["text"] == '/inform{"level":"master"}'
    assert master["displayText"] == master["title"] and master["value"] == {"payload": master["text"]}
    # The click: Teams posts the action's text (and value); the title shows in the chat.
    replies = say(channels, user, conversation, master["text"], locale="nb-NO", value=master["value"])
    assert "Høsten 2023 eller senere" in {a["title"] for a in card_actions(replies[-1])["buttons"]}


def forged_tokens(teams):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    return {
        "no token": "",
        "not a JWT": "not-a-jwt",
        "signed by another key": teams.signed_token(key=other_key),
        "unknown key id": teams.signed_token(kid="kid-unknown"),
        "HS256 with a guessable secret": teams.signed_token(key="secret-secret-secret-secret-32by", algorithm="HS256"),
        "other app (audience)": teams.signed_token(aud="another-bot-app-id"),
        "other issuer": teams.signed_token(iss="https://sts.windows.net/attacker/"),
        "expired": teams.signed_token(exp=now - 3600, nbf=now - 7200, iat=now - 7200),
        "no expiry": teams.signed_token(exp=None),
        "replies sent elsewhere (serviceUrl)": teams.signed_token(service_url="http://127.0.0.1:9/attacker/"),
    }


FORGERIES = [
    "no token", "not a JWT", "signed by another key", "unknown key id", "HS256 with a guessable secret",
    "other app (audience)", "other issuer", "expired", "no expiry", "replies sent elsewhere (serviceUrl)",
]


@pytest.mark.parametrize("forgery", FORGERIES)
def test_forged_token_is_refused(channels, forgery):
    user, conversation = person()
    token = forged_tokens(channels.teams)[forgery]
    mark = channels.teams.mark()
    activity = teams_activity(channels.teams.service_url, conversation, user, "do I need maths")
    assert send(channels, activity, token=token).status_code == 401
    time.sleep(1)
    assert channels.teams.since(mark, lambda r: "/activities" in r.path) == []
    assert channels.user_events(user) == []


def test_token_for_another_channel_key_endorsement_is_refused(channels):
    """The key is endorsed for msteams only: an activity claiming another channel is refused."""
    user, conversation = person()
    activity = teams_activity(channels.teams.service_url, conversation, user, "do I need maths", channelId="skype")
    assert send(channels, activity).status_code == 401
    assert channels.user_events(user) == []

