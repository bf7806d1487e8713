"""English and Norwegian sentences -> fee entities (country, level, credits, percentage, date)."""
from datetime import date

import pytest

from entities import ENTITY_NAMES, extract_entities

TODAY = date(2026, 3, 1)

SENTENCES = [
    # (language, sentence, [(entity, value, text), ...]) in the order they appear
    ("en", "I'm Indian, I start in August, what will I pay?", [("country", "IN", "Indian")]),
    ("en", "I'm Swedish, do I pay?", [("country", "SE", "Swedish")]),
    ("en", "I withdraw on 3 September, what do I get back?", [("date", "2026-09-03", "3 September")]),
    ("en", "I'm a Nigerian citizen doing the MSc at 40% part-time",
     [("country", "NG", "Nigerian"), ("level", "master", "MSc"), ("percentage", 40, "40%")]),
    ("en", "What do two 7.5-credit courses cost?", [("credits", 15, "two 7.5-credit courses")]),
    ("en", "I take 2 x 7.5 ECTS", [("credits", 15, "2 x 7.5 ECTS")]),
    ("en", "one 7.5 credit course", [("credits", 7.5, "one 7.5 credit course")]),
    ("en", "37.5 credits this semester", [("credits", 37.5, "37.5 credits")]),
    ("en", "half-time or full time?", [("percentage", 50, "half-time"), ("percentage", 100, "full time")]),
    ("en", "I study 40 percent", [("percentage", 40, "40 percent")]),
    ("en", "I'm doing a Ph.D. after my master's; I'm from the US",
     [("level", "phd", "Ph.D."), ("level", "master", "master's"), ("country", "US", "US")]),
    ("en", "Is a PhD free for a Chinese student?", [("level", "phd", "PhD"), ("country", "CN", "Chinese")]),
    ("en", "bachelor's from Germany", [("level", "bachelor", "bachelor's"), ("country", "DE", "Germany")]),
    ("en", "I'm a US citizen", [("country", "US", "US citizen")]),
    ("en", "withdraw on 20.08 or 20/8 or 2026-08-20",
     [("date", "2026-08-20", "20.08"), ("date", "2026-08-20", "20/8"), ("date", "2026-08-20", "2026-08-20")]),
    ("en", "What if I withdraw tomorrow?", [("date", "2026-03-02", "tomorrow")]),
    ("en", "I need a Norwegian course", []),
    ("en", "tell us about it", []),
    ("nb", "Jeg er svensk statsborger, må jeg betale?", [("country", "SE", "svensk")]),
    ("nb", "Jeg er indisk og begynner i august", [("country", "IN", "indisk")]),
    ("nb", "Hva koster to emner på 7,5 studiepoeng?", [("credits", 15, "to emner på 7,5 studiepoeng")]),
    ("nb", "Jeg tar 30 stp. i høst", [("credits", 30, "30 stp.")]),
    ("nb", "et 7,5-studiepoengs emne", [("credits", 7.5, "7,5-studiepoengs")]),
    ("nb", "jeg studerer 40 prosent", [("percentage", 40, "40 prosent")]),
    ("nb", "40 % deltid", [("percentage", 40, "40 %")]),
    ("nb", "halv tid eller heltid?", [("percentage", 50, "halv tid"), ("percentage", 100, "heltid")]),
    ("nb", "Jeg skal ta ph.d. og har mastergrad fra Tyskland",
     [("level", "phd", "ph.d."), ("level", "master", "mastergrad"), ("country", "DE", "Tyskland")]),
    ("nb", "Betaler doktorgradsstudenter fra Kina?", [("level", "phd", "doktorgradsstudenter"), ("country", "CN", "Kina")]),
    ("nb", "Jeg trekker meg 3. september", [("date", "2026-09-03", "3. september")]),
    ("nb", "Hva om jeg trekker meg i morgen?", [("date", "2026-03-02", "i morgen")]),
    ("nb", "neste uke", [("date", "2026-03-08", "neste uke")]),
    ("nb", "Jeg er amerikaner", [("country", "US", "amerikaner")]),
    ("nb", "Jeg tar norsk kurs", []),
    ("nb", "Man må betale", []),
    (None, "Jeg er fra Kina og skal ta 7,5 stp i morgen",
     [("country", "CN", "Kina"), ("credits", 7.5, "7,5 stp"), ("date", "2026-03-02", "i morgen")]),
    (None, "I'm German, 50% part time", [("country", "DE", "German"), ("percentage", 50, "50%")]),
]


