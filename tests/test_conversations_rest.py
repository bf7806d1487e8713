"""Whole conversations over the REST channel, against the real servers.

Language: answers follow the person's language, short messages keep it, a channel
hint decides an undecided first message. Bad input gets a polite answer in the
conversation's language. Hand-over gives the right contact. Conversations survive a
restart of the servers (SQLite tracker store).
"""
import json
import uuid
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest

from content import response_text
from scripts.stack import Stack
from tests.conftest import rest_say


def texts(messages):
    """The bot's reply as one line (Rasa sends each paragraph as its own message)."""
    return " ".join(" ".join((m.get("text") or "").split()) for m in messages)


def expected(name, language):
    return " ".join(response_text(name, language).split())


def new_sender():
    return f"test-{uuid.uuid4().hex[:10]}"


def test_english_question_gets_the_english_answer(stack):
    reply = texts(rest_say(stack.rasa_url, new_sender(), "hey, how many maths credits do i need to get in?"))
    assert "7.5 ECTS" in reply and "Source:" in reply


def test_norwegian_question_gets_the_norwegian_answer(stack):
    reply = texts(rest_say(stack.rasa_url, new_sender(), "hvor mange studiepoeng matte trenger jeg for å komme inn?"))
    assert "7,5" in reply and "Kilde:" in reply


def test_short_message_keeps_the_conversation_language(stack):
    sender = new_sender()
    rest_say(stack.rasa_url, sender, "hvem må betale studieavgift?")
    reply = texts(rest_say(stack.rasa_url, sender, "takk"))
    assert reply == expected("utter_youre_welcome", "nb")


def test_person_switching_language_is_followed(stack):
    sender = new_sender()
    first = texts(rest_say(stack.rasa_url, sender, "hvem må betale studieavgift?"))
    second = texts(rest_say(stack.rasa_url, sender, "and who do I ask about tuition fees?"))
    assert "Kilde:" in first and "Source:" in second and "opptak@ntnu.no" in second


def test_channel_hint_decides_an_undecided_first_message(stack):
    # "hello" alone does not decide the language; the Norwegian page's hint does.
    reply = texts(rest_say(stack.rasa_url, new_sender(), "hello", metadata={"language": "nb"}))
    assert reply == expected("utter_greet", "nb")


def test_a_hint_sent_with_every_message_does_not_flip_the_conversation(stack):
    sender = new_sender()
    nb_page = {"language": "nb"}
    first = texts(rest_say(stack.rasa_url, sender, "what are the requirements to get admitted?", metadata=nb_page))
    assert "Source:" in first
    assert texts(rest_say(stack.rasa_url, sender, "thanks", metadata=nb_page)) == expected("utter_youre_welcome", "en")


def test_text_wins_over_the_channel_hint(stack):
    reply = texts(rest_say(stack.rasa_url, new_sender(), "do you offer any online courses?", metadata={"language": "nb"}))
    assert "Source:" in reply


@pytest.mark.parametrize(
    "bad",
    ["", "   ", "\x00\x01\x02\x03\x04", "<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "🙂🙂🙂",
     "https://www.ntnu.edu"],
)
def test_unreadable_input_gets_a_polite_answer_in_the_conversation_language(stack, bad):
    sender = new_sender()
    rest_say(stack.rasa_url, sender, "hva er opptakskravene?")
    assert texts(rest_say(stack.rasa_url, sender, bad)) == expected("utter_bad_input", "nb")


def test_very_long_message_is_answered(stack):
    long_question = "what are the admission requirements? " + "blah " * 4000
    reply = texts(rest_say(stack.rasa_url, new_sender(), long_question))
    assert reply  # an answer or a hand-over, never silence or an error


def test_out_of_scope_is_handed_over_with_the_programme_contact(stack):
    reply = texts(rest_say(stack.rasa_url, new_sender(), "what's the best pizza place in trondheim?"))
    assert "studier@iv.ntnu.no" in reply


def test_chitchat_in_both_languages(stack):
    assert texts(rest_say(stack.rasa_url, new_sender(), "are you a real person or a bot?")) == expected("utter_iamabot", "en")
    assert texts(rest_say(stack.rasa_url, new_sender(), "er du en robot?")) == expected("utter_iamabot", "nb")


def test_picking_an_offered_answer_gives_it(stack):
    sender = new_sender()
    rest_say(stack.rasa_url, sender, "hei, hva er opptakskravene?")
    reply = texts(rest_say(stack.rasa_url, sender, '/faq_choice{"faq_key": "online_courses"}'))
    assert reply == expected("utter_faq/online_courses", "nb")


def tracker(running: Stack, sender):
    """The conversation from Rasa's HTTP API (on, with a token, in the test stacks)."""
    url = f"{running.rasa_url}/conversations/{sender}/tracker?{urlencode({'token': running.api_token})}"
    with urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def test_conversation_survives_a_restart(tmp_path):
    db = tmp_path / "conversations.db"
    sender = new_sender()
    with Stack(tracker_db=db, log_dir=tmp_path) as first:
        rest_say(first.rasa_url, sender, "hvem må betale studieavgift?")
    with Stack(tracker_db=db, log_dir=tmp_path, api=True) as second:
        events = tracker(second, sender)["events"]
        assert any(e.get("event") == "user" and "studieavgift" in (e.get("text") or "") for e in events)
        # the language is remembered too: a short message after the restart stays Norwegian
        assert texts(rest_say(second.rasa_url, sender, "takk")) == expected("utter_youre_welcome", "nb")
