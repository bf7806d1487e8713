"""A general fee question naming the person's citizenship (or a date) becomes personal."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from actions.fee_forms import start_term
from entities import extract_entities
from components.personal_question import PersonalQuestionClassifier


def message(best_faq, entities, intent="faq", ranking=None):
    return Message(data={
        "text": "...",
        "intent": {"name": intent, "confidence": 0.8},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking or [(intent, 0.8)]],
        "entities": [{"entity": e, "value": v} for e, v in (x if isinstance(x, tuple) else (x, "DK") for x in entities)],
        "response_selector": {"faq": {"ranking": [{"intent_response_key": f"faq/{best_faq}", "confidence": 0.9}]}},
    })


@pytest.mark.parametrize("best_faq, entities, intent, expected", [
    ("fee_who_pays", ["country"], "faq", "ask_personal_fee"),       # "Jeg er dansk, må jeg betale?"
    ("fee_programme_amount", ["country", "language"], "faq", "ask_personal_fee"),
    ("refund_withdrawal", ["date"], "faq", "ask_personal_refund"),  # "I withdraw on 3 September..."
    ("fee_who_pays", [], "faq", "faq"),                              # general: "who pays?"
    ("refund_withdrawal", ["country"], "faq", "faq"),
    ("math_requirement", ["country"], "faq", "faq"),                 # "I'm German, do I need maths?"
    ("fee_who_pays", ["country"], "greet", "greet"),
    ("fee_who_pays", [("country", "NO")], "faq", "faq"),             # "do foreigners pay in Norway?"
])
def test_personal_fee_questions_are_routed_to_the_dialogue(best_faq, entities, intent, expected):
    classifier = PersonalQuestionClassifier(PersonalQuestionClassifier.get_default_config())
    [processed] = classifier.process([message(best_faq, entities, intent)])
    assert processed.get("intent")["name"] == expected


# The FallbackClassifier gave up because `faq` (who pays) and `ask_personal_fee` were
# too close: both readings ask for the same thing, so the personal answer is given,
# with their confidence together. Any other close second keeps the fallback.
@pytest.mark.parametrize("ranking, entities, expected, confidence", [
    ([("nlu_fallback", 0.2), ("faq", 0.31), ("ask_personal_fee", 0.28)], ["country"], "ask_personal_fee", 0.59),
    ([("nlu_fallback", 0.2), ("ask_personal_fee", 0.3), ("faq", 0.27)], ["country"], "ask_personal_fee", 0.57),
    ([("nlu_fallback", 0.2), ("faq", 0.31), ("ask_personal_fee", 0.28)], [], "nlu_fallback", 0.8),
    ([("nlu_fallback", 0.2), ("faq", 0.31), ("greet", 0.28)], ["country"], "nlu_fallback", 0.8),
])
def test_a_fallback_between_the_faq_and_the_personal_reading_is_personal(ranking, entities, expected, confidence):
    classifier = PersonalQuestionClassifier(PersonalQuestionClassifier.get_default_config())
    [processed] = classifier.process([message("fee_who_pays", entities, "nlu_fallback", ranking)])
    assert processed.get("intent")["name"] == expected
    assert processed.get("intent")["confidence"] == pytest.approx(confidence)


@pytest.mark.parametrize("text, expected", [
    ("I am Nigerian and will start the MSc full time in August", "from_autumn_2023"),
    ("jeg begynner på masteren til høsten", "from_autumn_2023"),
    ("I'm starting in September", "from_autumn_2023"),
    ("I started in August 2022", "before_autumn_2023"),
    ("I started in August", None),  # past, no year: ask
    ("I am from India", None),
    ("jeg skal begynne på masteren", "from_autumn_2023"),
    ("in August 2026", "from_autumn_2023"),
    ("before autumn 2023", "before_autumn_2023"),
    ("I began in spring 2023", "before_autumn_2023"),
    ("next year", None),  # only a time word: taken only as the answer to "when do you start?"
])
def test_start_term_from_free_text(text, expected):
    assert start_term(extract_entities(text), asked=False) == expected


def test_a_time_word_answers_the_start_question():
    assert start_term(extract_entities("next year", "en"), asked=True) == "from_autumn_2023"
