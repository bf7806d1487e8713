"""Is a message something we can read? Cleans it and names what is wrong with it.

Used before NLU: empty, binary, markup-only, link-only or emoji-only messages get a
polite "please write your question" instead of a guess; a very long message is cut
to its first MAX_CHARS characters (students paste whole e-mails).
"""
from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

MAX_CHARS = 600

OK = "ok"
EMPTY = "empty"
BINARY = "binary"
MARKUP = "markup"
LINK_ONLY = "link_only"
NO_WORDS = "no_words"
UNREADABLE = (EMPTY, BINARY, MARKUP, LINK_ONLY, NO_WORDS)

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
_SCRIPT_OR_STYLE = re.compile(r"<\s*(script|style)\b.*?(<\s*/\s*\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_URL = re.compile(r"(https?://\S+|www\.\S+)", re.IGNORECASE)
# A letter or a digit: "30" or "40 %" is a fine answer to a form's question.
_LETTER_OR_DIGIT = re.compile(r"[^\W_]", re.UNICODE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class CheckedInput:
    text: str  # what NLU should read
    kind: str  # OK or one of UNREADABLE
    truncated: bool = False


# Python 3.10 knows Unicode 13: newer emoji ("🫶", "🥹") are "unassigned" to it. In the
# blocks where Unicode puts emoji and pictographs they are symbols, not binary noise.
_PICTOGRAPH_BLOCKS = range(0x1F000, 0x1FC00)


def _is_control(ch: str) -> bool:
    category = unicodedata.category(ch)
    if category == "Cn" and ord(ch) in _PICTOGRAPH_BLOCKS:
        return False
    return category in ("Cc", "Cs", "Co", "Cn") and ch not in "\t\n\r"


def _control_share(text: str) -> float:
    controls = sum(1 for ch in text if ch == "\ufffd" or _is_control(ch))
    return controls / max(len(text), 1)


# Invisible characters that change how text reads without being seen: zero-width spaces and
# joiners, the byte-order mark, soft hyphen, and the bidirectional controls (U+202A-202E,
# U+2066-2069, LRM/RLM/ALM) used to disguise text ("Trojan source"). Removed before NLU.
_INVISIBLE = dict.fromkeys(
    [0x00AD, 0x034F, 0x061C, 0x180E, *range(0x200B, 0x2010), *range(0x202A, 0x202F),
     0x2060, 0x2061, 0x2062, 0x2063, 0x2064, *range(0x2066, 0x2070), 0xFEFF]
)


def normalise_text(text: str) -> str:
    """NFKC (full-width letters, ligatures, compatibility digits -> plain ones) without the
    invisible and bidirectional control characters. Never longer than its input: where NFKC
    would expand the text (ligatures, "ﷺ" spells out a phrase) only the characters that fold
    to one character are folded."""
    visible = text.translate(_INVISIBLE)
    folded = unicodedata.normalize("NFKC", visible).translate(_INVISIBLE)
    if len(folded) <= len(text):
        return folded
    return "".join(_fold_one(ch) for ch in visible)


def _fold_one(ch: str) -> str:
    folded = unicodedata.normalize("NFKC", ch)
    return folded if len(folded) == 1 and ord(folded) not in _INVISIBLE else ch


def check_input(raw: object) -> CheckedInput:
    if not isinstance(raw, str):
        raw = "" if raw is None else str(raw)
    raw = normalise_text(raw)
    if _control_share(raw) > 0.1:
        return CheckedInput("", BINARY)
    text = "".join(ch for ch in raw if not _is_control(ch) or ch == "\n")
    truncated = len(text) > MAX_CHARS
    if truncated:
        cut = text[:MAX_CHARS]
        text = cut.rsplit(" ", 1)[0] if " " in cut else cut
    had_markup = bool(_TAG.search(text))
    text = html.unescape(_TAG.sub(" ", _SCRIPT_OR_STYLE.sub(" ", text)))
    text = _SPACES.sub(" ", text).strip()
    if not raw.strip():
        return CheckedInput("", EMPTY)
    without_links = _URL.sub(" ", text)
    if not _LETTER_OR_DIGIT.search(without_links):
        if had_markup:
            kind = MARKUP
        elif _URL.search(text):
            kind = LINK_ONLY
        elif not text:
            kind = EMPTY
        else:
            kind = NO_WORDS
        return CheckedInput("", kind, truncated)
    return CheckedInput(text, OK, truncated)
