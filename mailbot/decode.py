"""One incoming email -> clean text, sender, threading data and language.

Uses the standard `email` package only: MIME multipart, RFC 2047 headers, any charset
(with UTF-8 / Windows-1252 fallbacks for wrong or unknown ones), HTML-only mail turned into
text, quoted earlier messages and signatures removed. Never raises on malformed mail:
what could not be read is listed in `problems`.

Bounded work on hostile mail: every header value is cut at MAX_HEADER_CHARS before the
`email` package parses it (its RFC 2047 and parameter parsers are quadratic on long values),
a body part at MAX_PART_CHARS, and the text handed on at MAX_TEXT_CHARS; every pattern here
and in patterns.yml runs in time linear in its input (tests/mail/test_mail_hostile.py).
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
from language.input_check import normalise_text

PATTERNS_FILE = Path(__file__).with_name("patterns.yml")
# A header longer than this is cut (RFC 5322 lines are at most 998 characters; a folded
# References or Received header can be longer, none that we read needs more).
MAX_HEADER_CHARS = 8000
# A text or HTML part is cut at this many characters before it is turned into text.
MAX_PART_CHARS = 200_000
# The text handed to language detection, the question splitter and the assistant.
MAX_TEXT_CHARS = 20_000


@lru_cache(maxsize=1)
def patterns() -> dict:
    return yaml.safe_load(PATTERNS_FILE.read_text(encoding="utf-8"))


def _regex(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE)


@dataclass
class DecodedMail:
    message_id: str
    subject: str
    sender: str  # address a reply goes to: From, or Reply-To when it is in From's domain
    sender_name: str
    from_address: str
    date: str
    in_reply_to: str
    references: str
    text: str  # the new text only: no quotes, no signature
    language: str  # "en" or "nb"
    problems: List[str] = field(default_factory=list)
    reply_to: str = ""  # the Reply-To address as written, even in another domain (then unused)
    from_count: int = 1  # addresses in From (several: no single domain to check)


def domain(addr: str) -> str:
    """'Kari@Example.COM' -> 'example.com' ('' without an "@")."""
    local, at, host = addr.rpartition("@")
    return host.strip().strip(".").lower() if at and local else ""


def bound_headers(msg: Message) -> Message:
    """Cut every header of the message and its parts at MAX_HEADER_CHARS (in place)."""
    try:
        parts = list(msg.walk())
    except RecursionError:
        parts = [msg]
    for part in parts:
        items = list(part.raw_items())
        if not any(isinstance(v, str) and len(v) > MAX_HEADER_CHARS for _, v in items):
            continue
        for name in {k for k, _ in items}:
            del part[name]
        for name, value in items:  # same order, same duplicates
            try:
                part[name] = value[:MAX_HEADER_CHARS] if isinstance(value, str) else value
            except Exception:  # a policy that validates headers refused it: leave it out
                continue
    return msg


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
    return None if value is None else _unsurrogate(str(value)[:MAX_HEADER_CHARS])


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
    value = raw_header(msg, name)
    found = _addresses([value] if value is not None else [], problems, name)
    return found[0] if found else ("", "")


def addresses(msg: Message, name: str, problems: Optional[List[str]] = None) -> List[Tuple[str, str]]:
    """Every (display name, address) with an "@" in every header called `name`."""
    values = [_unsurrogate(str(v)[:MAX_HEADER_CHARS]) for k, v in msg.raw_items() if k.lower() == name.lower()]
    return _addresses(values, problems, name)


def _addresses(values: List[str], problems: Optional[List[str]], name: str) -> List[Tuple[str, str]]:
    try:
        found = getaddresses(values)
    except Exception:  # the email package's parser on hostile input: treat as no address
        if problems is not None:
            problems.append(f"unreadable {name}")
        return []
    return [(decode_words(n, problems, name).strip('"'), a.strip()) for n, a in found if "@" in a]


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


def tame_html(html: str) -> str:
    """The HTML with comments and <!...> / <?...> declarations removed, and every "<" that
    has no ">" before the next "<" escaped as text, in one pass. Python 3.10's html.parser
    rescans to the end for each unclosed construct: "<a<a<a..." (1 MB) took minutes."""
    out: List[str] = []
    i, n = 0, len(html)
    close = -1  # the next ">" at or after the current "<"; n: there is none
    while i < n:
        j = html.find("<", i)
        if j < 0:
            out.append(html[i:])
            break
        out.append(html[i:j])
        if html.startswith("<!--", j):
            end = html.find("-->", j + 4)
            i = n if end < 0 else end + 3
            continue
        if close < j + 1:
            found = html.find(">", j + 1)
            close = n if found < 0 else found
        if html.startswith(("<!", "<?"), j):
            i = close + 1
            continue
        following = html.find("<", j + 1, close)
        if close == n or following >= 0:
            out.append("&lt;")
            i = j + 1
        else:
            out.append(html[j:close + 1])
            i = close + 1
    return "".join(out)


def html_to_text(html: str) -> str:
    parser = _HtmlText()
    html = tame_html(html)
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        # [^<>]: each attempt stops at the next "<", so "<<<<..." stays linear.
        return re.sub(r"<[^<>]*>", " ", html)
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def body_text(msg: Message, problems: List[str]) -> str:
    """The first text/plain part that is not an attachment, else the first text/html part."""
    try:
        return _body_text(msg, problems)
    except RecursionError:  # MIME parts nested thousands deep
        problems.append("too deeply nested")
        return ""


def _body_text(msg: Message, problems: List[str]) -> str:
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
            charset = part.get_content_charset()
            text, ok = decode_bytes(payload[:4 * MAX_PART_CHARS], charset)
            if not ok:
                problems.append("wrong or unknown charset")
            # Never more characters than bytes: what is handed on is never longer than the mail.
            found[kind] = text[:min(MAX_PART_CHARS, len(payload))].replace("\r\n", "\n").replace("\r", "\n")
    if found["text/plain"] and found["text/plain"].strip():
        return found["text/plain"]
    if found["text/html"]:
        return html_to_text(found["text/html"])[:len(found["text/html"])]
    if found["text/plain"] is None:
        problems.append("no readable text part")
    return ""


def strip_quotes_and_signature(text: str) -> str:
    p = patterns()
    quote_starts = [_regex(q) for q in p["quote_starts"]]
    outlook_from, outlook_second = _regex(p["quote_outlook_from"]), _regex(p["quote_outlook_second"])
    signature = [_regex(s) for s in p["signature_starts"]]
    lines = [line.rstrip() for line in text.split("\n")]
    stripped_lines = [line.strip() for line in lines]
    # The next non-empty line after each line, found in one pass from the end (a scan
    # forward from every line would be quadratic on 100,000 empty lines).
    following_lines = [""] * len(lines)
    following = ""
    for i in range(len(lines) - 1, -1, -1):
        following_lines[i] = following
        if stripped_lines[i]:
            following = stripped_lines[i]
    kept: List[str] = []
    has_content = False
    for i, line in enumerate(lines):
        stripped = stripped_lines[i]
        if stripped.startswith(">"):
            continue
        joined = f"{stripped} {stripped_lines[i + 1]}" if i + 1 < len(lines) else stripped
        if any(q.search(stripped) or q.search(joined) for q in quote_starts):
            break
        if outlook_from.search(stripped) and outlook_second.search(following_lines[i]):
            break
        if has_content and any(s.search(stripped) for s in signature):
            break
        kept.append(line)
        has_content = has_content or bool(stripped)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def parse(raw: bytes) -> Message:
    return bound_headers(email.message_from_bytes(raw))


def clean_text(body: str) -> str:
    """The body's new text, normalised (NFKC, no invisible or bidi controls), at most
    MAX_TEXT_CHARS and never longer than `body`."""
    text = strip_quotes_and_signature(body[:MAX_TEXT_CHARS])
    cleaned = normalise_text(text)  # NFKC can lengthen ("ﷺ" is 18 letters): cut again
    return cleaned[:min(MAX_TEXT_CHARS, len(text))].strip()


def reply_address(from_address: str, reply_to: str) -> str:
    """Where a reply may go: Reply-To only when it is in From's domain (else anyone could
    make the programme's address mail a third party), otherwise From."""
    if reply_to and domain(reply_to) and domain(reply_to) == domain(from_address):
        return reply_to
    return from_address


def decode(msg: Message) -> DecodedMail:
    problems: List[str] = []
    bound_headers(msg)
    senders = addresses(msg, "From", problems)
    from_name, from_address = senders[0] if senders else ("", "")
    reply_to = address(msg, "Reply-To")[1]
    if not from_address:
        problems.append("no sender address")
    text = clean_text(body_text(msg, problems))
    subject = header(msg, "Subject", problems)
    hint = normalise_language_tag(header(msg, "Content-Language"))
    language = detect_language(text) or detect_language(f"{subject[:500]}\n{text}") or hint or "en"
    return DecodedMail(
        message_id=header(msg, "Message-ID").strip(),
        subject=subject,
        reply_to=reply_to,
        from_count=len(senders),
        sender=reply_address(from_address, reply_to),
        sender_name=from_name,
        from_address=from_address,
        date=header(msg, "Date"),
        in_reply_to=header(msg, "In-Reply-To"),
        references=header(msg, "References"),
        text=text,
        language=language,
        problems=problems,
    )
