"""The Rasa component adds the fee entities to a message, beside the ones already there."""
import pytest

pytest.importorskip("rasa")

from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from components.fee_entities import FeeEntityExtractor  # noqa: E402

LANGUAGE_ENTITY = {"entity": "language", "value": "en", "start": 0, "end": 0, "extractor": "LanguageDetector"}


@pytest.fixture(scope="module")
def extractor():
    return FeeEntityExtractor.create({}, None, None, None)


@pytest.mark.parametrize("text, language, expected", [
    ("I'm Nigerian, MSc at 40% part-time", "en",
     [("country", "NG"), ("level", "master"), ("percentage", 40), ("study_mode", "part_time")]),
    ("nei, jeg mente deltid", "nb", [("reply", "no"), ("study_mode", "part_time")]),
    ("Jeg er svensk statsborger", "nb", [("country", "SE")]),
    ("Jeg er fra Kina, 7,5 stp", None, [("country", "CN"), ("credits", 7.5)]),  # undecided: both
    ("hello", "en", []),
])
def test_entities_are_appended(extractor, text, language, expected):
    message = Message(data={"text": text, "detected_language": language, "entities": [dict(LANGUAGE_ENTITY)]})
    extractor.process([message])
    entities = message.get("entities")
    assert entities[0] == LANGUAGE_ENTITY
    assert [(e["entity"], e["value"]) for e in entities[1:]] == expected
    assert all(e["extractor"] == "FeeEntityExtractor" for e in entities[1:])


def test_a_message_without_text_is_left_alone(extractor):
    message = Message(data={"text": ""})
    extractor.process([message])
    assert message.get("entities") is None
