"""The mail worker's parts without servers: decoding, splitting, loop guard, personal
questions, classification of parse results, composing replies, settings, state."""
from __future__ import annotations


import pytest

from content import response_text
from mailbot import state as st
from mailbot.answer import ANSWERED, PERSONAL, SMALL, SUGGESTION, UNANSWERABLE, classify
from mailbot.compose import compose, first_name, phrase, reply_subject, to_message
from mailbot.config import Config, read_env_file
from mailbot.decode import decode, html_to_text, parse, strip_quotes_and_signature
from mailbot.loop_guard import skip_reason
from mailbot.personal import personal_reason
from mailbot.split import split_questions
from mailtest import make_mail


def parsed(intent="faq", key="math_requirement", confidence=0.95, intent_confidence=0.99, entities=()):
    result = {"intent": {"name": intent, "confidence": intent_confidence}, "entities": list(entities)}
    if key:
        irk = f"faq/{key}"
        result["response_selector"] = {"faq": {"response": {"intent_response_key": irk, "confidence": confidence},
                                               "ranking": [{"intent_response_key": irk, "confidence": confidence}]}}
    return result


# -- decode -------------------------------------------------------------------------------------
def test_multipart_alternative_prefers_plain_text():
    mail = decode(parse(make_mail("Is there a maths requirement?", html="<p>HTML <b>version</b></p>")))
    assert mail.text == "Is there a maths requirement?" and mail.language == "en"


def test_html_only_mail_becomes_text_without_styles_or_quotes():
    html = ("<html><head><style>p {color: red}</style><title>x</title></head><body><p>Hello,</p>"
            "<p>Do you offer <b>online&nbsp;courses</b>?</p><ul><li>one</li><li>two</li></ul>"
            "<div class='gmail_quote'>On Monday X wrote:<blockquote>old question?</blockquote></div></body></html>")
    text = html_to_text(html)
    assert "Do you offer online\xa0courses?" in text or "Do you offer online courses?" in text
    assert "color" not in text and "old question" not in text and "- one" in text


def test_rfc2047_headers_and_iso_8859_1_body():
    raw = ("From: =?iso-8859-1?q?=C5se_=D8deg=E5rd?= <ase@example.no>\r\n"
           "Subject: =?utf-8?b?U3DDuHJzbcOlbA==?=\r\nMessage-ID: <x@example.no>\r\n"
           "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
           "M=E5 jeg ha matte for =E5 s=F8ke?\r\n").encode("ascii")
    mail = decode(parse(raw))
    assert (mail.sender_name, mail.sender, mail.subject) == ("Åse Ødegård", "ase@example.no", "Spørsmål")
    assert mail.text == "Må jeg ha matte for å søke?" and mail.language == "nb" and mail.problems == []


def test_wrong_charset_and_raw_8bit_headers_fall_back():
    raw = (b"From: b@example.com\r\nSubject: Sp\xc3\xb8rsm\xc3\xa5l\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\n"
           b"Hei, m\xe5 jeg ha matte?\r\n")
    mail = decode(parse(raw))
    assert mail.subject == "Spørsmål" and mail.text == "Hei, må jeg ha matte?"
    assert any("charset" in p for p in mail.problems)


def test_reply_to_in_the_same_domain_is_where_the_answer_goes():
    mail = decode(parse(make_mail("Hi?", sender='"Nordmann, Kari" <kari@example.com>', Reply_To="k@Example.com")))
    assert (mail.sender, mail.from_address, mail.sender_name) == ("k@Example.com", "kari@example.com", "Nordmann, Kari")


def test_reply_to_in_another_domain_is_never_where_the_answer_goes():
    mail = decode(parse(make_mail("Hi?", sender='"Nordmann, Kari" <kari@example.com>', Reply_To="k@example.org")))
    assert (mail.sender, mail.reply_to, mail.from_address) == ("kari@example.com", "k@example.org", "kari@example.com")
    sub = decode(parse(make_mail("Hi?", sender="kari@example.com", Reply_To="x@evil.example.com")))
    assert sub.sender == "kari@example.com"  # a subdomain is another domain


