"""An email's clean text -> its questions ("Do I need maths? And who pays the fee?" -> two).

A sentence is a question when it ends in "?", starts with a question word, or asks
politely ("I would like to know ...", "jeg lurer på ..."). Greeting lines are dropped.
An email without any such sentence is one question (its text), or its subject's.
"""
from __future__ import annotations

import re
from typing import List, Optional

from mailbot.decode import patterns

_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[\"'«“(]?[A-ZÆØÅa-zæøå0-9])")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_SUBJECT_PREFIX = re.compile(r"^\s*((re|sv|aw|fw|fwd|vs|vb)\s*:\s*)+", re.IGNORECASE)
MIN_LETTERS = 4


def _sentences(text: str) -> List[str]:
    greeting = re.compile(patterns()["greeting_line"], re.IGNORECASE)
    sentences: List[str] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [l.strip() for l in block.split("\n") if l.strip() and not greeting.match(l.strip())]
        # A bulleted or numbered list keeps one item per line; other lines are wrapped prose.
        if sum(bool(_BULLET.match(l)) for l in lines) >= 2:
            chunks = [_BULLET.sub("", l) for l in lines]
        else:
            chunks = [" ".join(lines)]
        for chunk in chunks:
            sentences += [s.strip() for s in _SENTENCE_END.split(chunk) if s.strip()]
    return sentences


def is_question(sentence: str, language: Optional[str] = None) -> bool:
    p = patterns()
    if sentence.rstrip().endswith("?"):
        return True
    languages = [language] if language in ("en", "nb") else ["en", "nb"]
    s = sentence.strip().lower()
    for lang in languages:
        if re.search(p["question_request"][lang], s):
            return True
        # "Do I need maths" is a question; "Will start in August." (a statement) is not.
        if re.search(p["question_start"][lang], s) and not s.endswith((".", "!")):
            return True
    return False


def max_questions() -> int:
    """More questions than this in one email: an adviser answers it."""
    return int(patterns().get("max_questions", 4))


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def split_questions(text: str, language: Optional[str] = None, subject: str = "") -> List[str]:
    greeting = re.compile(patterns()["greeting_line"], re.IGNORECASE)
    sentences = [s for s in _sentences(text) if not greeting.match(s) and _letters(s) >= MIN_LETTERS]
    p = patterns()
    questions: List[str] = []
    seen = set()  # lower-cased questions: one set look-up, not a scan of the list per sentence
    previous = ""  # the last sentence that is not a question: context for "Is that enough?"
    for sentence in sentences:
        if not is_question(sentence, language):
            previous = sentence
            continue
        if previous and len(sentence.split()) <= p["needs_context_max_words"] and \
                re.search(p["needs_context"], sentence, re.IGNORECASE):
            sentence = f"{previous} {sentence}"
        previous = ""
        if sentence.lower() not in seen:
            seen.add(sentence.lower())
            questions.append(sentence)
    if questions:
        return questions
    subject = _SUBJECT_PREFIX.sub("", subject).strip()
    if sentences:
        return [" ".join(sentences)]
    return [subject] if _letters(subject) >= MIN_LETTERS else []
