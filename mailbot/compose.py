"""One reply in the email's language: greeting, answers with sources, contacts, the
automatic-reply line, the quoted question; threading headers. Phrases: phrases.yml.

Drafts for an adviser get notes and placeholders in [brackets] and no automatic-reply line.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Sequence

import yaml

from mailbot.answer import ANSWERED, PERSONAL, SMALL, Answer
from mailbot.decode import DecodedMail

PHRASES_FILE = Path(__file__).with_name("phrases.yml")
OWN_HEADER_VALUE = "ie-assistant"
_REPLY_PREFIX = re.compile(r"^\s*(re|sv|aw)\s*:", re.IGNORECASE)
_NAME = re.compile(r"^[^\W\d_][^\W\d_'-]+$", re.UNICODE)
MAX_REFERENCES = 10
# The reply quotes the questions it answers, this short: enough to recognise them, too little
# to pass on someone's text (a reply to a forged address must not carry a message for it).
QUOTE_CHARS = 300


@lru_cache(maxsize=1)
def phrases() -> Dict[str, Dict[str, str]]:
    return yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))


def phrase(language: str, key: str, **values: str) -> str:
    table = phrases()
    return (table.get(language) or table["en"])[key].strip().format(**values)


@dataclass
class Reply:
    """Everything needed to build the message again (stored as JSON in the state database)."""
    to: str
    mail_from: str
    subject: str
    body: str
    language: str
    message_id: str
    in_reply_to: str
    references: str
    automatic: bool  # True: sent by the worker; False: a draft for an adviser

    def as_dict(self) -> dict:
        return asdict(self)


def reply_subject(subject: str) -> str:
    subject = subject.strip() or "MSc Industrial Ecology"
    return subject if _REPLY_PREFIX.match(subject) else f"Re: {subject}"


def first_name(display_name: str) -> str:
    """'Kari Nordmann' -> 'Kari'; nothing for addresses, single words or organisations."""
    words = display_name.replace(",", " ").split()
    if not 2 <= len(words) <= 4 or not all(_NAME.match(w) and w[0].isupper() for w in words):
        return ""
    return words[0] if "," not in display_name else words[-1]


def references(mail: DecodedMail) -> str:
    ids = mail.references.split() + ([mail.message_id] if mail.message_id else [])
    return " ".join(dict.fromkeys(ids[-MAX_REFERENCES:]))


def domain_of(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2] or "localhost"


def draft_message_id(original_id: str, domain: str) -> str:
    digest = hashlib.sha256(original_id.encode("utf-8")).hexdigest()[:24]
    return f"<draft-{digest}@{domain}>"


def short_quote(questions: Sequence[str], limit: int = QUOTE_CHARS) -> str:
    """The questions, one a line, cut at a word before `limit` characters ("…" marks a cut)."""
    text = "\n".join(q.strip() for q in questions if q.strip())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def _answer_block(answer: Answer, language: str, draft: bool, several: bool) -> List[str]:
    lines = [phrase(language, "question", question=answer.question)] if several or draft else []
    if answer.status == ANSWERED:
        return lines + [answer.text or ""]
    if not draft:
        return []
    lines.append(phrase(language, "placeholder_personal" if answer.status == PERSONAL else "placeholder"))
    if answer.text:  # the assistant's best guess, for the adviser to check
        lines += [phrase(language, "suggestion", confidence=f"{answer.confidence:.2f}"), answer.text]
    return lines


def compose(mail: DecodedMail, answers: Sequence[Answer], mail_from: str, draft: bool,
            notes: Sequence[str] = (), reasons: str = "", key: str = "") -> Reply:
    """`key`: the worker's id of the original (its Message-ID, or a substitute when it has none);
    a draft's Message-ID is derived from it, so a retried draft is recognised in Drafts."""
    lang = mail.language if mail.language in ("en", "nb") else "en"
    shown = [a for a in answers if a.status != SMALL]
    several = len(shown) > 1
    paragraphs: List[str] = []
    if draft:
        lines = [phrase(lang, "draft_note")] + [phrase(lang, n) for n in notes]
        if reasons:
            lines.append(phrase(lang, "note_reasons", reasons=reasons))
        paragraphs.append("\n".join(lines))
    name = first_name(mail.sender_name)
    paragraphs.append(phrase(lang, "greeting_name", name=name) if name else phrase(lang, "greeting"))
    paragraphs.append(phrase(lang, "intro_many" if several else "intro_one"))
    for answer in shown:
        block = _answer_block(answer, lang, draft, several)
        if block:
            paragraphs.append("\n".join(block))
    if draft and not shown:  # e.g. a message too large to read: the adviser writes it all
        paragraphs.append(phrase(lang, "placeholder"))
    if any(a.is_fee or a.status == PERSONAL for a in shown):
        paragraphs.append(phrase(lang, "fee_contact"))
    paragraphs.append(phrase(lang, "contact"))
    paragraphs.append(phrase(lang, "closing"))
    if not draft:
        paragraphs.append(phrase(lang, "automatic"))
    # Only the questions, short: never the rest of the text, the signature or earlier mail.
    quote = short_quote([a.question for a in shown])
    if quote:
        quoted = "\n".join("> " + line if line else ">" for line in quote.split("\n"))
        sender = mail.sender_name or mail.from_address
        paragraphs.append(phrase(lang, "quote_header", date=mail.date[:100], sender=sender[:100]) + "\n" + quoted)
    domain = domain_of(mail_from)
    original = key or mail.message_id or f"{mail.from_address} {mail.date} {mail.subject}"
    message_id = draft_message_id(original, domain) if draft else make_msgid(domain=domain)
    return Reply(
        to=mail.sender, mail_from=mail_from, subject=reply_subject(mail.subject),
        body="\n\n".join(paragraphs) + "\n", language=lang, message_id=message_id,
        in_reply_to=mail.message_id, references=references(mail), automatic=not draft,
    )


def to_message(reply: Reply) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = reply.mail_from
    msg["To"] = reply.to
    msg["Subject"] = reply.subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = reply.message_id
    if reply.in_reply_to:
        msg["In-Reply-To"] = reply.in_reply_to
    if reply.references:
        msg["References"] = reply.references
    msg["Content-Language"] = "nb" if reply.language == "nb" else "en"
    if reply.automatic:
        # RFC 3834: other robots must not answer this message (no loops).
        msg["Auto-Submitted"] = "auto-replied"
        msg["X-Auto-Response-Suppress"] = "All"
        msg["X-Mailbot"] = OWN_HEADER_VALUE
    msg.set_content(reply.body, charset="utf-8")
    return msg
