"""The four outcomes (right, clarified, handed over, wrong) from small hand-made parse results."""
import pytest

from bench.quality import (CLARIFIED, HANDED_OVER, RIGHT, WRONG, Outcome, Question, answer_of, offered_choices,
                           outcome_of, outcome_summary)


def faq_parse(*ranking, intent="faq", selected=None):
    """A parse as the linear classifier gives it: intent, the selected FAQ answer, the ranking."""
    ranked = [{"intent_response_key": key, "confidence": confidence} for key, confidence in ranking]
    chosen = selected if selected is not None else (ranked[0]["intent_response_key"] if ranked else None)
    return {"intent": {"name": intent, "confidence": 0.9},
            "response_selector": {"faq": {"response": {"intent_response_key": chosen} if chosen else {},
                                          "ranking": ranked}}}


def intent_parse(name):
    return {"intent": {"name": name, "confidence": 0.9}, "response_selector": {"faq": {"ranking": []}}}


CASES = [
    # (label of the question, parse result, outcome)
    ("faq/fee_amounts", faq_parse(("faq/fee_amounts", 0.9), ("faq/fee_refund", 0.05)), RIGHT),
    ("faq/fee_amounts", faq_parse(("faq/fee_refund", 0.8), ("faq/fee_amounts", 0.1)), WRONG),
    # Clarifying buttons: right when the labelled answer is among the offered ones.
    ("faq/fee_amounts", faq_parse(("faq/fee_refund", 0.45), ("faq/fee_amounts", 0.44), intent="faq_ambiguous"), CLARIFIED),
    ("faq/fee_amounts", faq_parse(("faq/fee_refund", 0.45), ("faq/contact", 0.44), ("faq/fee_amounts", 0.1),
                                  intent="faq_ambiguous"), WRONG),
    # A third answer is never offered (actions/faq.py MAX_CHOICES), nor one under 0.1.
    ("faq/fee_amounts", faq_parse(("faq/fee_refund", 0.45), ("faq/fee_amounts", 0.05), intent="faq_ambiguous"), WRONG),
    ("faq/fee_amounts", intent_parse("nlu_fallback"), HANDED_OVER),
    ("faq/fee_amounts", intent_parse("out_of_scope"), HANDED_OVER),
    ("faq/fee_amounts", intent_parse("bad_input"), HANDED_OVER),
    ("greet", intent_parse("greet"), RIGHT),
    ("greet", intent_parse("goodbye"), WRONG),
    ("greet", intent_parse("human_handoff_unsure"), HANDED_OVER),
    # The fee dialogue answers "I'm Indian, do I pay?" for the person: right for the fee FAQ ...
    ("faq/fee_who_pays", intent_parse("ask_personal_fee"), RIGHT),
    # ... and wrong for a question about something else.
    ("faq/exchange", intent_parse("ask_personal_fee"), WRONG),
    # Out of scope: handed over is right, anything confident is wrong.
    ("out_of_scope", intent_parse("nlu_fallback"), RIGHT),
    ("out_of_scope", intent_parse("out_of_scope"), RIGHT),
    ("out_of_scope", faq_parse(("faq/fee_amounts", 0.9)), WRONG),
    ("out_of_scope", faq_parse(("faq/fee_amounts", 0.45), ("faq/fee_refund", 0.44), intent="faq_ambiguous"), WRONG),
    ("out_of_scope", intent_parse("greet"), WRONG),
]


@pytest.mark.parametrize("label, parse, expected", CASES)
def test_outcome_of_a_parse(label, parse, expected):
    question = Question("text", label, "en")
    outcome = Outcome(question, answer_of(parse), offered_choices(parse))
    assert outcome.kind == expected
    assert outcome_of(question, answer_of(parse), offered_choices(parse)) == expected


def test_only_choices_the_bot_would_offer_count():
    parse = faq_parse(("faq/a", 0.5), ("faq/b", 0.3), ("faq/c", 0.15))
    assert offered_choices(parse) == ["faq/a", "faq/b"]
    assert offered_choices(faq_parse(("faq/a", 0.5), ("faq/b", 0.05))) == ["faq/a"]


def test_summary_shares_and_counts_per_language():
    rows = [("faq/x", "faq/x", "en"), ("faq/x", "faq/y", "en"), ("faq/x", "handover", "en"),
            ("out_of_scope", "handover", "en"), ("faq/x", "faq/x", "nb")]
    summary = outcome_summary(Outcome(Question("t", label, lang), answer) for label, answer, lang in rows)
    assert summary["en"]["counts"] == {"right": 2, "clarified": 0, "handed_over": 1, "wrong": 1}
    assert summary["en"]["right"] == 0.5 and summary["en"]["wrong"] == 0.25 and summary["en"]["handed_over"] == 0.25
    assert summary["en"]["questions"] == 4 and summary["en"]["out_of_scope_questions"] == 1
    assert sum(summary["en"][k] for k in ("right", "clarified", "handed_over", "wrong")) == pytest.approx(1)
    assert summary["nb"]["right"] == 1.0


def test_a_language_without_questions_has_no_shares():
    summary = outcome_summary([Outcome(Question("t", "faq/x", "en"), "faq/x")])
    assert summary["nb"]["right"] is None and summary["nb"]["questions"] == 0
