"""The LanguageDetector tags a message with one `language` entity only when the text decides it."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from components.language_detector import LanguageDetector

COUNTRY = {"entity": "country", "value": "DK", "start": 5, "end": 11, "extractor": "FeeEntityExtractor"}


@pytest.fixture(scope="module")
def detector():
    return LanguageDetector.create({}, None, None, None)


def language_entities(message):
    return [e for e in message.get("entities") or [] if e["entity"] == "language"]


@pytest.mark.parametrize("text, language", [
    ("what are the admission requirements", "en"),
    ("I can't apply before the deadline", "en"),
    ("Hva er opptakskravene?", "nb"),
    ("Jeg er dansk, skal jeg betale?", "nb"),  # Danish is answered in Bokmål
    ("studieavgiften", "nb"),                  # one long word decides
])
def test_a_decided_message_gets_one_language_entity(detector, text, language):
    [message] = detector.process([Message(data={"text": text})])
    assert message.get("entities") == [
        {"entity": "language", "value": language, "start": 0, "end": 0, "extractor": "LanguageDetector"}
    ]
    assert message.get("detected_language") == language  # for the tokenizer
    assert "entities" in message.output_properties


@pytest.mark.parametrize("text", ["ok", "takk", "hei", "🙂", "ok 👍"])
def test_an_undecided_message_gets_no_language_entity(detector, text):
    [message] = detector.process([Message(data={"text": text})])
    assert not language_entities(message)
    # Recorded as undecided, so the tokenizer does not run lingua a second time.
    assert "detected_language" in message.data and message.get("detected_language") is None


def test_a_channel_hint_is_not_applied_per_message(detector):
    # The hint is applied once, at session start (actions/session.py): a per-message
    # hint would override what the person wrote earlier in the conversation.
    [message] = detector.process([Message(data={"text": "ok", "metadata": {"language": "nb-NO"}})])
    assert not language_entities(message)


@pytest.mark.parametrize("raw", ["", "\x00\x01\x02\x03binary\x04\x05", "<img src=x>", "https://www.ntnu.no/studier", "🙂🙂"])
def test_unreadable_input_gets_no_language(detector, sanitizer, raw):
    [message] = detector.process(sanitizer.process([Message(data={"text": raw})]))
    assert not language_entities(message)
    assert "detected_language" not in message.data  # skipped, not even undecided


def test_unreadable_kind_wins_over_the_text(detector):
    # Whatever text is left on an unreadable message, it is not read for its language.
    message = Message(data={"text": "what are the admission requirements", "input_kind": "markup"})
    detector.process([message])
    assert not language_entities(message)


@pytest.mark.parametrize("text, added", [
    ("I am Danish, do I have to pay?", ["en"]),
    ("Jeg er dansk, skal jeg betale?", ["nb"]),
    ("ok", []),
])
def test_entities_already_on_the_message_are_kept(detector, text, added):
    message = Message(data={"text": text, "entities": [dict(COUNTRY)]})
    detector.process([message])
    entities = message.get("entities")
    assert entities[0] == COUNTRY
    assert [e["value"] for e in entities[1:]] == added
    assert all(e["entity"] == "language" for e in entities[1:])


def test_messages_in_one_batch_are_detected_separately(detector):
    messages = [Message(data={"text": t}) for t in ("what is the deadline", "ok", "hva er fristen")]
    detector.process(messages)
    assert [[e["value"] for e in language_entities(m)] for m in messages] == [["en"], [], ["nb"]]
