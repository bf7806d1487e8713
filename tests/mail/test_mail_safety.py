"""Nothing lost, nothing twice, no loops: crashes, restarts, 200 messages, malformed mail.

Real Dovecot and a real SMTP server; the assistant is a stub parse function here (the
answers' wording is tested with the real assistant in test_mail_worker.py), so these
tests stay fast and independent of the model.
"""
from __future__ import annotations

import email
import sqlite3
import time
from email import policy

import pytest
from imap_tools import MailBoxUnencrypted

from mailbot import state as st
from mailbot.answer import AssistantError, AssistantUnavailable
from mailbot.transport import Mailbox, SmtpUnavailable
from mailbot.compose import phrase
from mailbot.worker import Worker
from mailtest import deliver, folder, make_mail

pytestmark = pytest.mark.timeout(300)


class Crash(BaseException):
    """The process dies here (not an Exception: nothing in the worker may catch it)."""


def stub_parse(text: str) -> dict:
    t = text.lower()
    if "math" in t or "matte" in t:
        key, confidence = "math_requirement", 0.97
    elif "fee" in t or "studieavgift" in t:
        key, confidence = "fee_who_pays", 0.95
    elif t.strip(" !.") in ("hello", "hi", "thanks", "thank you"):
        return {"intent": {"name": "greet", "confidence": 0.99}, "entities": []}
    else:
        return {"intent": {"name": "out_of_scope", "confidence": 0.99}, "entities": []}
    irk = f"faq/{key}"
    return {"intent": {"name": "faq", "confidence": 0.99}, "entities": [],
            "response_selector": {"faq": {"response": {"intent_response_key": irk, "confidence": confidence},
                                          "ranking": [{"intent_response_key": irk, "confidence": confidence}]}}}


def run(config, parse=stub_parse, worker=None):
    worker = worker or Worker(config, parse=parse)
    try:
        s = worker.run_once()
    finally:
        worker.state.close()
    return (s.answered, s.drafted, s.skipped, s.failed)


def states(config) -> dict:
    with sqlite3.connect(config.state_db) as db:
        return dict(db.execute("SELECT message_id, state FROM messages"))


def inbox_flags(config) -> list:
    return [flags for flags, _ in folder(config, "INBOX")]


def test_crash_after_smtp_before_recording_sent_never_resends(mail_config, smtp):
    """SMTP accepted the reply, the process died before writing "sent": the reply is not in
    Sent, so the rerun cannot know whether it went out. It does not send again; the reply
    becomes a draft with a note and the original is flagged for an adviser."""
    deliver(mail_config, make_mail("Is there a maths requirement?", message_id="<crash1@example.com>"))
    worker = Worker(mail_config, parse=stub_parse)
    record = worker.state.set

    def dies_before_sent(key, state, **fields):
        if state == st.SENT:
            raise Crash()
        return record(key, state, **fields)

    worker.state.set = dies_before_sent
    with pytest.raises(Crash):
        worker.run_once()
    assert len(smtp[1].messages) == 1
    assert states(mail_config) == {"<crash1@example.com>": st.SENDING}

    assert run(mail_config) == (0, 1, 0, 0)
    assert len(smtp[1].messages) == 1  # nothing sent twice
    [(_, draft)] = folder(mail_config, "Drafts")
    assert phrase("en", "note_interrupted") in draft.text.replace("\r\n", "\n")
    assert draft.headers["in-reply-to"][0].strip() == "<crash1@example.com>"
    assert inbox_flags(mail_config) == [{"\\Flagged"}]
    assert run(mail_config) == (0, 0, 0, 0) and len(smtp[1].messages) == 1
    assert len(folder(mail_config, "Drafts")) == 1


def test_crash_after_sent_before_marking_finishes_without_resending(mail_config, smtp, monkeypatch):
    """"sent" is recorded and the copy is in Sent, but the original was not flagged yet."""
    deliver(mail_config, make_mail("Is there a maths requirement?", message_id="<crash2@example.com>"))
    worker = Worker(mail_config, parse=stub_parse)
    with monkeypatch.context() as patch:
        patch.setattr(Mailbox, "flag", lambda self, uid, flag: (_ for _ in ()).throw(Crash()))
        with pytest.raises(Crash):
            worker.run_once()
    assert states(mail_config) == {"<crash2@example.com>": st.SENT}
    assert inbox_flags(mail_config) == [set()]

    assert run(mail_config) == (1, 0, 0, 0)
    assert len(smtp[1].messages) == 1
    assert len(folder(mail_config, "Sent")) == 1  # the copy is not appended twice
    assert inbox_flags(mail_config) == [{"\\Answered"}]
    assert run(mail_config) == (0, 0, 0, 0) and len(smtp[1].messages) == 1


