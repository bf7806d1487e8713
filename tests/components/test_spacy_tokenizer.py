"""BilingualSpacyTokenizer picks spaCy's Norwegian or English rules per message."""
import pytest
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

import components.spacy_tokenizer as spacy_tokenizer
from components.language_detector import LanguageDetector
from components.spacy_tokenizer import BilingualSpacyTokenizer

TEXT_TOKENS = TOKENS_NAMES["text"]
NO_DETECTION = object()  # the message never passed the LanguageDetector (a training example)


@pytest.fixture(scope="module")
def tokenizer():
    return BilingualSpacyTokenizer.create(BilingualSpacyTokenizer.get_default_config(), None, None, None)


def tokenized(tokenizer, text, language=NO_DETECTION):
    data = {"text": text}
    if language is not NO_DETECTION:
        data["detected_language"] = language
    [message] = tokenizer.process([Message(data=data)])
    return message.get(TEXT_TOKENS)


def spans(tokens):
    return [(t.text, t.start, t.end) for t in tokens]


SENTENCE_NB = "Jeg må f.eks. søke innen 3. mai, bl.a. om fritak"
SENTENCE_EN = "I can't apply e.g. before the 3. May"


@pytest.mark.parametrize("text, language, expected", [
    # Norwegian abbreviations and ordinals keep their full stop under the Norwegian rules...
    (SENTENCE_NB, "nb", [("Jeg", 0, 3), ("må", 4, 6), ("f.eks.", 7, 13), ("søke", 14, 18), ("innen", 19, 24),
                         ("3.", 25, 27), ("mai", 28, 31), ("bl.a.", 33, 38), ("om", 39, 41), ("fritak", 42, 48)]),
    # ...and lose it under the English ones (the full stop is dropped as punctuation).
    (SENTENCE_NB, "en", [("Jeg", 0, 3), ("må", 4, 6), ("f.eks", 7, 12), ("søke", 14, 18), ("innen", 19, 24),
                         ("3", 25, 26), ("mai", 28, 31), ("bl.a", 33, 37), ("om", 39, 41), ("fritak", 42, 48)]),
    ("ca. 100 kr, kl. 12", "nb", [("ca.", 0, 3), ("100", 4, 7), ("kr", 8, 10), ("kl.", 12, 15), ("12", 16, 18)]),
    # English contractions are split under the English rules only.
    (SENTENCE_EN, "en", [("I", 0, 1), ("ca", 2, 4), ("n't", 4, 7), ("apply", 8, 13), ("e.g.", 14, 18),
                         ("before", 19, 25), ("the", 26, 29), ("3", 30, 31), ("May", 33, 36)]),
    (SENTENCE_EN, "nb", [("I", 0, 1), ("can't", 2, 7), ("apply", 8, 13), ("e.g", 14, 17),
                         ("before", 19, 25), ("the", 26, 29), ("3.", 30, 32), ("May", 33, 36)]),
    # A compound stays one token in both: the character n-grams take it apart later.
    ("Hva er studieavgiften?", "nb", [("Hva", 0, 3), ("er", 4, 6), ("studieavgiften", 7, 21)]),
    ("Hva er studieavgiften?", "en", [("Hva", 0, 3), ("er", 4, 6), ("studieavgiften", 7, 21)]),
])
def test_tokens_follow_the_detected_language(tokenizer, text, language, expected):
    tokens = tokenized(tokenizer, text, language)
    assert spans(tokens) == expected
    assert all(text[t.start:t.end] == t.text for t in tokens)  # offsets point into the text
    assert [t.lemma for t in tokens] == [t.text.lower() for t in tokens]


@pytest.mark.parametrize("text, expected", [
    ("don't", ["don't"]),              # undecided -> Norwegian rules
    ("ok, f.eks.", ["ok", "f.eks."]),
])
def test_an_undecided_message_is_tokenized_as_norwegian(tokenizer, text, expected):
    assert [t.text for t in tokenized(tokenizer, text, None)] == expected


def test_an_undecided_verdict_is_not_detected_again(tokenizer, monkeypatch):
    def no_second_run(text):
        raise AssertionError("lingua ran a second time")
    monkeypatch.setattr(spacy_tokenizer, "detect_language", no_second_run)
    assert [t.text for t in tokenized(tokenizer, "I don't know", None)] == ["I", "don't", "know"]


@pytest.mark.parametrize("text, expected", [
    ("I don't know the deadline", ["I", "do", "n't", "know", "the", "deadline"]),
    ("Jeg kan f.eks. søke innen 3. mai", ["Jeg", "kan", "f.eks.", "søke", "innen", "3.", "mai"]),
])
def test_a_message_without_a_verdict_is_detected_here(tokenizer, text, expected):
    assert [t.text for t in tokenized(tokenizer, text)] == expected


def test_the_detector_and_the_tokenizer_together(tokenizer):
    messages = [Message(data={"text": t}) for t in ("I can't find the deadline", "Kan jeg f.eks. søke nå?")]
    tokenizer.process(LanguageDetector.create({}, None, None, None).process(messages))
    assert [[t.text for t in m.get(TEXT_TOKENS)] for m in messages] == [
        ["I", "ca", "n't", "find", "the", "deadline"],
        ["Kan", "jeg", "f.eks.", "søke", "nå"],
    ]


def test_training_examples_are_tokenized_in_their_own_language(tokenizer):
    examples = [
        Message(data={"text": "I can't pay the fee", "intent": "faq", "intent_response_key": "faq/fee_who_pays"}),
        Message(data={"text": "må jeg betale bl.a. studieavgift", "intent": "faq",
                      "intent_response_key": "faq/fee_who_pays"}),
    ]
    tokenizer.process_training_data(TrainingData(training_examples=examples))
    assert [t.text for t in examples[0].get(TEXT_TOKENS)] == ["I", "ca", "n't", "pay", "the", "fee"]
    assert [t.text for t in examples[1].get(TEXT_TOKENS)] == ["må", "jeg", "betale", "bl.a.", "studieavgift"]


@pytest.mark.parametrize("text", ["", "?!", "  "])
def test_punctuation_and_space_are_not_tokens(tokenizer, text):
    assert tokenized(tokenizer, text, "en") == []