@pytest.mark.parametrize("quote", [
    "On Mon, 3 Nov 2025 at 10:00, Adviser <studier@iv.ntnu.no> wrote:\n> Old text?",
    "On Mon, 3 Nov 2025 at 10:00, Adviser <\nstudier@iv.ntnu.no> wrote:\n> Old text?",
    "Den man. 3. nov. 2025 kl. 10:00 skrev Studieveileder <studier@iv.ntnu.no>:\n> Old text?",
    "-----Original Message-----\nFrom: Adviser\nOld text?",
    "________________________________\nFra: Studieveileder <studier@iv.ntnu.no>\nSendt: mandag\nOld text?",
    "From: Adviser <studier@iv.ntnu.no>\nSent: Monday\nOld text?",
])
def test_quoted_replies_are_removed(quote):
    text = strip_quotes_and_signature(f"Is there a maths requirement?\n\n{quote}\n")
    assert text == "Is there a maths requirement?"


@pytest.mark.parametrize("signature", [
    "Best regards,\nKari Nordmann\nStudent, University of Oslo\n+47 999 99 999",
    "Kind regards\nKari", "Thanks,\nKari", "-- \nKari Nordmann\nPhone?", "Mvh\nOla", "Med vennlig hilsen\nOla",
    "Hilsen Åse", "Sent from my iPhone", "Sendt fra min iPhone",
])
def test_signatures_are_removed(signature):
    assert strip_quotes_and_signature(f"Hi,\n\nIs there a maths requirement?\n\n{signature}") == \
        "Hi,\n\nIs there a maths requirement?"


def test_thanks_at_the_start_is_not_a_signature():
    assert strip_quotes_and_signature("Thanks!\nIs there a maths requirement?").endswith("requirement?")


# -- split --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text,language,expected", [
    ("Hi,\n\nI have a BSc in biology. Do I need maths? And who pays the fee?", "en",
     ["Do I need maths?", "And who pays the fee?"]),
    ("Hei!\n\nMå jeg ha matte for å søke? Jeg lurer også på hvem som må betale studieavgift.", "nb",
     ["Må jeg ha matte for å søke?", "Jeg lurer også på hvem som må betale studieavgift."]),
    ("I would like to know the admission requirements.", "en", ["I would like to know the admission requirements."]),
    ("Dear adviser,\nis there a maths requirement\n", "en", ["is there a maths requirement"]),
    ("My questions:\n1. Is there a maths requirement?\n2. Who pays the fee?", "en",
     ["Is there a maths requirement?", "Who pays the fee?"]),
    ("I am interested in the programme and have a degree in economics.", "en",
     ["I am interested in the programme and have a degree in economics."]),
    ("Do I need maths? Do I need maths?", "en", ["Do I need maths?"]),
    ("I will start in August. Who pays the fee?", "en", ["Who pays the fee?"]),
    ("I only have 5 ECTS of statistics. Is that enough?", "en", ["I only have 5 ECTS of statistics. Is that enough?"]),
    ("Jeg har bare 5 studiepoeng statistikk. Holder det?", "nb", ["Jeg har bare 5 studiepoeng statistikk. Holder det?"]),
])
def test_split_questions(text, language, expected):
    assert split_questions(text, language) == expected


def test_subject_is_the_question_when_the_body_is_empty():
    assert split_questions("", "en", "Re: SV: Is there a maths requirement?") == ["Is there a maths requirement?"]
    assert split_questions("", "en", "Hi") == []


# -- loop guard ---------------------------------------------------------------------------------
@pytest.mark.parametrize("headers,reason", [
    ({"Auto_Submitted": "auto-replied"}, "auto-submitted"),
    ({"Auto_Submitted": "auto-generated"}, "auto-submitted"),
    ({"X_Autoreply": "yes"}, "auto-reply header"),
    ({"Precedence": "bulk"}, "precedence"),
    ({"Precedence": "list"}, "precedence"),
    ({"List_Id": "<x.lists.example.org>"}, "mailing list"),
    ({"List_Unsubscribe": "<mailto:u@example.org>"}, "mailing list"),
    ({"sender": "MAILER-DAEMON@example.org"}, "no-reply"),
    ({"sender": "postmaster@example.org"}, "no-reply"),
    ({"sender": "No Reply <noreply@example.com>"}, "no-reply"),
    ({"sender": "do-not-reply@example.com"}, "no-reply"),
    ({"Reply_To": "no-reply@example.com"}, "no-reply"),
    ({"subject": "Out of Office: Question"}, "automatic subject"),
    ({"subject": "Automatisk svar: Spørsmål"}, "automatic subject"),
    ({"subject": "Undeliverable: Question"}, "automatic subject"),
    ({"X_Mailbot": "ie-assistant"}, "our own"),
    ({"sender": "studier-bot@example.org"}, "our own address"),
])
def test_robots_are_never_answered(headers, reason):
    msg = parse(make_mail("Is there a maths requirement?", **headers))
    assert reason in (skip_reason(msg, ["studier-bot@example.org"]) or "")


