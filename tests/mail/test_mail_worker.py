"""The mail worker end to end: real Dovecot (IMAP), real SMTP (aiosmtpd), the real assistant."""
from __future__ import annotations

import email
import os
import subprocess
import sys
from email import policy

import pytest

from content import response_text
from mailbot.worker import Worker
from mailtest import BOT, deliver, folder, make_mail

pytestmark = pytest.mark.timeout(600)  # the first test may wait for the assistant to start
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def config(mail_config, rasa_url, rasa_token):
    mail_config.rasa_url, mail_config.rasa_token = rasa_url, rasa_token
    return mail_config


def run(config):
    worker = Worker(config)
    try:
        summary = worker.run_once()
    finally:
        worker.state.close()
    return (summary.answered, summary.drafted, summary.skipped, summary.failed)


def sent(smtp):
    """What the SMTP server received (line ends as on the wire: CRLF -> LF)."""
    return [email.message_from_bytes(m["data"].replace(b"\r\n", b"\n"), policy=policy.default)
            for m in smtp[1].messages]


def answer(key, language):
    return response_text(f"utter_faq/{key}", language).strip()


def test_english_question_is_answered_in_english_with_threading(config, smtp):
    original = make_mail("Hello,\n\nIs there a maths requirement?\n\nBest regards,\nKari Nordmann\n",
                         subject="Maths", message_id="<q-en@example.com>", References="<earlier@example.com>")
    deliver(config, original)
    assert run(config) == (1, 0, 0, 0)
    [reply] = sent(smtp)
    body = reply.get_content()
    assert smtp[1].messages[0]["to"] == ["kari@example.com"]
    assert reply["Subject"] == "Re: Maths"
    assert reply["In-Reply-To"] == "<q-en@example.com>"
    assert reply["References"].split() == ["<earlier@example.com>", "<q-en@example.com>"]
    assert reply["Auto-Submitted"] == "auto-replied"
    assert body.startswith("Hello Kari,")
    assert answer("math_requirement", "en") in body
    assert "https://www.ntnu.edu/studies/msindecol/councelling" in body  # the source link
    assert "studier@iv.ntnu.no" in body and "+47 73 59 37 00" in body
    assert "written automatically" in body
    assert "> Is there a maths requirement?" in body  # the question, quoted
    [(flags, _)] = folder(config, "INBOX")
    assert "\\Answered" in flags and "\\Seen" not in flags
    [(_, copy)] = folder(config, "Sent")
    assert copy.headers["message-id"][0].strip() == reply["Message-ID"]


def test_norwegian_question_is_answered_in_norwegian(config, smtp):
    deliver(config, make_mail("Hei!\n\nEr det krav til matematikk for å søke?\n\nMvh\nOla Nordmann\n",
                              subject="Opptak", sender="Ola Nordmann <ola@example.no>"))
    assert run(config) == (1, 0, 0, 0)
    [reply] = sent(smtp)
    body = reply.get_content()
    assert body.startswith("Hei Ola,")
    assert answer("math_requirement", "nb") in body
    assert answer("math_requirement", "en") not in body
    assert "skrevet automatisk" in body and "studier@iv.ntnu.no" in body
    assert reply["Subject"] == "Re: Opptak"


def test_two_questions_get_one_reply_with_both_answers(config, smtp):
    deliver(config, make_mail(
        "Hi,\n\nI have a bachelor in biology. How many ECTS of mathematics do I need? "
        "And who has to pay tuition fees at NTNU?\n\nThanks,\nKari\n"))
    assert run(config) == (1, 0, 0, 0)
    [reply] = sent(smtp)
    body = reply.get_content()
    assert answer("math_requirement", "en") in body and answer("fee_who_pays", "en") in body
    assert body.count("You asked:") == 2
    assert "opptak@ntnu.no" in body  # a fee answer brings the fee contact


def test_personal_fee_question_is_drafted_not_sent(config, smtp):
    deliver(config, make_mail(
        "Hello,\n\nI am a citizen of India and I withdrew from the programme on 3 October. "
        "How much of the fee do I get back?\n\nKari\n", subject="Refund", message_id="<q-refund@example.com>"))
    assert run(config) == (0, 1, 0, 0)
    assert sent(smtp) == []
    [(flags, draft)] = folder(config, "Drafts")
    assert "\\Draft" in flags
    assert draft.headers["in-reply-to"][0].strip() == "<q-refund@example.com>"
    assert draft.to == ("kari@example.com",) and draft.subject == "Re: Refund"
    assert "Adviser" in draft.text and "Auto-Submitted" not in str(draft.obj)
    [(flags, _)] = folder(config, "INBOX")
    assert "\\Flagged" in flags and "\\Answered" not in flags


