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
    ("refund_withdrawal", ["country"], "faq", "faq"),              # a citizenship says nothing of a refund
    ("math_requirement", ["country"], "faq", "faq"),                 # "I'm German, do I need maths?"
    ("fee_who_pays", ["country"], "greet", "greet"),
    ("fee_who_pays", [("country", "NO")], "faq", "faq"),             # "do foreigners pay in Norway?"
])
def test_personal_fee_questions_are_routed_to_the_dialogue(best_faq, entities, intent, expected):
    classifier = PersonalQuestionClassifier(PersonalQuestionClassifier.get_default_config())
    [processed] = classifier.process([message(best_faq, entities, intent)])
    assert processed.get("intent")["name"] == expected


# The FallbackClassifier gave up, but one of the two leading readings is the FAQ or the
# personal intent, the closest FAQ is a fee FAQ and a personal fact is stated: the personal
# answer is given. Without a fact, or when neither leading reading is about fees, it hands over.
@pytest.mark.parametrize("ranking, entities, expected, confidence", [
    ([("nlu_fallback", 0.2), ("faq", 0.31), ("ask_personal_fee", 0.28)], ["country"], "ask_personal_fee", 0.59),
    ([("nlu_fallback", 0.2), ("ask_personal_fee", 0.3), ("faq", 0.27)], ["country"], "ask_personal_fee", 0.57),
    ([("nlu_fallback", 0.2), ("faq", 0.31), ("ask_personal_fee", 0.28)], [], "nlu_fallback", 0.8),
    ([("nlu_fallback", 0.2), ("faq", 0.31), ("greet", 0.28)], ["country"], "ask_personal_fee", 0.31),
    ([("nlu_fallback", 0.2), ("out_of_scope", 0.31), ("greet", 0.28)], ["country"], "nlu_fallback", 0.8),
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


# --- routing real sentences: the real extractor and first-person check, the FAQ the model picked ---

def routed(text, language, best_faq, intent="faq", ranking=None):
    entities = extract_entities(text, language)
    msg = Message(data={
        "text": text, "detected_language": language,
        "intent": {"name": intent, "confidence": 0.8},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking or [(intent, 0.8)]],
        "entities": entities,
        "response_selector": {"faq": {"ranking": [{"intent_response_key": f"faq/{best_faq}", "confidence": 0.6}]}},
    })
    classifier = PersonalQuestionClassifier(PersonalQuestionClassifier.get_default_config())
    return classifier.process([msg])[0].get("intent")["name"]


PERSONAL = [
    # (language, text, the FAQ the model picked, personal intent)
    ("en", "I am a PhD candidate at NTNU, do I have to pay tuition?", "fee_phd", "ask_personal_fee"),
    ("en", "im doing a phd, fees??", "fee_phd", "ask_personal_fee"),
    ("en", "I'm studying part time, how much is my fee?", "fee_part_time", "ask_personal_fee"),
    ("en", "I will study 50 % only, what does it cost", "fee_part_time", "ask_personal_fee"),
    ("en", "I only take two single courses, what will I pay", "fee_individual_courses", "ask_personal_fee"),
    ("en", "my courses are 15 credits in total, price?", "fee_individual_courses", "ask_personal_fee"),
    ("en", "I started the master in 2022, do I pay the fee now?", "fee_started_before_2023", "ask_personal_fee"),
    ("en", "started spring 2023, do the fees apply to me", "fee_started_before_2023", "ask_personal_fee"),
    ("en", "I'm an Erasmus Mundus student, do I pay?", "fee_joint_programmes", "ask_personal_fee"),
    ("en", "im in nordic five tech, fee?", "fee_joint_programmes", "ask_personal_fee"),
    ("en", "I am on exchange from a partner university, do I need to pay", "fee_exchange_students", "ask_personal_fee"),
    ("en", "I have a HK-dir scholarship, do I pay tuition fees?", "fee_scholarship_holders", "ask_personal_fee"),
    ("en", "I have a NORPART scholarship, will it cover the fee?", "fee_scholarships", "ask_personal_fee"),
    ("en", "how much will I pay for the msc", "fee_programme_amount", "ask_personal_fee"),
    ("en", "how much do I pay per year", "fee_amount", "ask_personal_fee"),
    ("en", "Do I need to pay? I'm from Kenya", "fee_who_pays", "ask_personal_fee"),
    ("en", "Hi, I got admitted and my family wonders what it will cost us per year", "fee_programme_amount",
     "ask_personal_fee"),
    ("en", "I have permanent residence in Norway, am I exempt?", "fee_exemptions_automatic", "ask_personal_fee"),
    ("en", "I withdrew from the programme, can I get my money back?", "refund_withdrawal", "ask_personal_refund"),
    ("en", "i quit the msc on 20 august, refund?", "refund_withdrawal", "ask_personal_refund"),
    ("en", "UDI refused my study permit, what about the fee I paid?", "refund_udi_refusal", "ask_personal_refund"),
    ("en", "my visa got rejected", "refund_udi_refusal", "ask_personal_refund"),
    ("nb", "Jeg er stipendiat, må jeg betale studieavgift?", "fee_phd", "ask_personal_fee"),
    ("nb", "jeg tar doktorgrad, betaler jeg?", "fee_phd", "ask_personal_fee"),
    ("nb", "jeg studerer deltid, hva blir avgiften min?", "fee_part_time", "ask_personal_fee"),
    ("nb", "jeg skal studere 60 prosent, hva koster det", "fee_part_time", "ask_personal_fee"),
    ("nb", "jeg tar bare enkeltemner, hva må jeg betale", "fee_individual_courses", "ask_personal_fee"),
    ("nb", "mine emner er på 15 studiepoeng, pris?", "fee_individual_courses", "ask_personal_fee"),
    ("nb", "jeg begynte høsten 2022, må jeg betale?", "fee_started_before_2023", "ask_personal_fee"),
    ("nb", "begynte varen 2023, gjelder avgiften meg", "fee_started_before_2023", "ask_personal_fee"),
    ("nb", "jeg er utvekslingsstudent, betaler jeg?", "fee_exchange_students", "ask_personal_fee"),
    ("nb", "jeg går på Erasmus Mundus, må jeg betale", "fee_joint_programmes", "ask_personal_fee"),
    ("nb", "jeg har helgradsstipend fra HK-dir", "fee_scholarship_holders", "ask_personal_fee"),
    ("nb", "hvor mye må jeg betale for masteren", "fee_programme_amount", "ask_personal_fee"),
    ("nb", "hva koster det for meg i aret", "fee_amount", "ask_personal_fee"),
    ("nb", "Må jeg betale? Jeg kommer fra Brasil", "fee_who_pays", "ask_personal_fee"),
    ("nb", "Hei! Jeg har fått studieplass og lurer på hva det koster meg", "fee_programme_amount", "ask_personal_fee"),
    ("nb", "jeg har permanent oppholdstillatelse, er jeg fritatt?", "fee_exemptions_automatic", "ask_personal_fee"),
    ("nb", "jeg trakk meg fra studiet, får jeg pengene tilbake?", "refund_withdrawal", "ask_personal_refund"),
    ("nb", "jeg sluttet 20. august, refusjon?", "refund_withdrawal", "ask_personal_refund"),
    ("nb", "UDI ga meg avslag, får jeg refusjon?", "refund_udi_refusal", "ask_personal_refund"),
    ("nb", "visumet mitt ble avslått", "refund_udi_refusal", "ask_personal_refund"),
]

GENERAL = [
    ("en", "What is the fee for category C?", "fee_price_list"),
    ("en", "Who is exempt?", "fee_exemptions_automatic"),
    ("en", "Who has to pay tuition fees?", "fee_who_pays"),
    ("en", "How much is the tuition fee?", "fee_programme_amount"),
    ("en", "what does the programme cost per year", "fee_amount"),
    ("en", "Are there scholarships for the fee?", "fee_scholarships"),
    ("en", "Can I get a scholarship?", "fee_scholarships"),
    ("en", "How do I pay the fee?", "fee_payment"),
    ("en", "When is the deadline to apply for exemption?", "fee_exemption_timing"),
    ("en", "What happens to the fee if UDI says no?", "refund_udi_refusal"),
    ("en", "refund rules when withdrawing", "refund_withdrawal"),
    ("en", "I am German, do I need maths?", "math_requirement"),
    ("nb", "Hva er fristen for å søke fritak?", "fee_exemption_timing"),
    ("nb", "Hvem må betale studieavgift?", "fee_who_pays"),
    ("nb", "Hvem er fritatt?", "fee_exemptions_automatic"),
    ("nb", "Hva koster studiet per år?", "fee_programme_amount"),
    ("nb", "Kan jeg få stipend til studieavgiften?", "fee_scholarships"),
    ("nb", "Hvordan betaler jeg avgiften?", "fee_payment"),
    ("nb", "hva er reglene for refusjon", "refund_withdrawal"),
    ("nb", "Må utenlandske studenter betale i Norge?", "fee_who_pays"),
    ("nb", "jeg er tysk, trenger jeg matte?", "math_requirement"),
]


@pytest.mark.parametrize("language, text, best_faq, expected", PERSONAL, ids=[p[1] for p in PERSONAL])
def test_an_opening_about_ones_own_case_goes_to_the_personal_dialogue(language, text, best_faq, expected):
    assert routed(text, language, best_faq) == expected


@pytest.mark.parametrize("language, text, best_faq", GENERAL, ids=[g[1] for g in GENERAL])
def test_a_general_question_stays_a_faq_answer(language, text, best_faq):
    assert routed(text, language, best_faq) == "faq"


@pytest.mark.parametrize("language, text, best_faq, expected", [
    ("en", "so I'm from Ghana and I got in, what will I pay each year?", "fee_programme_amount", "ask_personal_fee"),
    ("nb", "jeg har trukket meg og lurer på hva som skjer med pengene", "refund_withdrawal", "ask_personal_refund"),
    ("en", "what is the fee for category C?", "fee_price_list", "nlu_fallback"),
    ("en", "I like trains", "programme_overview", "nlu_fallback"),
])
def test_an_unsure_reading_of_ones_own_fee_case_is_not_handed_over(language, text, best_faq, expected):
    ranking = [("nlu_fallback", 0.4), ("faq", 0.3), ("out_of_scope", 0.28)]
    assert routed(text, language, best_faq, intent="nlu_fallback", ranking=ranking) == expected


@pytest.mark.parametrize("text, language, expected", [
    ("I am", "en", True), ("I'm Indian", None, True), ("my fee", "en", True), ("jeg er", "nb", True),
    ("mitt opptak", "nb", True), ("i august", "nb", False), ("i august", None, False), ("Who pays?", "en", False),
    ("Hvem betaler?", "nb", False), ("", None, False), ("x" * 5000, None, False),
])
def test_first_person(text, language, expected):
    from entities.first_person import speaks_of_self
    assert speaks_of_self(text, language) is expected