def test_crash_while_sending_when_the_server_keeps_a_sent_copy(mail_config, smtp):
    """Servers that save submitted mail in Sent (e.g. Gmail): the rerun finds the reply there
    and finishes the message as answered, with no draft and no second send."""
    deliver(mail_config, make_mail("Is there a maths requirement?", message_id="<crash3@example.com>"))
    worker = Worker(mail_config, parse=stub_parse)
    send = worker.smtp.send

    def send_then_die(message):
        send(message)
        deliver(mail_config, message.as_bytes(), folder="Sent")  # what such a server does
        raise Crash()

    worker.smtp.send = send_then_die
    with pytest.raises(Crash):
        worker.run_once()
    assert run(mail_config) == (1, 0, 0, 0)
    assert len(smtp[1].messages) == 1 and folder(mail_config, "Drafts") == []
    assert len(folder(mail_config, "Sent")) == 1
    assert inbox_flags(mail_config) == [{"\\Answered"}]


def test_200_messages_in_one_run_none_lost_none_twice(mail_config, smtp):
    kinds = {}
    messages = []
    for i in range(200):
        mid = f"<bulk{i}@example.com>"
        sender = f"Student {i} <student{i}@example.com>"
        if i % 10 == 9:
            kinds[mid] = st.SKIPPED
            messages.append(make_mail("Out of office", subject="Auto: hi", sender=sender, message_id=mid,
                                      Auto_Submitted="auto-replied"))
        elif i % 10 == 8:
            kinds[mid] = st.DRAFTED
            messages.append(make_mail("Where can I park my bike?", sender=sender, message_id=mid))
        else:
            kinds[mid] = st.ANSWERED
            body = "Is there a maths requirement?" if i % 2 else "Hei, må jeg betale studieavgift?"
            messages.append(make_mail(body, sender=sender, message_id=mid))
    deliver(mail_config, *messages)
    mail_config.max_replies_per_hour = 1000  # this test is about volume, not the hourly limit
    started = time.monotonic()
    assert run(mail_config) == (160, 20, 20, 0)
    elapsed = time.monotonic() - started
    replies = [email.message_from_bytes(m["data"], policy=policy.default) for m in smtp[1].messages]
    assert sorted(r["In-Reply-To"] for r in replies) == sorted(m for m, k in kinds.items() if k == st.ANSWERED)
    assert len(folder(mail_config, "Drafts")) == 20 and len(folder(mail_config, "Sent")) == 160
    assert states(mail_config) == kinds
    assert len(folder(mail_config, "INBOX")) == 200  # nothing deleted
    assert run(mail_config) == (0, 0, 0, 0) and len(smtp[1].messages) == 160
    assert elapsed < 120, f"200 messages took {elapsed:.0f} s"


def test_malformed_mail_is_kept_and_reported(mail_config, smtp):
    deliver(
        mail_config,
        b"Subject: no sender\r\nMessage-ID: <nofrom@example.com>\r\n\r\nIs there a maths requirement?\r\n",
        b"\x00\x01\x02 this is not an e-mail at all \xff\xfe\r\n",
        b"From: a@example.com\r\nMessage-ID: <b64@example.com>\r\nContent-Type: text/plain\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n!!!not base64***\r\n",
        b"From: b@example.com\r\nMessage-ID: <charset@example.com>\r\nSubject: =?x-unknown?q?Sp=F8rsm=E5l?=\r\n"
        b"Content-Type: text/plain; charset=x-unknown\r\n\r\nHei, m\xe5 jeg ha matte for \xe5 s\xf8ke?\r\n",
        b"From: c@example.com\r\nSubject: \r\nContent-Type: text/plain\r\n\r\n",
    )
    answered, drafted, skipped, failed = run(mail_config)
    assert answered + drafted + skipped + failed == 5 and failed >= 2
    assert len(folder(mail_config, "INBOX")) == 5  # all kept
    recorded = states(mail_config)
    assert recorded["<nofrom@example.com>"] == st.FAILED and recorded["<charset@example.com>"] == st.ANSWERED
    assert sum("\\Flagged" in f for f in inbox_flags(mail_config)) >= failed
    [reply] = [email.message_from_bytes(m["data"], policy=policy.default) for m in smtp[1].messages]
    assert reply["To"] == "b@example.com" and "Kilde:" in reply.get_content()  # read as Norwegian
    assert run(mail_config) == (0, 0, 0, 0)