def test_bounce_reports_and_null_return_path():
    report = (b"From: mailer@example.org\r\nReturn-Path: <>\r\nContent-Type: multipart/report; "
              b"report-type=delivery-status; boundary=x\r\n\r\n--x\r\n\r\ntext\r\n--x--\r\n")
    assert "bounce" in skip_reason(parse(report))
    assert "bounce" in skip_reason(parse(b"From: a@example.org\r\nReturn-Path: <>\r\n\r\nhi\r\n"))


def test_a_person_is_answered():
    assert skip_reason(parse(make_mail("Is there a maths requirement?", Auto_Submitted="no")), ["bot@x.org"]) is None


# -- personal -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "I am a citizen of India, do I have to pay?", "I'm from Nigeria. Will I pay the fee?",
    "I withdrew on 3 October, do I get a refund?", "I paid NOK 127 475, can I get it back?",
    "Jeg er fra Kenya, må jeg betale?", "Jeg har betalt studieavgift, får jeg pengene tilbake?",
    "I was sick during the exam, what can I do?", "Jeg vil klage på vedtaket.",
    "What is the status of my case?", "I want to withdraw from the programme.",
])
def test_personal_or_sensitive(text):
    assert personal_reason(text)


@pytest.mark.parametrize("text", [
    "Do I need maths?", "Who has to pay tuition fees?", "Do students from Kenya pay?",
    "Can I apply with my bachelor in economics?", "Må jeg ha matte for å søke?", "When is the deadline?",
])
def test_general_questions_are_not_personal(text):
    assert personal_reason(text) is None


def test_country_entity_from_the_assistant_makes_a_first_person_question_personal():
    entity = {"entity": "country", "value": "US", "text": "American"}
    assert personal_reason("I'm American, will I have to pay?", [entity])
    assert personal_reason("Do Americans have to pay?", [entity]) is None


# -- classify (parse result -> decision) --------------------------------------------------------
def test_faq_above_threshold_is_answered_with_the_domain_text_in_the_language():
    en = classify("Is there a maths requirement?", parsed(), "en", 0.8)
    nb = classify("Er det krav til matematikk?", parsed(), "nb", 0.8)
    assert en.status == nb.status == ANSWERED
    assert en.text == response_text("utter_faq/math_requirement", "en").strip()
    assert nb.text == response_text("utter_faq/math_requirement", "nb").strip() != en.text


@pytest.mark.parametrize("result,status", [
    (parsed(confidence=0.79), SUGGESTION),
    (parsed(intent_confidence=0.6), SUGGESTION),
    (parsed(intent="faq_ambiguous", confidence=0.45), SUGGESTION),
    (parsed(intent="out_of_scope", confidence=0.1), UNANSWERABLE),
    (parsed(intent="nlu_fallback", key=None), UNANSWERABLE),
    (parsed(intent="human_handoff", confidence=0.2), UNANSWERABLE),
    (parsed(intent="bad_input", key=None), UNANSWERABLE),
    (parsed(intent="ask_personal_fee", confidence=0.9), PERSONAL),
    (parsed(intent="ask_personal_refund", confidence=0.9), PERSONAL),
    (parsed(intent="ask_exemption_deadline", confidence=0.9), PERSONAL),
    (parsed(intent="some_future_intent", confidence=0.9), UNANSWERABLE),
    (parsed(intent="greet", key=None), SMALL),
    (parsed(key="no_such_answer"), UNANSWERABLE),
])
def test_only_confident_faq_answers_are_sent(result, status):
    assert classify("question", result, "en", 0.8).status == status


def test_personal_question_is_not_answered_even_when_the_faq_is_sure():
    answer = classify("I am from India, do I have to pay?", parsed(key="fee_who_pays", confidence=0.99), "en", 0.8)
    assert answer.status == PERSONAL and answer.text  # the text is only a suggestion for the adviser


# -- compose ------------------------------------------------------------------------------------
def _mail(text="Is there a maths requirement?", **headers):
    return decode(parse(make_mail(text, subject=headers.pop("subject", "Maths"), message_id="<q@example.com>",
                                  **headers)))


