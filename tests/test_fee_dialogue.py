"""Personal fee conversations over REST, through the real assistant (the `stack` fixture).

Each conversation is typed as a student would; the last answer must be in the conversation's
language and state the engine's amount, formatted for that language. Withdrawal dates here are
absolute ("10 August"): their rule does not depend on today (relative dates: tests/actions).
"""
import itertools
import json
from typing import List
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest

from tests.conftest import rest_say

_ids = itertools.count()

# (name, turns, substrings of the last answer, substrings it must not contain)
CONVERSATIONS = [
    ("a Nigerian starting the MSc full time pays 254,950 (en)",
     ["I'm Nigerian and start the MSc in August 2026 full time, what will I have to pay?", "none of these"],
     ["NOK 254,950", "a year", "admission letter", "adjusted annually", "https://www.ntnu.no/studier/studieavgift"], []),
    ("a Nigerian starting the MSc full time pays 254 950 (nb)",
     ["jeg er nigeriansk og begynner på masteren høsten 2026, hva må jeg betale?", "nei", "heltid"],
     ["254 950 kr", "per år", "opptaksbrevet", "justeres årlig"], ["NOK"]),
    ("40 % part time, asked step by step with buttons (en)",
     ["can you calculate my tuition fee?", "I'm from Nigeria", '/inform{"level":"master"}',
      '/inform{"start_term":"from_autumn_2023"}', '/inform{"special_situation":"none"}', "40 %"],
     ["NOK 101,980", "part time"], []),
    ("40 % part time in one message (nb)",
     ["jeg er nigeriansk masterstudent fra høsten 2026 og studerer 40 prosent, hva betaler jeg?", "ingen av disse"],
     ["101 980 kr", "deltid"], []),
    ("two courses of 7.5 credits (en)",
     ["I'm Indian and start in autumn 2026 on the MSc, what do two courses of 7.5 credits cost me?", "none"],
     ["NOK 63,737.50"], []),
    ("two courses of 7,5 credits (nb)",
     ["jeg er indisk og skal ta emner i masteren fra høsten 2026, regn ut avgiften min", "ingen",
      "to emner på 7,5 studiepoeng"],
     ["63 737,50 kr"], []),
    ("a Dane pays nothing (en)",
     ["I'm Danish, what will I pay for the MSc?"], ["pay no tuition fee", "Denmark"], ["NOK"]),
    ("a Dane pays nothing (nb)",
     ["jeg er dansk, hva må jeg betale for masteren?"], ["betaler du ikke studieavgift", "Danmark"], [" kr"]),
    ("withdrawing on 10 August keeps NOK 5,000 (en)",
     ["I withdrew from my study place on 10 August, how much will I get back?", "I don't know"],
     ["NOK 5,000", "10 August", "rest of the tuition fee is refunded"], []),
    ("withdrawing on 10 August with the amount paid asked (en)",
     ["I withdrew from my study place on 10 August, how much will I get back?", "254 950"],
     ["NOK 249,950", "NOK 5,000"], []),
    ("withdrawing on 10 August keeps 5 000 kr (nb)",
     ["jeg trakk meg fra studieplassen 10. august, hvor mye får jeg tilbake?", "vet ikke"],
     ["5 000 kr", "10. august", "Resten av studieavgiften"], []),
    ("withdrawal on 1 August is unclear: ask opptak (en)",
     ["what do I get back if I withdraw on 1 August?"], ["opptak@ntnu.no", "won't guess"], []),
    ("withdrawal on 1 August is unclear: ask opptak (nb)",
     ["hva får jeg tilbake hvis jeg trekker meg 1. august?"], ["opptak@ntnu.no", "gjette"], []),
    ("the exact refund when the amount paid is known (en)",
     ["I paid NOK 254,950 and withdrew on 12 August, what's my refund?"], ["NOK 249,950", "NOK 5,000"], []),
    ("a refund asked step by step (nb)",
     ["regn ut refusjonen min", '/inform{"refund_reason":"withdrawal"}', "3. september", "vet ikke"],
     ["5 000 kr", "3. september"], []),
    ("a FAQ in the middle, then the form goes on (en)",
     ["I'm Kenyan, calculate my fee for the MSc please", "How do I pay the tuition fee?",
      '/inform{"start_term":"from_autumn_2023"}', "no", "full time"],
     ["NOK 254,950"], []),
    ("a correction recomputes the answer (en)",
     ["I'm Nigerian and start the MSc in August 2026 full time, what will I have to pay?", "none of these",
      "actually I'm Swedish"],
     ["pay no tuition fee", "Sweden"], ["254,950"]),
    ("no to full time asks the share, then the part-time fee (en)",
     ["I'm Nigerian and start the MSc in August 2026, what will I have to pay?", "none of these", "no", "50 %"],
     ["NOK 127,475", "part time"], ["Sorry"]),
    ("nei to full time asks the share, then the part-time fee (nb)",
     ["jeg er nigeriansk og begynner på masteren høsten 2026, hva må jeg betale?", "ingen av disse", "nei", "50"],
     ["127 475 kr", "deltid"], ["forsto jeg dessverre ikke"]),
    ("dual citizenship, India and Germany: the German one exempts (en)",
     ["I have dual citizenship, India and Germany, what will I pay for the MSc?"],
     ["Because you are a citizen of Germany", "pay no tuition fee", "India"], ["254,950"]),
    ("dual citizenship, German and Indian: the other order (en)",
     ["I'm German and Indian, what is my tuition fee for the MSc?"],
     ["Because you are a citizen of Germany", "pay no tuition fee"], ["254,950"]),
    ("dobbelt statsborgerskap, tysk og indisk (nb)",
     ["jeg er tysk og indisk statsborger, hva må jeg betale for masteren?"],
     ["Fordi du er statsborger i Tyskland", "betaler du ikke studieavgift"], ["254 950"]),
    ("dobbelt statsborgerskap, India og Tyskland (nb)",
     ["jeg har dobbelt statsborgerskap, India og Tyskland, hva blir studieavgiften?"],
     ["Fordi du er statsborger i Tyskland", "betaler du ikke studieavgift"], ["254 950"]),
    ("I don't know if full time: the full-time fee and how part time is computed (en)",
     ["I'm Indian and start the MSc in August 2026, what will I pay?", "none of these", "I don't know"],
     ["NOK 254,950", "half time", "NOK 127,475"], []),
    ("vet ikke om heltid: heltid og hvordan deltid regnes (nb)",
     ["jeg er indisk og begynner på masteren høsten 2026, hva må jeg betale?", "ingen av disse", "vet ikke"],
     ["254 950 kr", "halv tid", "127 475 kr"], []),
    ("a FAQ in the middle in Norwegian, then the form goes on (nb)",
     ["jeg er kenyansk og begynner på masteren høsten 2026, regn ut avgiften min", "Hvordan betaler jeg studieavgiften?",
      "ingen av disse", "heltid"],
     ["254 950 kr"], []),
    ("the language changes in the middle (en -> nb)",
     ["I'm Pakistani, what is my tuition fee for the MSc?", "jeg begynner høsten 2026", "ingen av disse",
      "halv tid"],
     ["127 475 kr"], []),
]


