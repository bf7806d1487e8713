"""Held-out questions (tests/heldout, never used for training) get the right answer.

Thresholds from the foundation issue: at least 95 % right answers in English and 93 %
in Norwegian, and at least 90 % of out-of-scope questions handed over to a person.

A wrong answer costs a student more than a hand-over (a wrong decision, not an e-mail), so
the wrong ones are also counted apart (bench/quality.py `outcome_of`): at most WRONG_LIMIT of
all questions per language, out-of-scope ones included. 2 %: the model of 2026-12-01 gave
1.1 % (en, 4 of 360) and 0.8 % (nb, 3 of 363), so it allows about three more before failing.
"""
import asyncio
from pathlib import Path

import pytest

from bench.quality import Outcome, answer_of, load_questions, offered_choices, summarise
from content import faq_topics
from language import detect_language
from scripts.stack import MODEL

HELD_OUT = Path(__file__).resolve().parent / "heldout"
THRESHOLDS = {"en": 0.95, "nb": 0.93}
OOS_RECALL = 0.90
WRONG_LIMIT = 0.02


@pytest.fixture(scope="module")
def report():
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    questions = load_questions(HELD_OUT)

    async def parse_all():
        return [await agent.parse_message(q.text) for q in questions]

    parses = asyncio.run(parse_all())
    outcomes = [
        Outcome(q, answer_of(p), offered_choices(p), detect_language(q.text) or q.language)
        for q, p in zip(questions, parses)
    ]
    summary = summarise(outcomes, faq_topics())
    print("\nheld-out accuracy", summary["accuracy"], "clarified", summary["clarified"], "oos", summary["oos"])
    for language in ("en", "nb"):
        row = summary["outcomes"][language]
        print(f"  outcomes {language}: " + ", ".join(f"{k} {row[k]:.1%} ({row['counts'][k]})"
                                                    for k in ("right", "clarified", "handed_over", "wrong")))
    for error in summary["errors"]:
        print("  MISS", error)
    return summary


@pytest.mark.parametrize("language", ["en", "nb"])
def test_answer_accuracy(report, language):
    assert report["accuracy"][language] >= THRESHOLDS[language], report["by_topic"][language]


def test_out_of_scope_is_handed_over(report):
    assert report["oos"]["recall"] >= OOS_RECALL


@pytest.mark.parametrize("language", ["en", "nb"])
def test_few_confidently_wrong_answers(report, language):
    row = report["outcomes"][language]
    wrong = [(e["expected"], e["got"]) for e in report["errors"] if e["language"] == language and e["outcome"] == "wrong"]
    assert row["wrong"] <= WRONG_LIMIT, f"{row['counts']['wrong']} of {row['questions']} wrong: {wrong}"
    assert row["counts"]["wrong"] == len(wrong)


def test_every_faq_is_in_the_held_out_set_in_both_languages():
    questions = load_questions(HELD_OUT)
    for language in ("en", "nb"):
        labels = {q.label for q in questions if q.language == language}
        missing = {f"faq/{key}" for key in faq_topics()} - labels
        assert not missing, f"{language}: {sorted(missing)}"
