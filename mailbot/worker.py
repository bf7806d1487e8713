"""The mail worker: read the inbox, answer what it is sure of, draft the rest, skip robots.

Crash safety (see state.py): a message's state is committed before every side effect.
  send:  sending (reply stored) -> SMTP -> sent -> copy to Sent, flag \\Answered -> answered
  draft: drafting (draft stored) -> APPEND to Drafts -> flag \\Flagged -> drafted
On start, unfinished messages are completed first. `sent`/`drafting` steps are idempotent
(the Sent/Drafts folder is searched for the reply's Message-ID before appending). A message
left in `sending` may or may not have gone out: if its reply is in the Sent folder it is
finished as answered, otherwise it is never resent blindly; the reply becomes a draft with a
note and the original is flagged for an adviser (at most once, never lost). Originals are never
deleted, moved, expunged or marked read (see transport.py).

Who gets an automatic reply: the From address (Reply-To only in From's domain), only when
MAIL_AUTHSERV_ID's DMARC verdict passes (sender_auth.py), at most MAIL_MAX_REPLIES_PER_SENDER
per address a day and MAIL_MAX_REPLIES_PER_HOUR in all; everything else becomes a draft.
Logs name a message by a hash of its Message-ID and say what was decided (intents, states,
counts), never who wrote, the subject or any of the text.
"""
from __future__ import annotations

import fcntl
import hashlib
import imaplib
import logging
import re
import time
from dataclasses import dataclass, fields
from email.utils import parseaddr
from typing import List, Optional, Tuple

from mailbot import compose as c
from mailbot import state as st
from mailbot.answer import (ANSWERED, SMALL, AssistantError, AssistantUnavailable, Parse, RasaParser,
                            answer_questions)
from mailbot.config import Config
from mailbot.decode import DecodedMail, decode, domain
from mailbot.loop_guard import skip_reason
from mailbot.personal import personal_reason
from mailbot.sender_auth import dmarc_verdict
from mailbot.split import max_questions, split_questions
from mailbot.transport import Mailbox, Smtp, SmtpNotSent, SmtpUnavailable, open_mailbox

log = logging.getLogger("mailbot")
DAY = 24 * 3600
HOUR = 3600
UNAVAILABLE = (AssistantUnavailable, SmtpUnavailable)


def is_connection_error(error: BaseException) -> bool:
    """The IMAP connection broke (not this message's fault): stop the run, the state says where we were."""
    return isinstance(error, (OSError, EOFError, imaplib.IMAP4.abort))


@dataclass
class Summary:
    answered: int = 0
    drafted: int = 0
    skipped: int = 0
    failed: int = 0
    deferred: int = 0  # transient failure, tried again next poll

    def __str__(self) -> str:
        return ", ".join(f"{f.name} {getattr(self, f.name)}" for f in fields(self))

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def short_id(key: str) -> str:
    """How logs name a message: a Message-ID can contain an address, its hash cannot."""
    return "id=" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]


def redact(text: object) -> str:
    """An error message for the log: short, and every word with an "@" replaced (an SMTP
    refusal names the recipient)."""
    return " ".join("<address>" if "@" in word else word for word in str(text)[:500].split())


def message_key(obj, uid: str, uidvalidity: int) -> str:
    found = re.search(r"<[^<>\s]+>", str(obj.get("Message-ID") or ""))
    if found:
        return found.group(0)
    return f"<no-id-{uidvalidity}-{uid}@mailbot.invalid>"


