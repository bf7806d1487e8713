"""Questions disguised with invisible characters are understood like the clean text.

Zero-width spaces and joiners, a byte-order mark or a right-to-left override inside a word
would otherwise split the word for the tokenizer and the n-gram features, and the classifier
would see a different question (issue 13, point 4).
"""
import asyncio

import pytest

from bench.quality import answer_of
from scripts.stack import MODEL

QUESTIONS = [
    "Må jeg betale studieavgift?",
    "What is the deadline for applying for exemption from the tuition fee?",
    "Hvor mange studieplasser er det?",
    "Can I go on exchange during the master?",
]
MARKS = ["\u200b", "\u200d", "\ufeff", "\u202e"]


def disguise(text: str, mark: str) -> str:
    """A mark inside every word, where it does the most harm."""
    return " ".join(word[:2] + mark + word[2:] if len(word) > 3 else word for word in text.split())


@pytest.fixture(scope="module")
def parse():
    from rasa.core.agent import Agent

    agent = Agent.load(str(MODEL))
    return lambda text: asyncio.run(agent.parse_message(text))


@pytest.mark.parametrize("question", QUESTIONS)
def test_disguised_questions_get_the_clean_answer(parse, question):
    clean = parse(question)
    for mark in MARKS:
        disguised = parse(disguise(question, mark))
        assert disguised["text"] == clean["text"]
        assert answer_of(disguised) == answer_of(clean)