def test_out_of_scope_question_is_drafted(config, smtp):
    deliver(config, make_mail("Hi! What is the best pizza place in Trondheim?"))
    assert run(config) == (0, 1, 0, 0)
    assert sent(smtp) == []
    assert len(folder(config, "Drafts")) == 1


def test_auto_replies_lists_and_bounces_are_left_untouched(config, smtp):
    question = "Is there a maths requirement?"
    deliver(
        config,
        make_mail("I am out of the office until Monday.", subject="Automatic reply: Maths", Auto_Submitted="auto-replied"),
        make_mail(question, subject="[indecol] maths", List_Id="<indecol.lists.example.org>"),
        make_mail(question, subject="Newsletter", Precedence="bulk"),
        make_mail("This is the mail system. Your message could not be delivered.",
                  subject="Undelivered Mail Returned to Sender", sender="MAILER-DAEMON@example.org"),
        make_mail(question, subject="Maths", sender="No Reply <no-reply@example.com>"),
    )
    assert run(config) == (0, 0, 5, 0)
    assert sent(smtp) == [] and folder(config, "Drafts") == []
    assert all(flags == set() for flags, _ in folder(config, "INBOX"))  # not even marked seen


def test_html_only_mail_is_answered(config, smtp):
    deliver(config, make_mail(html="<html><head><style>p {color: red}</style></head><body><p>Hello,</p>"
                                   "<p>Do you offer <b>online courses</b>?</p><p>Best regards,<br>Kari</p></body></html>"))
    assert run(config) == (1, 0, 0, 0)
    [reply] = sent(smtp)
    assert answer("online_courses", "en") in reply.get_content()


def test_iso_8859_1_mail_with_encoded_headers(config, smtp):
    raw = (
        "From: =?iso-8859-1?q?=C5se_=D8deg=E5rd?= <ase@example.no>\r\n"
        f"To: {BOT}\r\n"
        "Subject: =?iso-8859-1?q?Sp=F8rsm=E5l_om_opptak?=\r\n"
        "Message-ID: <latin1@example.no>\r\n"
        "Date: Mon, 3 Nov 2025 10:00:00 +0100\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        "Hei,\r\n\r\nMå jeg ha matte for å søke?\r\n\r\nHilsen Åse\r\n"
    ).encode("iso-8859-1")
    deliver(config, raw)
    assert run(config) == (1, 0, 0, 0)
    [reply] = sent(smtp)
    body = reply.get_content()
    assert reply["Subject"] == "Re: Spørsmål om opptak"
    assert body.startswith("Hei Åse,")
    assert answer("math_requirement", "nb") in body


def test_make_mail_once_prints_a_summary(config, smtp):
    deliver(config, make_mail("Is there a maths requirement?"), make_mail("Newsletter", Precedence="bulk"))
    env = {**os.environ, "PYTHONPATH": ROOT, "MAIL_ENV_FILE": "/nonexistent",
           "MAIL_IMAP_HOST": config.imap_host, "MAIL_IMAP_PORT": str(config.imap_port),
           "MAIL_IMAP_SECURITY": "plain", "MAIL_USER": config.user, "MAIL_PASSWORD": config.password,
           "MAIL_SMTP_HOST": config.smtp_host, "MAIL_SMTP_PORT": str(config.smtp_port),
           "MAIL_SMTP_SECURITY": "plain", "MAIL_FROM": config.mail_from, "MAIL_STATE_DB": str(config.state_db),
           "RASA_URL": config.rasa_url, "RASA_API_TOKEN": config.rasa_token, "MAIL_START_RASA": "false"}
    result = subprocess.run([sys.executable, "-m", "mailbot", "once"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "answered 1, drafted 0, skipped 1, failed 0" in result.stdout
    assert "answered id=" in result.stderr and "skipped id=" in result.stderr  # one log line per message
    for private in ("kari@example.com", "Kari", "Nordmann", "Question", "maths requirement", "Newsletter"):
        assert private not in result.stderr  # the log names messages by a hash, never by their text
