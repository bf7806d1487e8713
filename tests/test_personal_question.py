"""A general fee question naming the person's citizenship (or a date) becomes personal."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from actions.fee_forms import start_term_from
from components.personal_question import PersonalQuestionClassifier


def message(best_faq, entities, intent="faq"):
    return Message(data={
        "text": "...",
        "intent": {"name": intent, "confidence": 0.8},
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


@pytest.mark.parametrize("text, expected", [
    ("I am Nigerian and will start the MSc full time in August", "from_autumn_2023"),
    ("jeg begynner på masteren til høsten", "from_autumn_2023"),
    ("I'm starting in September", "from_autumn_2023"),
    ("I started in August 2022", "before_autumn_2023"),
    ("I started in August", None),  # past, no year: ask
    ("I am from India", None),
])
def test_start_term_from_free_text(text, expected):
    assert start_term_from(text, asked=False) == expected