# The answers to the dialogues' questions (entities/answers.py), beside the entities above.
ANSWERS = [
    ("en", "no", [("reply", "no", "no")]),
    ("nb", "nei", [("reply", "no", "nei")]),
    ("en", "Yes, full time", [("reply", "yes", "Yes"), ("percentage", 100, "full time")]),
    ("nb", "ja", [("reply", "yes", "ja")]),
    ("en", "I have no idea", [("reply", "dont_know", "I have no idea")]),
    ("en", "I don't know yet", [("reply", "dont_know", "I don't know")]),
    ("nb", "vet ikke", [("reply", "dont_know", "vet ikke")]),
    ("nb", "jeg er usikker", [("reply", "dont_know", "usikker")]),
    ("en", "I know no one here", []),  # "no" inside a sentence answers nothing
    ("en", "none of these", [("reply", "no", "none of these")]),
    ("nb", "ingen av disse", [("reply", "no", "ingen av disse")]),
    ("nb", "nei, jeg mente deltid", [("reply", "no", "nei"), ("study_mode", "part_time", "deltid")]),
    ("en", "not full time, 50 %", [("study_mode", "part_time", "not full time"), ("percentage", 50, "50 %")]),
    ("en", "I'm starting this autumn", [("start", "ahead", "starting")]),
    ("en", "in August 2026", [("start", "2026-autumn", "2026")]),
    ("en", "I began in spring 2022", [("start", "2022-spring", "2022")]),
    ("en", "before autumn 2023", [("start", "2022-autumn", "2023")]),
    ("nb", "skal begynne", [("start", "ahead", "skal begynne")]),
    ("en", "I started in August", []),  # past, no year: not said
    ("en", "next year", [("start", "ahead", "next")]),
    ("en", "I'm an exchange student", [("special_situation", "partner_exchange", "exchange")]),
    ("nb", "jeg er utvekslingsstudent", [("special_situation", "partner_exchange", "utvekslingsstudent")]),
    ("en", "Erasmus Mundus", [("special_situation", "erasmus_mundus", "Erasmus")]),
    ("nb", "helgradsstipend fra HK-dir", [("special_situation", "hkdir_scholarship", "helgradsstipend"),
                                         ("special_situation", "hkdir_scholarship", "HK-dir")]),
    ("en", "my visa was rejected", [("refund_reason", "udi_refusal", "visa"), ("refund_reason", "udi_refusal", "rejected")]),
    ("nb", "jeg trekker meg", [("refund_reason", "withdrawal", "trekker")]),
    ("en", "I paid NOK 254,950", [("amount_paid", 254950.0, "NOK 254,950")]),
    ("nb", "betalt 254 950 kr", [("amount_paid", 254950.0, "betalt 254 950")]),
    ("nb", "63 737,50 kr", [("amount_paid", 63737.5, "63 737,50 kr")]),
    ("en", "I also have a German passport", [("also", "also", "also"), ("country", "DE", "German")]),
    ("en", "dual citizenship, India and Germany", [("also", "also", "dual"), ("country", "IN", "India"), ("country", "DE", "Germany")]),
    ("nb", "tysk og indisk", [("country", "DE", "tysk"), ("country", "IN", "indisk")]),
    ("nb", "jeg er stipendiat", [("level", "phd", "stipendiat")]),
]
BASE = {"country", "level", "credits", "percentage", "date"}


def simple(entities, kinds=None):
    return [(e["entity"], e["value"], e["text"]) for e in entities if kinds is None or e["entity"] in kinds]


@pytest.mark.parametrize("language, sentence, expected", SENTENCES, ids=[s for _, s, _ in SENTENCES])
def test_sentence_gives_entities(language, sentence, expected):
    assert simple(extract_entities(sentence, language, TODAY), BASE) == expected


@pytest.mark.parametrize("language, sentence, expected", ANSWERS, ids=[s for _, s, _ in ANSWERS])
def test_answers_are_entities(language, sentence, expected):
    assert simple(extract_entities(sentence, language, TODAY)) == expected


def test_a_negated_country_has_the_role_negated():
    found = extract_entities("I'm Indian, not Swedish", "en", TODAY)
    assert [(e["value"], e.get("role")) for e in found] == [("IN", None), ("SE", "negated")]
    found = extract_entities("jeg er ikke svensk, men indisk", "nb", TODAY)
    assert [(e["value"], e.get("role")) for e in found if e["entity"] == "country"] == [("SE", "negated"), ("IN", None)]


def test_a_start_said_only_by_a_time_word_is_implied():
    [start] = extract_entities("next year", "en", TODAY)
    assert start.get("role") == "implied"


def test_long_input_is_cut_and_answered_quickly():
    import time
    began = time.monotonic()
    text = "no " + "9 " * 50_000 + "nok " * 20_000 + "a" * 50_000
    extract_entities(text, "en", TODAY)
    assert time.monotonic() - began < 5


@pytest.mark.parametrize("language, sentence, expected", SENTENCES, ids=[s for _, s, _ in SENTENCES])
def test_entities_are_rasa_shaped(language, sentence, expected):
    for entity in extract_entities(sentence, language, TODAY):
        assert set(entity) - {"role"} == {"entity", "value", "start", "end", "text"}
        assert entity["entity"] in ENTITY_NAMES
        assert sentence[entity["start"]:entity["end"]] == entity["text"]


def test_empty_text_has_no_entities():
    assert extract_entities("", "en") == [] and extract_entities(None, None) == []


def test_pipelines_are_built_once():
    from entities.pipeline import pipeline
    assert pipeline("en") is pipeline("en") and pipeline("nb") is pipeline("nb")


def test_no_pretrained_model_is_loaded():
    from entities.pipeline import pipeline
    for language in ("en", "nb"):
        nlp, _ = pipeline(language)
        assert nlp.pipe_names == ["entity_ruler"]
        assert not nlp.meta.get("vectors", {}).get("width")
