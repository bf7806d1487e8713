"""Answer quality on a held-out question set: what the assistant would answer vs the label.

A question's *answer* is what the person would get: the FAQ answer the response
selector picked (`faq/<key>`), a hand-over (out-of-scope or not sure), a clarifying
question with buttons (`clarify`), or a chit-chat intent. Used by the test suite
(tests/heldout, with thresholds) and by `make bench` (bench/eval*).

Each answer is also one of four *outcomes* (`outcome_of`), because they cost a student
different things: `right`, `clarified` (buttons that include the right answer: one more
click), `handed_over` (a person answers: one e-mail) and `wrong` (a confident answer that
is not the labelled one: a wrong decision).
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence

import yaml

from actions.faq import MAX_CHOICES, MIN_CHOICE_CONFIDENCE

def _personal_answers() -> Dict[str, List[str]]:
    from components.personal_question import PersonalQuestionClassifier

    return {intent: [f"faq/{key}" for key in keys] for intent, keys in PersonalQuestionClassifier.answered_faqs().items()}


PERSONAL_ANSWERS = _personal_answers()
HANDOVER = "handover"
CLARIFY = "clarify"
HANDOVER_INTENTS = {"out_of_scope", "nlu_fallback", "human_handoff_unsure"}
# Answers that give no facts at all: for an in-scope question they count as handed over
# (the person has to ask someone else), never as wrong (nothing misleading was said).
NON_ANSWERS = {HANDOVER, "bad_input"}

RIGHT, CLARIFIED, HANDED_OVER, WRONG = "right", "clarified", "handed_over", "wrong"
OUTCOMES = (RIGHT, CLARIFIED, HANDED_OVER, WRONG)


@dataclass(frozen=True)
class Question:
    text: str
    label: str  # faq/<key>, out_of_scope, or a chit-chat intent
    language: str  # en | nb

    @property
    def expected(self) -> str:
        return HANDOVER if self.label == "out_of_scope" else self.label

    @property
    def is_faq(self) -> bool:
        return self.label.startswith("faq/")


def load_questions(folder: Path) -> List[Question]:
    """Questions from <folder>/en.yml and <folder>/nb.yml (Rasa NLU format)."""
    questions = []
    for language in ("en", "nb"):
        data = yaml.safe_load((folder / f"{language}.yml").read_text(encoding="utf-8")) or {}
        for block in data.get("nlu", []):
            for line in block.get("examples", "").splitlines():
                if line.strip().startswith("- "):
                    questions.append(Question(line.strip()[2:].strip(), block["intent"], language))
    return questions


def answer_of(parse: Dict) -> str:
    """The answer a person gets for one parse result of the Rasa NLU model."""
    intent = (parse.get("intent") or {}).get("name")
    if intent == "faq":
        selected = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        return selected.get("intent_response_key") or CLARIFY
    if intent == "faq_ambiguous":
        return CLARIFY
    if intent in HANDOVER_INTENTS:
        return HANDOVER
    return intent or HANDOVER


def offered_choices(parse: Dict, how_many: int = MAX_CHOICES) -> List[str]:
    """The FAQ answers action_clarify_faq would offer as buttons (same cut-offs as actions/faq.py)."""
    ranking = ((parse.get("response_selector") or {}).get("faq") or {}).get("ranking") or []
    keys = [item.get("intent_response_key") for item in ranking
            if item.get("confidence", 0.0) >= MIN_CHOICE_CONFIDENCE and item.get("intent_response_key")]
    return keys[:how_many]


@dataclass
class Outcome:
    question: Question
    answer: str
    choices: List[str] = field(default_factory=list)
    reply_language: Optional[str] = None

    @property
    def correct(self) -> bool:
        # "I'm Indian, do I pay?" labelled faq/fee_who_pays: the personal fee dialogue
        # answering it for the person is right too (components/personal_question.py).
        return self.answer == self.question.expected or self.question.expected in PERSONAL_ANSWERS.get(self.answer, ())

    @property
    def clarified_right(self) -> bool:
        return self.answer == CLARIFY and self.question.label in self.choices

    @property
    def kind(self) -> str:
        """right | clarified | handed_over | wrong (see outcome_of)."""
        return outcome_of(self.question, self.answer, self.choices, self.correct)


def outcome_of(question: Question, answer: str, choices: Sequence[str] = (), correct: Optional[bool] = None) -> str:
    """Which of the four outcomes one answer is.

    In scope: the labelled answer is `right`; buttons that include it `clarified`; a
    hand-over or no answer `handed_over`; anything else `wrong` (another FAQ, another
    chit-chat intent, the fee dialogue for a non-fee question, buttons without the right
    answer). Out of scope: `right` when handed over, otherwise `wrong` (an FAQ answer,
    buttons, chit-chat or "please type your question" to a question the pages do not answer).
    """
    if correct is None:
        correct = Outcome(question, answer, list(choices)).correct
    if correct:
        return RIGHT
    if question.label == "out_of_scope":
        return WRONG
    if answer == CLARIFY:
        return CLARIFIED if question.label in choices else WRONG
    return HANDED_OVER if answer in NON_ANSWERS else WRONG


def outcome_summary(outcomes: Iterable[Outcome]) -> Dict[str, Dict]:
    """Per language: the share (0..1, of all questions) and count of each of the four outcomes."""
    outcomes = list(outcomes)
    summary: Dict[str, Dict] = {}
    for language in ("en", "nb"):
        mine = [o for o in outcomes if o.question.language == language]
        counts = Counter(o.kind for o in mine)
        summary[language] = {name: round(counts[name] / len(mine), 4) if mine else None for name in OUTCOMES}
        summary[language]["counts"] = {name: counts[name] for name in OUTCOMES}
        summary[language]["questions"] = len(mine)
        summary[language]["out_of_scope_questions"] = sum(o.question.label == "out_of_scope" for o in mine)
    return summary


def topic_of(label: str, topics: Dict[str, dict]) -> str:
    if label.startswith("faq/"):
        return topics.get(label[4:], {}).get("topic", "faq")
    return "out_of_scope" if label == "out_of_scope" else "chitchat"


def _share(outcomes: Iterable[Outcome], predicate: Callable[[Outcome], bool]) -> Optional[float]:
    outcomes = list(outcomes)
    return round(sum(map(predicate, outcomes)) / len(outcomes), 4) if outcomes else None


def summarise(outcomes: List[Outcome], topics: Dict[str, dict]) -> Dict:
    """Accuracy per language and topic, hand-over precision/recall, clarification rate."""
    report: Dict = {"accuracy": {}, "clarified": {}, "clarified_right": {}, "by_topic": {}, "counts": {}}
    for language in ("en", "nb"):
        in_scope = [o for o in outcomes if o.question.language == language and o.question.label != "out_of_scope"]
        report["accuracy"][language] = _share(in_scope, lambda o: o.correct)
        report["clarified"][language] = _share(in_scope, lambda o: o.answer == CLARIFY)
        report["clarified_right"][language] = _share(in_scope, lambda o: o.clarified_right)
        report["counts"][language] = dict(Counter(topic_of(o.question.label, topics) for o in outcomes if o.question.language == language))
        by_topic = defaultdict(list)
        for o in in_scope:
            by_topic[topic_of(o.question.label, topics)].append(o)
        report["by_topic"][language] = {t: _share(os, lambda o: o.correct) for t, os in sorted(by_topic.items())}
    out_of_scope = [o for o in outcomes if o.question.label == "out_of_scope"]
    handed_over = [o for o in outcomes if o.answer == HANDOVER]
    in_scope_all = [o for o in outcomes if o.question.label != "out_of_scope"]
    report["oos"] = {
        "recall": _share(out_of_scope, lambda o: o.answer == HANDOVER),
        "precision": _share(handed_over, lambda o: o.question.label == "out_of_scope"),
        "in_scope_handed_over": _share(in_scope_all, lambda o: o.answer == HANDOVER),
    }
    with_language = [o for o in outcomes if o.reply_language]
    report["reply_language"] = _share(with_language, lambda o: o.reply_language == o.question.language)
    report["outcomes"] = outcome_summary(outcomes)
    report["errors"] = [
        {"text": o.question.text, "language": o.question.language, "expected": o.question.expected, "got": o.answer,
         "outcome": o.kind}
        for o in outcomes if not o.correct
    ]
    return report


def normalise(text: str) -> str:
    return re.sub(r"[^\w]+", " ", text.lower()).strip()


# ------------------------------------------------ replies over REST: language, dialogues

REPLY_LANGUAGE_DEFINITION = (
    "A question is sent over the REST channel as the first message of a new conversation. "
    "Its reply is in language L when some bot message equals the L variation of a response "
    "in domain/ (placeholders like {x} match any text), or contains 'Source:' (en) / 'Kilde:' (nb); "
    "when that decides nothing (or both), the reply text's language by lingua (language.detect_language). "
    "The share is over all questions in bench/eval; an undecided reply counts as wrong."
)


def _response_patterns() -> List[tuple]:
    from content import responses

    patterns = []
    for variations in responses().values():
        for language, variation in variations.items():
            text = (variation.get("text") or "").strip()
            if text:
                regex = re.sub(r"\\\{\w+\\\}", ".+", re.escape(text))
                patterns.append((re.compile(regex + r"\Z", re.S), language))
    return patterns


def reply_language_of(messages: List[Dict]) -> Optional[str]:
    """'en', 'nb' or None for the bot's messages answering one question (definition above)."""
    from language import detect_language

    if not hasattr(reply_language_of, "patterns"):
        reply_language_of.patterns = _response_patterns()
    texts = [(m.get("text") or "").strip() for m in messages if m.get("text")]
    found = set()
    for text in texts:
        found |= {language for pattern, language in reply_language_of.patterns if pattern.match(text)}
        if "Source:" in text:
            found.add("en")
        if "Kilde:" in text:
            found.add("nb")
    if len(found) == 1:
        return found.pop()
    return detect_language("\n".join(texts)) if texts else None


def load_dialogues(path: Path) -> List[Dict]:
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("dialogues") or []


def dialogue_passes(case: Dict, last_reply: List[Dict]) -> Dict:
    """A replayed dialogue succeeds when its last answer has every `expect` and no `forbid` text."""
    text = "\n".join(m.get("text") or "" for m in last_reply)
    missing = [s for s in case.get("expect") or [] if s not in text]
    forbidden = [s for s in case.get("forbid") or [] if s in text]
    return {"id": case.get("id"), "passed": not missing and not forbidden, "missing": missing,
            "forbidden": forbidden, "last_answer": text[:300]}