def converse(stack, turns: List[str]) -> List[List[dict]]:
    sender = f"fee-dialogue-{next(_ids)}"
    return [rest_say(stack.rasa_url, sender, turn) for turn in turns]


def text_of(replies: List[dict]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


@pytest.mark.parametrize("name, turns, expected, absent", CONVERSATIONS, ids=[c[0] for c in CONVERSATIONS])
def test_personal_fee_conversation(stack, name, turns, expected, absent):
    replies = converse(stack, turns)
    assert all(replies), f"a turn got no answer: {[text_of(r) for r in replies]}"
    last = text_of(replies[-1])
    for part in expected:
        assert part in last, f"{part!r} not in the last answer:\n{last}"
    for part in absent:
        assert part not in last, f"{part!r} in the last answer:\n{last}"


def test_no_question_is_asked_twice(stack):
    replies = converse(stack, ["I'm an Indian citizen starting the MSc in August 2026, what will I pay?",
                               "none of these", "full time"])
    questions = [text_of(r) for r in replies[:-1]]
    assert "citizen of" not in questions[0] and "What will you study" not in questions[0]
    assert len(set(questions)) == len(questions)
    assert "NOK 254,950" in text_of(replies[-1])


@pytest.mark.parametrize("stop, language_word", [("stop", "stopped"), ("avbryt", "stopper")])
def test_stop_cancels_the_form(stack, stop, language_word):
    opening = "calculate my tuition fee" if stop == "stop" else "regn ut studieavgiften min"
    replies = converse(stack, [opening, stop])
    assert language_word in text_of(replies[1])


def test_a_dane_asking_the_general_question_gets_the_personal_answer(stack):
    """ "Jeg er dansk, må jeg betale studieavgift?" names a citizenship: no general rule, the answer for a Dane."""
    from tests.conftest import rest_say as _say

    reply = " ".join(m.get("text") or "" for m in _say(stack.rasa_url, "dane-nb-1", "Jeg er dansk, må jeg betale studieavgift?"))
    assert "Danmark" in reply and "Kilde:" in reply
    assert "254 950" not in reply


def tracker_slots(stack, sender: str) -> dict:
    query = urlencode({"token": stack.api_token})  # the tests' stack turns the HTTP API on with a token
    with urlopen(f"{stack.rasa_url}/conversations/{sender}/tracker?{query}", timeout=60) as response:
        return json.loads(response.read())["slots"]


@pytest.mark.parametrize("turns, rule, amount", [
    (["I have dual citizenship, India and Germany, what will I pay for the MSc?"],
     "automatic_exemptions.eu_eea_swiss", 0.0),
    (["I'm Nigerian and start the MSc in August 2026, what will I have to pay?", "none of these", "no", "40 %"],
     "amounts.part_time", 101980.0),
])
def test_the_answer_reports_its_rule_and_amount(stack, turns, rule, amount):
    sender = f"fee-answer-slots-{next(_ids)}"
    for turn in turns:
        rest_say(stack.rasa_url, sender, turn)
    slots = tracker_slots(stack, sender)
    assert (slots["answer_rule"], slots["answer_amount"]) == (rule, amount)


@pytest.mark.parametrize("opening, unusable, asked, contact_words", [
    ("calculate my tuition fee", "the blue one", "Which country are you a citizen of?", "Talk to a person"),
    ("regn ut studieavgiften min", "den blå", "Hvilket land er du statsborger i?", "Snakke med en person"),
])
def test_two_unusable_answers_offer_the_contact_and_no_third_ask(stack, opening, unusable, asked, contact_words):
    replies = converse(stack, [opening, unusable, unusable])
    assert asked in text_of(replies[0])
    last = replies[-1]
    assert asked not in text_of(last) and "opptak@ntnu.no" in text_of(last)
    titles = [b["title"] for m in last for b in m.get("buttons") or []]
    assert contact_words in titles and len(titles) == 3


def test_no_to_full_time_is_never_asked_again(stack):
    replies = converse(stack, ["I'm Nigerian and start the MSc in August 2026, what will I have to pay?",
                               "none of these", "no"])
    assert "Will you study full time?" in text_of(replies[1])
    assert "What share of full time" in text_of(replies[2]) and "Sorry" not in text_of(replies[2])
