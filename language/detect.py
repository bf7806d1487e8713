"""Language identification with lingua, limited to English and the Scandinavian languages.

Bokmål, Nynorsk, Danish and Swedish are all answered in Bokmål ("nb"): a Swede or a
Dane reads Bokmål far better than English-speaking staff read Swedish.

Short or ambiguous messages ("ok", "ja", "takk", "hei", an emoji) are *undecided*
(None): the caller keeps the conversation's language, or uses a hint from the channel.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from lingua import Language, LanguageDetectorBuilder

SCANDINAVIAN = (Language.BOKMAL, Language.NYNORSK, Language.DANISH, Language.SWEDISH)

# A message needs this many words before we trust a detection at all: "takk", "ok",
# "ja" and "hei" are used by people writing either language.
MIN_WORDS = 2
# Share of lingua's confidence that the winning side (English or Scandinavian) needs.
MIN_SHARE_ONE_WORD = 0.95  # a lone long word ("studieavgift", "requirements")
MIN_ONE_WORD_LETTERS = 7
MIN_SHARE_TWO_WORDS = 0.80
MIN_SHARE = 0.65

_URL_OR_EMAIL = re.compile(r"(https?://\S+|www\.\S+|\S+@\S+\.\S+)", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Letters only Norwegian/Danish (æ, ø) or Swedish (ä, ö) use: a near-certain signal.
_SCANDINAVIAN_LETTERS = re.compile(r"[æøåäö]", re.IGNORECASE)

_TAGS = {
    "en": "en", "eng": "en", "english": "en",
    "nb": "nb", "nob": "nb", "no": "nb", "nor": "nb", "nn": "nb", "nno": "nb",
    "da": "nb", "dan": "nb", "sv": "nb", "swe": "nb", "norsk": "nb", "bokmål": "nb",
}


@lru_cache(maxsize=1)
def _detector():
    # Preloading keeps the first user's message as fast as the rest.
    return (
        LanguageDetectorBuilder.from_languages(Language.ENGLISH, *SCANDINAVIAN)
        .with_preloaded_language_models()
        .build()
    )


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
    prose = _URL_OR_EMAIL.sub(" ", text)
    words = _WORD.findall(prose)
    if not words or (len(words) < MIN_WORDS and len(words[0]) < MIN_ONE_WORD_LETTERS):
        return None
    confidences = {c.language: c.value for c in _detector().compute_language_confidence_values(prose)}
    english = confidences.get(Language.ENGLISH, 0.0)
    scandinavian = sum(confidences.get(lang, 0.0) for lang in SCANDINAVIAN)
    if _SCANDINAVIAN_LETTERS.search(prose):
        scandinavian += 0.3
    share = max(english, scandinavian) / ((english + scandinavian) or 1.0)
    needed = {1: MIN_SHARE_ONE_WORD, MIN_WORDS: MIN_SHARE_TWO_WORDS}.get(len(words), MIN_SHARE)
    if share < needed:
        return None
    return "en" if english > scandinavian else "nb"


def resolve_language(text: object, hint: object = None) -> Optional[str]:
    """The language to answer in for this message, or None to keep the conversation's.

    What the person writes wins; a hint from the channel (the web page's language, a
    Teams or Slack locale) decides only when the text itself is undecided.
    """
    return detect_language(text) or normalise_language_tag(hint)