class Worker:
    def __init__(self, config: Config, parse: Optional[Parse] = None) -> None:
        self.config = config
        self.parse = parse or RasaParser(config.rasa_url, config.rasa_token, config.timeout)
        self.state = st.State(config.state_db)
        self.dry_run = config.mode == "dry-run"
        self.own = {a.lower() for a in (parseaddr(config.mail_from)[1], config.user) if a}
        self.smtp = Smtp(config)
        self.box: Optional[Mailbox] = None
        self.summary = Summary()
        self.stopping = False
        if not config.authserv_id:
            log.warning("sender authentication is off (MAIL_AUTHSERV_ID is not set): replies go to the From "
                        "address without a DMARC check (a Reply-To in another domain is still never used)")

    def _uid_of(self, key: str) -> Optional[str]:
        uid = self.state.uid_for(key, self.config.inbox, self.box.uidvalidity)
        if uid is None and not key.endswith("@mailbot.invalid>"):
            found = self.box.uids_with_message_id(key)
            uid = found[0] if found else None
        return uid

    # -- the two ways out -------------------------------------------------------------------------
    def _finish_sent(self, key: str, uid: Optional[str], reply: c.Reply) -> None:
        if self.config.save_sent:
            self.box.append_once(self.config.sent, c.to_message(reply), ["\\Seen"])
        self.box.flag(uid, "\\Answered")
        self.state.set(key, st.ANSWERED)

    def _finish_draft(self, key: str, uid: Optional[str], reply: c.Reply) -> None:
        self.box.append_once(self.config.drafts, c.to_message(reply), ["\\Draft"])
        self.box.flag(uid, "\\Flagged")
        self.state.set(key, st.DRAFTED)

    def _draft(self, key: str, uid: Optional[str], reply: c.Reply, detail: str, **fields: str) -> None:
        self.state.set(key, st.DRAFTING, reply=reply.as_dict(), detail=detail, **fields)
        self._finish_draft(key, uid, reply)

    def _defer(self, key: str, error: Exception, **fields: str) -> None:
        """Try again at the next poll. A server being down does not count as an attempt; this
        message's own failures (SMTP refused it, the assistant failed on it) give up after
        max_attempts, so one bad message never blocks the queue."""
        record = self.state.get(key) or {"attempts": 0}
        counts = not isinstance(error, UNAVAILABLE)
        self.state.set(key, st.RETRY, detail=str(error), attempt=counts, **fields)
        if counts and record["attempts"] + 1 >= self.config.max_attempts:
            raise RuntimeError(f"gave up after {self.config.max_attempts} attempts: {error}")

    def _send(self, key: str, uid: Optional[str], reply: c.Reply, detail: str, **fields: str) -> bool:
        self.state.set(key, st.SENDING, reply=reply.as_dict(), detail=detail, **fields)
        try:
            self.smtp.send(c.to_message(reply))
        except SmtpNotSent as error:
            self._defer(key, error)
            if isinstance(error, SmtpUnavailable):
                raise
            return False
        except Exception as error:  # unknown whether it went out: never a blind resend
            log.warning("%s: SMTP failed mid-way (%s)", short_id(key), redact(error))
            self._recover(self.state.get(key))
            return True
        self.state.set(key, st.SENT)
        self._finish_sent(key, uid, reply)
        return True

    def _recover(self, record: dict) -> str:
        key, reply = record["message_id"], c.Reply(**record["reply"])
        uid = self._uid_of(key)
        if record["state"] == st.SENDING:
            if self.box.found_in(self.config.sent, reply.message_id):
                self.state.set(key, st.SENT)
            else:
                note = c.phrase(reply.language, "note_interrupted")
                draft = c.Reply(**{**reply.as_dict(), "automatic": False, "body": f"{note}\n\n{reply.body}",
                                   "message_id": c.draft_message_id(key, c.domain_of(reply.mail_from))})
                log.warning("%s: interrupted while sending; not resent, drafted for an adviser", short_id(key))
                self._draft(key, uid, draft, "interrupted while sending: " + record["detail"])
                return "drafted"
        current = self.state.get(key)
        if current["state"] == st.SENT:
            self._finish_sent(key, uid, reply)
            return "answered"
        self._finish_draft(key, uid, c.Reply(**current["reply"]))
        return "drafted"

    # -- one message ------------------------------------------------------------------------------
    def _sender_checks(self, obj, mail: DecodedMail) -> Tuple[List[str], List[str]]:
        """Reasons (free of the message's text) and draft notes why this sender gets no
        automatic reply: a Reply-To elsewhere, several From addresses, no DMARC pass."""
        why: List[str] = []
        notes: List[str] = []
        if mail.from_count > 1:
            why.append("several From addresses")
            notes.append("note_several_senders")
        if mail.reply_to and mail.reply_to.lower() != mail.sender.lower():
            why.append("Reply-To in another domain")
            notes.append("note_reply_to")
        if self.config.authserv_id:
            verified, verdict = dmarc_verdict(obj, domain(mail.from_address), self.config.authserv_id)
            if not verified:
                why.append(f"sender not verified ({verdict})")
                notes.append("note_unverified")
        return why, notes

    def _log(self, outcome: str, key: str, mail: DecodedMail, codes: List[str], why: List[str]) -> None:
        log.info("%s%s %s lang=%s %s%s", "[dry-run] " if self.dry_run else "", outcome, short_id(key),
                 mail.language, " ".join(codes) or "-", f" | draft: {'; '.join(why)}" if why else "")

    def _process(self, key: str, uid: str, obj, too_large: bool = False) -> str:
        cfg = self.config
        mail: DecodedMail = decode(obj)
        reason = skip_reason(obj, self.own)
        if reason or mail.sender.lower() in self.own:
            return self._skip(key, mail, reason or "reply address is our own")
        if not mail.sender:
            raise ValueError("malformed: no sender address")
        fields_ = dict(sender=mail.from_address, recipient=mail.sender, subject=mail.subject[:200],
                       language=mail.language)
        checks, check_notes = self._sender_checks(obj, mail)
        if too_large:
            why = ["too large to read automatically", *checks]
            reply = c.compose(mail, [], cfg.mail_from, draft=True, notes=["note_too_large", *check_notes],
                              reasons="; ".join(why), key=key)
            if not self.dry_run:
                self._draft(key, uid, reply, "; ".join(why), **fields_)
            self._log("drafted", key, mail, [], why)
            return "drafted"
        questions = split_questions(mail.text, mail.language, mail.subject)
        if not questions:
            if mail.problems:
                raise ValueError("malformed: " + "; ".join(mail.problems))
            return self._skip(key, mail, "no question found")
        try:
            answers = answer_questions(questions[:max_questions()], mail.language, self.parse, cfg.threshold)
            # The whole text too: "I am American." before the question makes it personal.
            whole = mail.text[:2000] if mail.text and mail.text.strip() not in questions else ""
            entities = (self.parse(whole).get("entities") or []) if whole else []
        except (AssistantUnavailable, AssistantError) as error:
            if not self.dry_run:
                self._defer(key, error, **fields_)
            if isinstance(error, AssistantUnavailable):
                raise
            log.warning("deferred %s: %s", short_id(key), redact(error))
            return "deferred"
        real = [a for a in answers if a.status != SMALL]
        if not real:
            return self._skip(key, mail, "small talk only")
        # `why` goes into the draft and the state database and may quote the mail;
        # `codes` is its text-free twin for the log.
        why = [f"{a.question[:50]!r}: {a.describe()}" for a in real if a.status != ANSWERED]
        codes = [a.code() for a in real if a.status != ANSWERED]
        notes: List[str] = []

        def because(reason: str, note: Optional[str] = None, detail: Optional[str] = None) -> None:
            why.append(detail or reason)
            codes.append(reason)
            if note:
                notes.append(note)

        personal = personal_reason(mail.text, entities)
        if personal:
            because("personal", detail=f"personal ({personal})")
        if self.state.answers_automatic_reply([mail.in_reply_to, *mail.references.split()]):
            because("follow-up to an automatic reply", "note_follow_up")
        if len(questions) > max_questions():
            because(f"{len(questions)} questions", "note_too_many")
        for check, note in zip(checks, check_notes):
            because(check, note)
        if self.state.automatic_replies_since(mail.sender, DAY) >= cfg.max_replies_per_sender:
            because("sender rate limit", "note_rate_limit")
        if self.state.automatic_replies_since(None, HOUR) >= cfg.max_replies_per_hour:
            because("hourly limit", "note_hourly_limit")
        if cfg.mode == "draft":
            because("MAIL_MODE=draft")
        done = " ".join(a.describe() for a in real)
        if why:
            reply = c.compose(mail, answers, cfg.mail_from, draft=True, notes=notes,
                              reasons="; ".join(why), key=key)
            outcome = "drafted"
            if not self.dry_run:
                self._draft(key, uid, reply, "; ".join(why), **fields_)
        else:
            reply = c.compose(mail, answers, cfg.mail_from, draft=False)
            outcome = "answered"
            if not self.dry_run:
                if not self._send(key, uid, reply, done, **fields_):
                    return "deferred"
                outcome = "answered" if self.state.get(key)["state"] == st.ANSWERED else "drafted"
        self._log(outcome, key, mail, [a.code() for a in real], codes)
        return outcome

    def _skip(self, key: str, mail: DecodedMail, reason: str) -> str:
        # The reasons are fixed phrases (loop_guard.py names headers, never their values).
        log.info("%sskipped %s: %s", "[dry-run] " if self.dry_run else "", short_id(key), reason)
        if not self.dry_run:
            self.state.set(key, st.SKIPPED, detail=reason, sender=mail.from_address, subject=mail.subject[:200])
        return "skipped"

    def _fail(self, key: str, uid: Optional[str], error: Exception) -> None:
        """Final: kept in the inbox, flagged, reported; never tried again (no double reply)."""
        log.error("failed %s (UID %s), kept in the inbox and flagged for an adviser: %s", short_id(key), uid,
                  redact(error))
        if not self.dry_run:
            record = self.state.get(key)
            was = f" (while {record['state']})" if record and record["state"] in st.IN_PROGRESS else ""
            self.state.set(key, st.FAILED, detail=f"{type(error).__name__}: {error}{was}")
            try:
                self.box.flag(uid, "\\Flagged")
            except Exception as flag_error:  # the failure is recorded; flagging is a courtesy
                log.error("could not flag UID %s: %s", uid, redact(flag_error))

    # -- the run ----------------------------------------------------------------------------------
    def run_once(self) -> Summary:
        self.config.require_mailbox()
        summary = self.summary = Summary()
        lock = open(f"{self.config.state_db}.lock", "w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(f"another worker is using {self.config.state_db}")
        try:
            with open_mailbox(self.config) as mb:
                self.box = box = Mailbox(mb, self.config.inbox)
                if not self.dry_run:
                    box.ensure_folders(self.config.drafts, self.config.sent)
                    for record in self.state.in_progress():
                        try:
                            outcome = self._recover(record)
                            log.info("recovered %s: %s", short_id(record["message_id"]), outcome)
                        except Exception as error:
                            if is_connection_error(error):
                                raise
                            self._fail(record["message_id"], self.state.uid_for(
                                record["message_id"], self.config.inbox, box.uidvalidity), error)
                            outcome = "failed"
                        summary.add(outcome)
                done = self.state.finished_uids(self.config.inbox, box.uidvalidity)
                for msg in box.new_messages(self.config.since, done, self.config.max_bytes):
                    if self.stopping:
                        break
                    self._handle(msg, summary)
        finally:
            self.smtp.close()
            self.box = None
            lock.close()
        return summary

    def _handle(self, msg, summary: Summary) -> None:
        uid = msg.uid
        key = message_key(msg.obj, uid, self.box.uidvalidity)
        record = self.state.get(key)
        if not self.dry_run:
            self.state.remember_uid(self.config.inbox, self.box.uidvalidity, uid, key)
        if record and record["state"] not in (st.RETRY,):
            log.info("already handled %s (UID %s): %s", short_id(key), uid, record["state"])
            return
        if record is None and self.state.is_forgotten(key):
            log.info("already handled %s (UID %s): record removed", short_id(key), uid)
            return
        try:
            outcome = self._process(key, uid, msg.obj, too_large=getattr(msg, "too_large", False))
        except UNAVAILABLE:
            summary.deferred += 1
            raise  # the assistant or the SMTP server is down: stop this run, retry at the next poll
        except Exception as error:
            if is_connection_error(error):
                raise  # IMAP broke mid-way: the next run's recovery finishes this message
            self._fail(key, uid, error)  # this message's own problem: final, never a second reply
            outcome = "failed"
        summary.add(outcome)

    def loop(self) -> None:
        while not self.stopping:
            try:
                summary = self.run_once()
                log.log(logging.INFO if any(vars(summary).values()) else logging.DEBUG, "poll done: %s", summary)
            except Exception as error:  # a server down: log it and try again at the next poll
                log.error("poll failed: %s", redact(error))
            deadline = time.monotonic() + self.config.poll_seconds
            while not self.stopping and time.monotonic() < deadline:
                time.sleep(0.5)
