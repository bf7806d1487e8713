"""Who gets an automatic reply: DMARC verdict of our own server (Authentication-Results),
Reply-To only in From's domain, per-address and hourly limits, a short quote, a size limit,
and logs without personal data. Real Dovecot and SMTP; the assistant is a stub."""
from __future__ import annotations

import email
import imaplib
import re
import logging
from email import policy

import pytest

from mailbot.compose import QUOTE_CHARS, compose, phrase, short_quote
from mailbot.answer import classify
from mailbot.decode import decode, parse
from mailbot.sender_auth import dmarc_verdict, parse_authentication_results
from mailbot.split import split_questions
from mailbot.worker import Worker
from mailtest import BOT, deliver, folder, make_mail
from test_mail_safety import run, stub_parse

pytestmark = pytest.mark.timeout(300)
OURS = "mx.ntnu.example"
PASS = f"{OURS}; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com; dmarc=pass (p=reject) header.from=example.com"


def received(by: str = OURS) -> str:
    return f"from mail.example.com by {by}; Mon, 3 Nov 2025 10:00:00 +0100"


def authenticated(body: str, *results: str, sender: str = "Kari Nordmann <kari@example.com>", extra: str = "",
                  **headers) -> bytes:
    """A message as our server stores it: its Authentication-Results and Received on top."""
    top = "".join(f"Authentication-Results: {r}\r\n" for r in results)
    return (top + f"Received: {received()}\r\n" + extra).encode() + make_mail(body, sender=sender, **headers)


def sent(smtp):
    return [email.message_from_bytes(m["data"].replace(b"\r\n", b"\n"), policy=policy.default)
            for m in smtp[1].messages]


def draft_text(config) -> str:
    [(_, draft)] = folder(config, "Drafts")
    return draft.text.replace("\r\n", "\n")


QUESTION = "Is there a maths requirement?"


# -- the Authentication-Results parser ------------------------------------------------------------
def test_parser_reads_methods_properties_comments_and_quotes():
    parsed = parse_authentication_results(
        f'{OURS} 1; dkim=pass (good (nested) signature) header.d=example.com; '
        'dmarc = pass reason="a; b=c" header.from=Example.COM; spf=none')
    assert parsed.authserv_id == OURS
    assert [(r.method, r.result) for r in parsed.results] == [("dkim", "pass"), ("dmarc", "pass"), ("spf", "none")]
    assert parsed.results[1].properties == {"reason": "a; b=c", "header.from": "Example.COM"}
    assert parse_authentication_results(f"{OURS}; none").results == []
    assert parse_authentication_results("") is None and parse_authentication_results("(only a comment)") is None


@pytest.mark.parametrize("results,extra,verified,why", [
    ([PASS], "", True, "dmarc=pass"),
    ([], "", False, "no Authentication-Results"),
    ([PASS.replace("dmarc=pass", "dmarc=fail")], "", False, "dmarc=fail"),
    ([PASS.replace(OURS, "mx.evil.example")], "", False, "no Authentication-Results"),
    ([PASS.replace("header.from=example.com", "header.from=evil.example")], "", False, "another domain"),
    ([f"{OURS}; spf=pass smtp.mailfrom=example.com"], "", False, "no dmarc result"),
    # our server's verdict on top, the sender's forgery lower down: the forgery does not count
    ([f"{OURS}; dmarc=fail header.from=example.com"], f"Authentication-Results: {PASS}\r\n", False, "dmarc=fail"),
    ([f"{OURS}; spf=pass smtp.mailfrom=example.com"], f"Authentication-Results: {PASS}\r\n", False, "no dmarc"),
    # one header per filter, next to each other: all of them are ours
    ([f"{OURS}; spf=pass smtp.mailfrom=example.com", f"{OURS}; dmarc=pass header.from=example.com"], "", True, ""),
    # an internal relay's header above ours is passed over
    (["relay.internal.example; spam=clean", PASS], "", True, ""),
])
def test_dmarc_verdict(results, extra, verified, why):
    msg = parse(authenticated(QUESTION, *results, extra=extra))
    ok, reason = dmarc_verdict(msg, "example.com", OURS)
    assert ok is verified and why in reason


def test_a_forgery_below_our_servers_header_does_not_count():
    """Our server's header on top, then its Received, then the sender's forged header."""
    msg = parse(f"Authentication-Results: {OURS}; none\r\nReceived: {received()}\r\n".encode()
                + f"Authentication-Results: {PASS}\r\n".encode() + make_mail(QUESTION))
    assert dmarc_verdict(msg, "example.com", OURS) == (False, "no dmarc result")