def test_sent_reply_has_all_parts_and_threading_headers():
    mail = _mail(References="<a@example.com>")
    reply = compose(mail, [classify(mail.text, parsed(key="fee_who_pays"), "en", 0.8)], "Bot <bot@x.org>", draft=False)
    msg = to_message(reply)
    body = msg.get_content()
    assert msg["Subject"] == "Re: Maths" and msg["In-Reply-To"] == "<q@example.com>"
    assert msg["References"] == "<a@example.com> <q@example.com>" and msg["Auto-Submitted"] == "auto-replied"
    assert body.startswith("Hello Kari,\n") and "Source: https://" in body
    for part in ("contact", "fee_contact", "automatic", "closing"):
        assert phrase("en", part) in body
    assert msg["Message-ID"].endswith("@x.org>")


def test_norwegian_reply_and_draft():
    mail = _mail("Hei, er det krav til matematikk?", sender="Ola Nordmann <ola@example.no>", subject="SV: Matte")
    answers = [classify(mail.text, parsed(), "nb", 0.8), classify("Hva med pizza?", parsed("out_of_scope"), "nb", 0.8)]
    reply = compose(mail, answers, "bot@x.org", draft=True, notes=["note_follow_up"], reasons="test")
    assert reply.subject == "SV: Matte" and not reply.automatic
    assert reply.body.startswith(phrase("nb", "draft_note")) and phrase("nb", "note_follow_up") in reply.body
    assert phrase("nb", "placeholder") in reply.body and "Hei Ola," in reply.body
    assert phrase("nb", "automatic") not in reply.body and phrase("nb", "fee_contact") not in reply.body
    assert "Auto-Submitted" not in to_message(reply)
    again = compose(mail, answers, "bot@x.org", draft=True)
    assert again.message_id == reply.message_id  # a draft's id is derived from the original's


def test_small_talk_is_left_out_and_one_answer_has_no_question_header():
    mail = _mail()
    answers = [classify("Hi", parsed("greet", key=None), "en", 0.8), classify(mail.text, parsed(), "en", 0.8)]
    body = compose(mail, answers, "bot@x.org", draft=False).body
    assert "You asked" not in body and phrase("en", "intro_one") in body


@pytest.mark.parametrize("subject,expected", [
    ("Maths", "Re: Maths"), ("Re: Maths", "Re: Maths"), ("SV: Matte", "SV: Matte"), ("", "Re: MSc Industrial Ecology")])
def test_reply_subject(subject, expected):
    assert reply_subject(subject) == expected


@pytest.mark.parametrize("name,expected", [
    ("Kari Nordmann", "Kari"), ("Nordmann, Kari", "Kari"), ("Åse Ødegård", "Åse"), ("kari", ""),
    ("NTNU Admissions Office Trondheim Norway", ""), ("", ""), ("studier@iv.ntnu.no", "")])
def test_first_name(name, expected):
    assert first_name(name) == expected


def test_every_phrase_exists_in_both_languages():
    from mailbot.compose import phrases
    assert set(phrases()["en"]) == set(phrases()["nb"])


# -- config and state ---------------------------------------------------------------------------
def test_env_file_and_environment(tmp_path):
    env = tmp_path / ".env"
    env.write_text("# comment\nMAIL_IMAP_HOST=imap.example.org\nexport MAIL_USER='bot@example.org'\n"
                   "MAIL_MODE=draft  # inline comment\nMAIL_CONFIDENCE_THRESHOLD=0.9\nMAIL_IMAP_SECURITY=starttls\n")
    assert read_env_file(env)["MAIL_USER"] == "bot@example.org"
    config = Config.load({**read_env_file(env), "MAIL_MODE": "dry-run"})
    assert (config.imap_host, config.user, config.mail_from, config.mode) == \
        ("imap.example.org", "bot@example.org", "bot@example.org", "dry-run")
    assert config.threshold == 0.9 and config.imap_port == 143 and config.smtp_port == 465
    with pytest.raises(ValueError):
        Config.load({"MAIL_MODE": "yolo"})


def test_state_records_survive_reopening(tmp_path):
    state = st.State(tmp_path / "s.db")
    state.set("<a@x>", st.SENDING, reply={"message_id": "<r@x>", "body": "b"}, sender="k@example.com")
    state.remember_uid("INBOX", 7, "3", "<a@x>")
    state.close()
    state = st.State(tmp_path / "s.db")
    assert [r["message_id"] for r in state.in_progress()] == ["<a@x>"]
    assert state.answers_automatic_reply(["<r@x>"]) and state.uid_for("<a@x>", "INBOX", 7) == "3"
    state.set("<a@x>", st.ANSWERED)
    assert state.finished_uids("INBOX", 7) == {"3"} and state.in_progress() == []
    assert state.automatic_replies_since("K@example.com", 60) == 1
    assert state.get("<a@x>")["reply"]["body"] == "b"
