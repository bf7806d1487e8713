"""Which language a person writes in: English ("en") or Norwegian Bokmål ("nb").

Plain Python, no Rasa import: the NLU pipeline, the mail worker and the channel
connectors all call the same two functions.
"""
from language.detect import detect_language, language_hint, normalise_language_tag, resolve_language

SUPPORTED_LANGUAGES = ("en", "nb")

__all__ = [
    "SUPPORTED_LANGUAGES",
    "detect_language",
    "language_hint",
    "normalise_language_tag",
    "resolve_language",
]