# -- end to end ---------------------------------------------------------------------------------
@pytest.fixture
def checked(mail_config):
    mail_config.authserv_id = OURS
    return mail_config


def test_a_passing_dmarc_verdict_gets_a_reply_to_from(checked, smtp):
    deliver(checked, authenticated(QUESTION, PASS))
    assert run(checked) == (1, 0, 0, 0)
    assert smtp[1].messages[0]["to"] == ["kari@example.com"]


def test_reply_to_in_the_same_domain_is_used(checked, smtp):
    deliver(checked, authenticated(QUESTION, PASS, Reply_To="Kari <kari.nordmann@example.com>"))
    assert run(checked) == (1, 0, 0, 0)
    assert smtp[1].messages[0]["to"] == ["kari.nordmann@example.com"]


@pytest.mark.parametrize("message", [
    pytest.param(lambda: authenticated(QUESTION), id="no Authentication-Results"),
    pytest.param(lambda: authenticated(QUESTION, PASS.replace("dmarc=pass", "dmarc=fail")), id="dmarc=fail"),
    pytest.param(lambda: authenticated(QUESTION, PASS.replace(OURS, "mx.evil.example")), id="another authserv-id"),
    pytest.param(lambda: authenticated(QUESTION, f"{OURS}; dmarc=none header.from=example.com",
                                       extra=f"Authentication-Results: {PASS}\r\n"), id="forged lower header"),
    pytest.param(lambda: authenticated(QUESTION, PASS.replace("header.from=example.com", "header.from=evil.example")),
                 id="pass for another domain"),
])
def test_an_unverified_sender_gets_a_draft_and_no_mail(checked, smtp, message):
    deliver(checked, message())
    assert run(checked) == (0, 1, 0, 0)
    assert smtp[1].messages == []
    assert phrase("en", "note_unverified") in draft_text(checked)


@pytest.mark.parametrize("authserv_id", ["", OURS])
def test_a_reply_to_in_another_domain_gets_a_draft_to_from_and_no_mail(mail_config, smtp, authserv_id):
    mail_config.authserv_id = authserv_id
    deliver(mail_config, authenticated(QUESTION, PASS, Reply_To="victim@elsewhere.example"))
    assert run(mail_config) == (0, 1, 0, 0)
    assert smtp[1].messages == []
    [(_, draft)] = folder(mail_config, "Drafts")
    assert draft.to == ("kari@example.com",)
    assert phrase("en", "note_reply_to") in draft.text.replace("\r\n", "\n")


def test_several_from_addresses_get_a_draft(mail_config, smtp):
    deliver(mail_config, make_mail(QUESTION, sender="kari@example.com, ola@example.com"))
    assert run(mail_config) == (0, 1, 0, 0) and smtp[1].messages == []


