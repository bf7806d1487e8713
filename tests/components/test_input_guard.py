"""Unreadable input is marked by InputSanitizer and answered as `bad_input` by
UnreadableInputClassifier, whatever the classifiers in between guessed."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from components.input_guard import UnreadableInputClassifier
from language.input_check import MAX_CHARS

GUESS = {"name": "faq", "confidence": 0.83}  # what a classifier might make of "unreadable"


@pytest.fixture(scope="module")
def unreadable_classifier():
    return UnreadableInputClassifier.create({}, None, None, None)


def sanitized(sanitizer, raw):
    [message] = sanitizer.process([Message(data={"text": raw})])
    return message


@pytest.mark.parametrize("raw, kind, text", [
    ("", "empty", "unreadable"),
    ("   \n\t  ", "empty", "unreadable"),
    ("\x00\x01\x02\x03binary\x04\x05", "binary", "unreadable"),
    ("\x7f\x00\x1b" * 10, "binary", "unreadable"),
    ("<img src=x onerror=alert(1)>", "markup", "unreadable"),
    ("<script>alert('what is the fee')</script>", "markup", "unreadable"),  # script text is not read
    ("<div><br/></div>", "markup", "unreadable"),
    ("https://www.ntnu.edu/studies", "link_only", "unreadable"),
    ("www.ntnu.no  http://x.y/z", "link_only", "unreadable"),
    ("🙂🙂🙂", "no_words", "unreadable"),
    ("👍", "no_words", "unreadable"),
    ("?!", "no_words", "unreadable"),
    # Readable input is cleaned, not replaced.
    ("What is the tuition fee?", "ok", "What is the tuition fee?"),
    ("  what   is the\n\tfee?  ", "ok", "what is the fee?"),
    ("What is the <b>fee</b>?", "ok", "What is the fee ?"),
    ("fee &amp; deadline", "ok", "fee & deadline"),
    ("what is the fee?\x00", "ok", "what is the fee?"),  # one stray control character is dropped
    ("30", "ok", "30"),  # a form answer: credits
    ("Hva koster det? 🙂", "ok", "Hva koster det? 🙂"),
])
def test_sanitizer_marks_the_kind_and_cleans_the_text(sanitizer, raw, kind, text):
    message = sanitized(sanitizer, raw)
    assert message.get("input_kind") == kind
    assert message.get("text") == text
    # The kind reaches the tracker (and the UnreadableInputClassifier at the end).
    assert "input_kind" in message.output_properties


def test_a_20000_character_message_is_cut_at_a_word_boundary(sanitizer):
    raw = ("how much is the tuition fee for a master " * 500)[:20_000]
    assert len(raw) == 20_000
    message = sanitized(sanitizer, raw)
    assert message.get("input_kind") == "ok"
    assert MAX_CHARS == 600  # the length students' pasted e-mails are cut to
    assert 580 < len(message.get("text")) <= 600
    assert raw.startswith(message.get("text"))
    assert raw[len(message.get("text"))] == " "  # no half word at the end


def test_a_20000_character_word_is_cut_hard(sanitizer):
    message = sanitized(sanitizer, "a" * 20_000)
    assert message.get("input_kind") == "ok"
    assert message.get("text") == "a" * 600


@pytest.mark.parametrize("raw", [
    "", "  ", "\x00\x01\x02\x03binary\x04\x05", "<img src=x>", "https://www.ntnu.edu/studies", "🙂🙂🙂",
])
def test_unreadable_input_becomes_bad_input(sanitizer, unreadable_classifier, raw):
    message = sanitized(sanitizer, raw)
    message.set("intent", dict(GUESS), add_to_output=True)
    message.set("intent_ranking", [dict(GUESS), {"name": "greet", "confidence": 0.1}], add_to_output=True)
    [processed] = unreadable_classifier.process([message])
    assert processed.get("intent") == {"name": "bad_input", "confidence": 1.0}
    assert processed.get("intent_ranking") == [{"name": "bad_input", "confidence": 1.0}]


@pytest.mark.parametrize("raw", ["What is the tuition fee?", "30", "a" * 20_000])
def test_readable_input_keeps_the_classifiers_intent(sanitizer, unreadable_classifier, raw):
    message = sanitized(sanitizer, raw)
    message.set("intent", dict(GUESS), add_to_output=True)
    message.set("intent_ranking", [dict(GUESS)], add_to_output=True)
    [processed] = unreadable_classifier.process([message])
    assert processed.get("intent") == GUESS
    assert processed.get("intent_ranking") == [GUESS]


def test_a_message_the_sanitizer_never_saw_is_left_alone(unreadable_classifier):
    message = Message(data={"text": "", "intent": dict(GUESS)})
    [processed] = unreadable_classifier.process([message])
    assert processed.get("intent") == GUESS


# Python 3.10's unicodedata knows Unicode 13 only: emoji added since (🫶 🥹 🫠, Unicode 14,
# on every phone keyboard today) are "unassigned" (Cn) and counted as control characters.
# In a short message they are over 10 % of it, and a readable thanks becomes "binary",
# answered with bad_input ("please write your question").
@pytest.mark.parametrize("raw, text", [("thanks 🫶", "thanks"), ("takk 🥹", "takk")])
def test_a_short_message_with_a_new_emoji_is_readable(sanitizer, raw, text):
    message = sanitized(sanitizer, raw)
    assert message.get("input_kind") == "ok"
    assert message.get("text").startswith(text)
