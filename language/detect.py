"""Language identification with lingua, limited to English and the Scandinavian languages.

Bokmål, Nynorsk, Danish and Swedish are all answered in Bokmål ("nb"). lingua decides
between its English and Bokmål models only: Nynorsk, Danish and Swedish text is far
closer to Bokmål than to English, while a five-way split scatters the Scandinavian
confidence over four languages and lets short English questions ("can I get a refund")
look Scandinavian (see tests/test_language.py).

Short or ambiguous messages ("ok", "ja", "takk", "hei", an emoji) are *undecided*
(None): the caller keeps the conversation's language, or uses a hint from the channel.
"""
from __future__ import annotations

import re
from pathlib import Path
from functools import lru_cache
from typing import Optional

import yaml
from lingua import Language, LanguageDetectorBuilder


# A message needs this many words before we trust a detection at all: "takk", "ok",
# "ja" and "hei" are used by people writing either language.
MIN_WORDS = 2
# Share of lingua's confidence that the winning side (English or Scandinavian) needs.
MIN_SHARE_ONE_WORD = 0.95  # a lone long word ("studieavgift", "requirements")
MIN_ONE_WORD_LETTERS = 7
MIN_SHARE_TWO_WORDS = 0.80
MIN_SHARE = 0.62
# How far one language-specific function word moves lingua's probability.
WORD_WEIGHT = 0.15
# Only this much of a text is read (see detect_language).
MAX_DETECT_CHARS = 5000

# Links and addresses. The address branch starts only at the start of a word ((?<!\S)) and
# its first run stops at the first "@" ([^\s@]*), so each word is tried once and in time
# linear in its length: the earlier `\S+@\S+\.\S+` retried every position of a long word
# (40,000 characters took 5.7 s). It matches the same words: a word holding an "@" after
# its first character, and a "." after the character that follows that "@".
_URL_OR_EMAIL = re.compile(r"(https?://\S+|www\.\S+|(?<!\S)\S[^\s@]*@\S+\.\S+)", re.IGNORECASE)
_LOANWORDS_FILE = Path(__file__).with_name("loanwords.yml")
_FUNCTION_WORDS_FILE = Path(__file__).with_name("function_words.yml")
# A capitalised word that does not start a sentence: a name (Trondheim, Gløshaugen).
_NAME_INSIDE_SENTENCE = re.compile(r"(?<=[^\s.!?]\s)[A-ZÆØÅ][\w-]*")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)

_TAGS = {
    "en": "en", "eng": "en", "english": "en",
    "nb": "nb", "nob": "nb", "no": "nb", "nor": "nb", "nn": "nb", "nno": "nb",
    "da": "nb", "dan": "nb", "sv": "nb", "swe": "nb", "norsk": "nb", "bokmål": "nb",
}


@lru_cache(maxsize=1)
def _detector():
    # Preloading keeps the first user's message as fast as the rest.
    return (
        LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.BOKMAL)
        .with_preloaded_language_models()
        .build()
    )


@lru_cache(maxsize=1)
def _loanwords() -> re.Pattern:
    words = yaml.safe_load(_LOANWORDS_FILE.read_text(encoding="utf-8")) or []
    return re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _function_words() -> dict:
    lists = yaml.safe_load(_FUNCTION_WORDS_FILE.read_text(encoding="utf-8"))
    return {language: frozenset(words) for language, words in lists.items()}


def _function_word_balance(words: list) -> int:
    """Norwegian function words minus English ones."""
    lowered = [w.lower() for w in words]
    lists = _function_words()
    return sum(w in lists["nb"] for w in lowered) - sum(w in lists["en"] for w in lowered)


def _prose(text: str) -> str:
    """The text without links, addresses, names and Norwegian loanwords."""
    text = _URL_OR_EMAIL.sub(" ", text)
    text = _NAME_INSIDE_SENTENCE.sub(" ", text)
    return _loanwords().sub(" ", text)


def normalise_language_tag(tag: object) -> Optional[str]:
    """'nb-NO', 'no', 'nn', 'da_DK', 'sv' -> 'nb'; 'en-GB', 'en_US' -> 'en'; else None."""
    if not isinstance(tag, str) or not tag.strip():
        return None
    primary = re.split(r"[-_]", tag.strip().lower(), maxsplit=1)[0]
    return _TAGS.get(primary)


def detect_language(text: object) -> Optional[str]:
    """Return 'en' or 'nb' when the text clearly is one of them, else None."""
    if not isinstance(text, str):
        return None
    # lingua's time grows faster than the text on one long word (20,000 letters: 0.5 s,
    # 1 MB: minutes); the first few thousand characters decide the language anyway.
    prose = _prose(text[:MAX_DETECT_CHARS])
    words = _WORD.findall(prose)
    if not words or (len(words) < MIN_WORDS and len(words[0]) < MIN_ONE_WORD_LETTERS):
        return None
    scandinavian = 1.0 - _detector().compute_language_confidence(prose, Language.ENGLISH)
    scandinavian = min(1.0, max(0.0, scandinavian + WORD_WEIGHT * _function_word_balance(words)))
    english = 1.0 - scandinavian
    share = max(english, scandinavian)
    needed = {1: MIN_SHARE_ONE_WORD, MIN_WORDS: MIN_SHARE_TWO_WORDS}.get(len(words), MIN_SHARE)
    if share < needed:
        return None
    return "en" if english > scandinavian else "nb"


HINT_KEYS = ("language", "lang", "locale")


def language_hint(metadata: object) -> Optional[str]:
    """The language a channel suggests in its metadata ('language', 'lang' or 'locale')."""
    if not isinstance(metadata, dict):
        return None
    for key in HINT_KEYS:
        language = normalise_language_tag(metadata.get(key))
        if language:
            return language
    return None


def resolve_language(text: object, hint: object = None) -> Optional[str]:
    """The language to answer in for this message, or None to keep the conversation's.

    What the person writes wins; a hint from the channel (the web page's language, a
    Teams or Slack locale) decides only when the text itself is undecided.
    """
    return detect_language(text) or normalise_language_tag(hint)