def test_without_authserv_id_the_worker_warns_once_and_replies_to_from(mail_config, smtp, caplog):
    caplog.set_level(logging.INFO, logger="mailbot")
    deliver(mail_config, make_mail(QUESTION), make_mail(QUESTION + " (2)", sender="ola@example.com"))
    assert run(mail_config) == (2, 0, 0, 0)
    warnings = [r for r in caplog.records if "sender authentication is off" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    mail_config.authserv_id = OURS
    caplog.clear()
    Worker(mail_config, parse=stub_parse).state.close()
    assert not [r for r in caplog.records if "sender authentication" in r.getMessage()]


# -- limits ---------------------------------------------------------------------------------------
def test_hourly_limit_turns_further_replies_into_drafts(mail_config, smtp):
    mail_config.max_replies_per_hour = 2
    deliver(mail_config, *[make_mail(QUESTION, sender=f"student{i}@example.com") for i in range(4)])
    assert run(mail_config) == (2, 2, 0, 0)
    assert len(smtp[1].messages) == 2
    drafts = [d.text for _, d in folder(mail_config, "Drafts")]
    assert all(phrase("en", "note_hourly_limit") in d.replace("\r\n", "\n") for d in drafts)


def test_the_per_address_limit_counts_the_address_written_to(mail_config, smtp):
    """Two From addresses of one domain, one of them asking for replies to the other."""
    deliver(mail_config, make_mail(QUESTION, sender="kari@example.com"),
            make_mail(QUESTION + " (2)", sender="kari@example.com"),
            make_mail(QUESTION + " (3)", sender="ola@example.com", Reply_To="kari@example.com"),
            make_mail(QUESTION + " (4)", sender="per@example.com", Reply_To="kari@example.com"))
    assert run(mail_config) == (3, 1, 0, 0)
    assert [m["to"] for m in smtp[1].messages] == [["kari@example.com"]] * 3


# -- the quote --------------------------------------------------------------------------------------
def test_an_automatic_reply_quotes_only_the_question_short():
    body = ("Hello,\n\nI have a bachelor in zoology from Bodø and I like kayaking. Is there a maths requirement "
            + "for the programme, " * 40 + "?\n\nBest regards,\nKari Nordmann\nPhone +47 99 88 77 66\n\n"
            "On Monday Adviser wrote:\n> earlier secret text\n")
    mail = decode(parse(make_mail(body)))
    [question] = split_questions(mail.text, "en")
    answer = classify(question, stub_parse(question), "en", 0.8)
    reply = compose(mail, [answer], "bot@example.org", draft=False).body
    quoted = [line for line in reply.split("\n") if line.startswith(">")]
    assert quoted and quoted[0].startswith("> Is there a maths requirement")
    assert len("\n".join(line[2:] for line in quoted)) <= QUOTE_CHARS
    for private in ("zoology", "kayaking", "Bodø", "99 88 77 66", "earlier secret"):
        assert private not in reply


def test_short_quote_cuts_at_a_word():
    assert short_quote(["Do I need maths?"]) == "Do I need maths?"
    cut = short_quote(["word " * 100])
    assert len(cut) <= QUOTE_CHARS and cut.endswith("word…")


# -- size ---------------------------------------------------------------------------------------------
def test_a_too_large_message_is_never_downloaded_and_becomes_a_draft(mail_config, smtp, monkeypatch):
    big = make_mail(QUESTION + "\n\n" + "Lorem ipsum dolor sit amet. " * 10_000, message_id="<big@example.com>")
    assert len(big) > mail_config.max_bytes == 200_000
    robot_big = make_mail("x " * 150_000, subject="Out of office", Auto_Submitted="auto-replied")
    deliver(mail_config, big, make_mail(QUESTION, sender="ola@example.com"), robot_big)
    commands = []
    original = imaplib.IMAP4.uid

    def recording(self, command, *args):
        commands.append((command.upper(), args))
        return original(self, command, *args)

    monkeypatch.setattr(imaplib.IMAP4, "uid", recording)
    assert run(mail_config) == (1, 1, 1, 0)
    fetches = [" ".join(map(str, args)) for command, args in commands if command == "FETCH"]
    whole = [f for f in fetches if "BODY.PEEK[]" in f]
    assert whole and all(f.split()[0] == "2" for f in whole)  # only the small message, UID 2
    assert [m["to"] for m in smtp[1].messages] == [["ola@example.com"]]
    text = draft_text(mail_config)
    assert phrase("en", "note_too_large") in text and "Lorem" not in text


# -- logs -----------------------------------------------------------------------------------------
def test_logs_at_info_carry_no_address_subject_name_or_text(mail_config, smtp, caplog):
    caplog.set_level(logging.INFO)
    secrets = {"address": "ingrid.secret@example.com", "name": "Ingrid", "surname": "Hemmelig",
               "subject": "Zanzibar", "body": "flamingo", "other": "quokka"}
    sender = f"Ingrid Hemmelig <{secrets['address']}>"
    deliver(mail_config,
            make_mail("Is there a maths requirement for flamingo lovers?", sender=sender, subject="Zanzibar maths"),
            make_mail("I was sick with flamingo fever, what about the fee?", sender=sender, subject="Zanzibar fee"),
            make_mail("Where can I park my flamingo?", sender=sender, subject="Zanzibar bike"),
            make_mail("flamingo out of office", sender=sender, subject="Out of office: Zanzibar",
                      Auto_Submitted="auto-replied"),
            make_mail("quokka", sender="No Reply <no-reply.quokka@example.com>", subject="Zanzibar news"),
            b"Subject: Zanzibar\r\nMessage-ID: <quokka@example.com>\r\n\r\nIs there a flamingo requirement?\r\n")
    assert run(mail_config) == (1, 2, 2, 1)
    # Everything at INFO and above except aiosmtpd's ("mail.log"): the test's stand-in SMTP server.
    logged = "\n".join(f"{r.levelname} {r.getMessage()}" for r in caplog.records
                        if r.levelno >= logging.INFO and not r.name.startswith("mail.log"))
    assert "answered id=" in logged and "skipped id=" in logged and "failed id=" in logged
    for what, secret in secrets.items():
        assert secret.lower() not in logged.lower(), f"{what} in the log"
    assert not re.search(r"[\w.+-]+@[a-z][\w-]*\.[a-z]", logged)  # no address at all (intent@0.97 is fine)
