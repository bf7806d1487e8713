"""Two FAQ answers almost equally likely: the FAQ becomes `faq_ambiguous`, others are kept."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from components.faq_ambiguity import FaqAmbiguityClassifier

# The values config.yml sets (the class defaults are stricter: 0.5 and 0.15).
CONFIG = {"threshold": 0.4, "margin": 0.1}


def ranking(*confidences):
    return [{"intent_response_key": f"faq/answer_{i}", "confidence": c} for i, c in enumerate(confidences)]


def message(intent, confidences, confidence=0.7):
    data = {"text": "...", "intent": {"name": intent, "confidence": confidence}}
    if confidences is not None:
        data["response_selector"] = {"faq": {"ranking": ranking(*confidences)}}
    return Message(data=data)


@pytest.fixture
def classifier():
    return FaqAmbiguityClassifier.create({**FaqAmbiguityClassifier.get_default_config(), **CONFIG}, None, None, None)


@pytest.mark.parametrize("confidences, expected", [
    ((0.35, 0.30, 0.2), True),   # best answer below the threshold
    ((0.38, 0.05), True),        # below the threshold even with a wide margin
    ((0.50, 0.45), True),        # sure enough, but the second is close behind
    ((0.55, 0.46), True),        # a margin of 0.09 is still too close
    ((0.80, 0.10), False),       # clear winner
    ((0.40, 0.20), False),       # exactly at the threshold is not below it
    ((0.60, 0.48), False),       # a margin of 0.12 is enough
    ((0.30,), False),            # a single answer: nothing to choose between
    ((), False),
])
def test_is_ambiguous(classifier, confidences, expected):
    assert classifier.is_ambiguous(ranking(*confidences)) is expected


@pytest.mark.parametrize("intent, confidences, expected", [
    ("faq", (0.5, 0.45), "faq_ambiguous"),
    ("faq", (0.3, 0.1), "faq_ambiguous"),
    ("faq", (0.9, 0.05), "faq"),
    ("faq", None, "faq"),                 # no response selector output: nothing to compare
    ("greet", (0.5, 0.45), "greet"),      # only FAQs are asked back
    ("nlu_fallback", (0.5, 0.45), "nlu_fallback"),  # the fallback keeps its hand-over
    ("ask_personal_fee", (0.5, 0.45), "ask_personal_fee"),
])
def test_process_only_changes_ambiguous_faqs(classifier, intent, confidences, expected):
    original = message(intent, confidences, confidence=0.66)
    [processed] = classifier.process([original])
    assert processed.get("intent") == {"name": expected, "confidence": 0.66}
    # The answer ranking stays: action_clarify_faq offers it as buttons.
    if confidences is not None:
        assert processed.get("response_selector")["faq"]["ranking"] == ranking(*confidences)


def test_the_ambiguous_intent_is_part_of_the_output(classifier):
    [processed] = classifier.process([message("faq", (0.5, 0.45))])
    assert "intent" in processed.output_properties


def test_each_message_is_judged_on_its_own(classifier):
    messages = [message("faq", (0.5, 0.45)), message("faq", (0.9, 0.05)), message("greet", (0.5, 0.45))]
    assert [m.get("intent")["name"] for m in classifier.process(messages)] == ["faq_ambiguous", "faq", "greet"]