def test_follow_up_to_an_automatic_reply_goes_to_an_adviser(mail_config, smtp):
    deliver(mail_config, make_mail("Is there a maths requirement?", message_id="<first@example.com>"))
    assert run(mail_config) == (1, 0, 0, 0)
    reply_id = email.message_from_bytes(smtp[1].messages[0]["data"], policy=policy.default)["Message-ID"]
    deliver(mail_config, make_mail("Sorry, but is there a maths requirement for statistics?", subject="Re: Question",
                                   In_Reply_To=reply_id, References=f"<first@example.com> {reply_id}"))
    assert run(mail_config) == (0, 1, 0, 0)
    assert len(smtp[1].messages) == 1


def test_sender_rate_limit_stops_ping_pong(mail_config, smtp):
    deliver(mail_config, *[make_mail(f"Is there a maths requirement? ({i})") for i in range(4)])
    assert run(mail_config) == (3, 1, 0, 0)


def test_assistant_down_defers_then_answers(mail_config, smtp):
    deliver(mail_config, make_mail("Is there a maths requirement?", message_id="<down@example.com>"))

    def down(text):
        raise AssistantUnavailable("connection refused")

    worker = Worker(mail_config, parse=down)
    with pytest.raises(AssistantUnavailable):
        worker.run_once()
    assert worker.summary.deferred == 1
    worker.state.close()
    assert states(mail_config) == {"<down@example.com>": st.RETRY} and inbox_flags(mail_config) == [set()]
    assert run(mail_config) == (1, 0, 0, 0)


def test_smtp_down_defers_without_counting_an_attempt(mail_config, smtp):
    deliver(mail_config, make_mail("Is there a maths requirement?", message_id="<smtpdown@example.com>"))
    port, mail_config.smtp_port = mail_config.smtp_port, 9  # nothing listens there
    worker = Worker(mail_config, parse=stub_parse)
    with pytest.raises(SmtpUnavailable):
        worker.run_once()
    assert worker.state.get("<smtpdown@example.com>")["attempts"] == 0
    worker.state.close()
    mail_config.smtp_port = port
    assert run(mail_config) == (1, 0, 0, 0) and len(smtp[1].messages) == 1


def test_a_message_the_assistant_fails_on_does_not_block_the_others(mail_config, smtp):
    deliver(mail_config, make_mail("Is there a poison maths requirement?", message_id="<poison@example.com>"),
            make_mail("Is there a maths requirement?"))

    def fails_on_poison(text):
        if "poison" in text:
            raise AssistantError("HTTP Error 500")
        return stub_parse(text)

    mail_config.max_attempts = 2
    assert run(mail_config, fails_on_poison) == (1, 0, 0, 0)  # + deferred 1
    assert states(mail_config)["<poison@example.com>"] == st.RETRY
    assert run(mail_config, fails_on_poison) == (0, 0, 0, 1)  # second attempt: handed to an adviser
    assert states(mail_config)["<poison@example.com>"] == st.FAILED
    assert sorted(map(sorted, inbox_flags(mail_config))) == [["\\Answered"], ["\\Flagged"]]
    assert run(mail_config, fails_on_poison) == (0, 0, 0, 0)


def test_dry_run_and_draft_mode(mail_config, smtp):
    deliver(mail_config, make_mail("Is there a maths requirement?"))
    mail_config.mode = "dry-run"
    assert run(mail_config) == (1, 0, 0, 0)
    assert smtp[1].messages == [] and states(mail_config) == {} and inbox_flags(mail_config) == [set()]
    mail_config.mode = "draft"
    assert run(mail_config) == (0, 1, 0, 0)
    assert smtp[1].messages == [] and len(folder(mail_config, "Drafts")) == 1


def test_messages_marked_deleted_by_someone_else_are_not_expunged(mail_config, smtp):
    deliver(mail_config, make_mail("Is there a maths requirement?"), make_mail("Hi, is there a maths requirement?"))
    with MailBoxUnencrypted(mail_config.imap_host, mail_config.imap_port).login(mail_config.user, mail_config.password) as mb:
        uid = mb.uids()[0]
        mb.client.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
    run(mail_config)
    assert len(folder(mail_config, "INBOX")) == 2


def test_a_second_worker_on_the_same_state_is_refused(mail_config, smtp):
    first = Worker(mail_config, parse=stub_parse)
    import fcntl
    with open(f"{mail_config.state_db}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(RuntimeError, match="another worker"):
            first.run_once()
    first.state.close()
