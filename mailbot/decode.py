"""One incoming email -> clean text, sender, threading data and language.

Uses the standard `email` package only: MIME multipart, RFC 2047 headers, any charset
(with UTF-8 / Windows-1252 fallbacks for wrong or unknown ones), HTML-only mail turned into
text, quoted earlier messages and signatures removed. Never raises on malformed mail:
what could not be read is listed in `problems`.
"""
from __future__ import annotations

import email
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import List, Optional, Tuple

import yaml

from language import detect_language, normalise_language_tag

PATTERNS_FILE = Path(__file__).with_name("patterns.yml")


@lru_cache(maxsize=1)
def patterns() -> dict:
    return yaml.safe_load(PATTERNS_FILE.read_text(encoding="utf-8"))


def _regex(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


@dataclass
class DecodedMail:
    message_id: str
    subject: str
    sender: str  # address the reply goes to (Reply-To, else From)
    sender_name: str
    from_address: str
    date: str
    in_reply_to: str
    references: str
    text: str  # the new text only: no quotes, no signature
    language: str  # "en" or "nb"
    problems: List[str] = field(default_factory=list)


def _unsurrogate(text: str) -> str:
    """Raw 8-bit bytes in a header (no RFC 2047): read them as UTF-8, else Windows-1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    raw = text.encode("ascii", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def raw_header(msg: Message, name: str) -> Optional[str]:
    """The value as received (raw_items: 8-bit bytes not yet replaced), or None."""
    value = next((v for k, v in msg.raw_items() if k.lower() == name.lower()), None)
    return None if value is None else _unsurrogate(str(value))


def decode_words(value: str, problems: Optional[List[str]] = None, name: str = "") -> str:
    """RFC 2047 encoded words -> text; unknown charsets fall back to UTF-8 / Windows-1252."""
    try:
        text = str(make_header(decode_header(value)))
    except Exception:
        try:
            text = "".join(decode_bytes(chunk, charset)[0] if isinstance(chunk, bytes) else chunk
                           for chunk, charset in decode_header(value))
        except Exception:
            text = value
        if problems is not None:
            problems.append(f"badly encoded {name or 'header'}")
    return " ".join(text.split())


def header(msg: Message, name: str, problems: Optional[List[str]] = None) -> str:
    value = raw_header(msg, name)
    return "" if value is None else decode_words(value, problems, name)


def address(msg: Message, name: str, problems: Optional[List[str]] = None) -> Tuple[str, str]:
    """(display name, address) of the first address; split before decoding ("Nordmann, Kari")."""
    addresses = getaddresses([raw_header(msg, name) or ""])
    display, addr = next(((n, a) for n, a in addresses if "@" in a), ("", ""))
    return decode_words(display, problems, name).strip('"'), addr.strip()


def decode_bytes(payload: bytes, charset: Optional[str]) -> Tuple[str, bool]:
    """Text and whether the declared charset (none declared: UTF-8 or ASCII) worked."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return payload.decode(candidate), candidate == (charset or "utf-8")
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("cp1252", "replace"), False


class _HtmlText(HTMLParser):
    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "hr"}
    SKIP = {"script", "style", "head", "title", "blockquote"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: List[str] = []
        self.skip_stack: List[str] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").lower()
        if tag in self.SKIP or "gmail_quote" in classes or "moz-cite-prefix" in classes:
            self.skip_stack.append(tag)
        elif not self.skip_stack and tag in self.BLOCK:
            self.parts.append("\n- " if tag == "li" else "\n")

    def handle_endtag(self, tag):
        if self.skip_stack and self.skip_stack[-1] == tag:
            self.skip_stack.pop()
        elif not self.skip_stack and tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip_stack:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return re.sub(r"<[^>]+>", " ", html)
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def body_text(msg: Message, problems: List[str]) -> str:
    """The first text/plain part that is not an attachment, else the first text/html part."""
    found: dict = {"text/plain": None, "text/html": None}
    for part in msg.walk():
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind in found and found[kind] is None:
            try:
                payload = part.get_payload(decode=True) or b""
            except Exception:
                problems.append(f"undecodable {kind} part")
                continue
            text, ok = decode_bytes(payload, part.get_content_charset())
            if not ok:
                problems.append(f"wrong or unknown charset {part.get_content_charset()!r}")
            found[kind] = text.replace("\r\n", "\n").replace("\r", "\n")
    if found["text/plain"] and found["text/plain"].strip():
        return found["text/plain"]
    if found["text/html"]:
        return html_to_text(found["text/html"])
    if found["text/plain"] is None:
        problems.append("no readable text part")
    return ""


def strip_quotes_and_signature(text: str) -> str:
    p = patterns()
    quote_starts = [_regex(q) for q in p["quote_starts"]]
    outlook_from, outlook_second = _regex(p["quote_outlook_from"]), _regex(p["quote_outlook_second"])
    signature = [_regex(s) for s in p["signature_starts"]]
    lines = [line.rstrip() for line in text.split("\n")]
    kept: List[str] = []
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(">"):
            continue
        joined = f"{stripped} {lines[i + 1].strip()}" if i + 1 < len(lines) else stripped
        following = next((l.strip() for l in lines[i + 1:] if l.strip()), "")
        if any(q.search(stripped) or q.search(joined) for q in quote_starts):
            break
        if outlook_from.search(stripped) and outlook_second.search(following):
            break
        has_content = any(k.strip() for k in kept)
        if has_content and any(s.search(stripped) for s in signature):
            break
        kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def parse(raw: bytes) -> Message:
    return email.message_from_bytes(raw)


def decode(msg: Message) -> DecodedMail:
    problems: List[str] = []
    from_name, from_address = address(msg, "From", problems)
    reply_to = address(msg, "Reply-To")[1]
    if not from_address:
        problems.append("no sender address")
    text = strip_quotes_and_signature(body_text(msg, problems))
    subject = header(msg, "Subject", problems)
    hint = normalise_language_tag(header(msg, "Content-Language"))
    language = detect_language(text) or detect_language(f"{subject}\n{text}") or hint or "en"
    return DecodedMail(
        message_id=header(msg, "Message-ID").strip(),
        subject=subject,
        sender=reply_to or from_address,
        sender_name=from_name,
        from_address=from_address,
        date=header(msg, "Date"),
        in_reply_to=header(msg, "In-Reply-To"),
        references=header(msg, "References"),
        text=text,
        language=language,
        problems=problems,
    )
