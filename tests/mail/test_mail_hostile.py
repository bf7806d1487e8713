"""Hostile mail: 1 MB inputs to every function that applies a pattern to a stranger's text,
to the whole path (decode -> split -> answer decision), and property tests of the decoder.

`pytest.mark.timeout` is a hang guard, not a speed target: before the fixes one 80,000
character word took 18.7 s in the address pattern alone, and the quote stripper was
quadratic in the number of lines, so these inputs did not finish at all.
"""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from language import detect_language, normalise_language_tag, resolve_language
from language.detect import _prose
from mailbot.compose import first_name, reply_subject, short_quote
from mailbot.config import Config
from mailbot.decode import (MAX_TEXT_CHARS, clean_text, decode, decode_words, html_to_text, parse, patterns,
                            strip_quotes_and_signature)
from mailbot.loop_guard import skip_reason
from mailbot.personal import personal_reason
from mailbot.sender_auth import dmarc_verdict, parse_authentication_results
from mailbot.split import is_question, split_questions
from mailbot.worker import Worker, message_key
from mailtest import make_mail

MB = 1_000_000
HOSTILE = {
    "one 1 MB word": "a" * MB,
    "one 1 MB number": "1" * MB,
    "digits and spaces": "1 " * (MB // 2),
    "100,000 short lines": "Do I pay?\n" * 100_000,
    "1,000,000 empty lines": "\n" * MB,
    "many @ and .": "@." * (MB // 2),
    "addresses without end": "a@b." * (MB // 4),
    "only @": "@" * MB,
    "deep quoting": "> " * (MB // 2),
    "deep quoting, lines": "> > > > > > > > > > > > > > > > > > > > > > > > question?\n" * (MB // 56),
    "a greeting, then words": "Hi " + "x " * (MB // 2),
    "tags without end": "<a" * (MB // 2),
    "encoded words without end": "=?utf-8?q?" * (MB // 10),
    "dashes": "-" * MB,
}
CASES = pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))


def every_pattern():
    """Every regular expression in patterns.yml, by its place in the file."""
    def walk(node, path):
        if isinstance(node, str):
            yield path, node
        elif isinstance(node, dict):
            for key, value in node.items():
                yield from walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{path}[{i}]")
    skip = {"loop_guard.list_headers", "loop_guard.auto_headers"}  # header names, not patterns
    return [(path, p) for path, p in walk(patterns(), "") if not any(path.lstrip(".").startswith(s) for s in skip)]


PATTERNS = every_pattern()


def test_the_pattern_list_is_complete():
    paths = [path for path, _ in PATTERNS]
    assert len(paths) > 30 and ".personal.own_case[9]" in paths and ".greeting_line" in paths


@pytest.mark.timeout(300)
@CASES
def test_every_pattern_in_patterns_yml_is_linear(text):
    for _, pattern in PATTERNS:
        compiled = re.compile(pattern, re.IGNORECASE)
        compiled.search(text)


@pytest.mark.timeout(300)
@CASES
def test_language_functions(text):
    _prose(text)
    detect_language(text)
    resolve_language(text, hint=text)
    assert normalise_language_tag(text) is None


@pytest.mark.timeout(300)
@CASES
def test_decode_and_split_functions(text):
    stripped = strip_quotes_and_signature(text)
    assert len(stripped) <= len(text)
    assert len(clean_text(text)) <= MAX_TEXT_CHARS
    html_to_text(text)
    decode_words(text[:20_000])
    split_questions(clean_text(text), "en", subject=text[:8000])
    is_question(text, None)
    personal_reason(text, [{"entity": "country", "value": "x"}])


@pytest.mark.timeout(300)
@CASES
def test_compose_sender_and_key_functions(text):
    first_name(text)
    reply_subject(text)
    assert len(short_quote([text, text])) <= 300
    parse_authentication_results(text)
    parse_authentication_results("mx.example.org; dmarc=pass " + text)
    message_key({"Message-ID": text}, "1", 1)


def _hostile_mail(text: str, **headers) -> bytes:
    return make_mail(text, subject="Question", **headers)


@pytest.mark.timeout(300)
@CASES
def test_headers_of_a_mail(text):
    """The same text as the subject, the From name, References and Authentication-Results."""
    raw = (f"From: {text[:300_000]} <kari@example.com>\r\nSubject: {text[:300_000]}\r\n"
           f"References: {text[:300_000]}\r\nContent-Type: text/plain; {';' * 100_000}\r\n"
           f"Authentication-Results: mx.example.org; dmarc=pass {text[:300_000]}\r\n\r\nIs there a maths "
           "requirement?\r\n").encode("utf-8")
    msg = parse(raw)
    mail = decode(msg)
    skip_reason(msg, ["bot@example.org"])
    dmarc_verdict(msg, "example.com", "mx.example.org")
    assert len(mail.subject) <= 8000


def stub_parse(text: str) -> dict:
    irk = "faq/math_requirement"
    return {"intent": {"name": "faq", "confidence": 0.99}, "entities": [],
            "response_selector": {"faq": {"response": {"intent_response_key": irk, "confidence": 0.97},
                                          "ranking": [{"intent_response_key": irk, "confidence": 0.97}]}}}


@pytest.fixture
def dry_worker(tmp_path):
    config = Config(mode="dry-run", user="bot@example.org", mail_from="Bot <bot@example.org>",
                    state_db=tmp_path / "state.db")
    worker = Worker(config, parse=stub_parse)
    yield worker
    worker.state.close()


@pytest.mark.timeout(300)
@CASES
def test_the_whole_path_from_mail_to_decision(dry_worker, text):
    """decode -> split -> answer decision -> compose, in dry-run (nothing is sent)."""
    raw = _hostile_mail(text + "\n\nIs there a maths requirement?")
    msg = parse(raw)
    mail = decode(msg)
    assert len(mail.text) <= MAX_TEXT_CHARS
    outcome = dry_worker._process("<hostile@example.com>", "1", msg)
    assert outcome in ("answered", "drafted", "skipped")


@pytest.mark.timeout(300)
def test_a_1_mb_html_mail_is_read_in_bounded_time(dry_worker):
    html = "<p>Is there a maths requirement?</p>" + "<div><b>x</b>" * (MB // 13)
    mail = decode(parse(make_mail(html=html)))
    assert mail.text.startswith("Is there a maths requirement?") and len(mail.text) <= MAX_TEXT_CHARS


# -- properties of the decoder ----------------------------------------------------------------
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000))
def test_any_bytes_decode_without_error_and_never_grow(raw):
    mail = decode(parse(raw))
    assert len(mail.text) <= len(raw)
    assert mail.language in ("en", "nb")


BODY_HEAD = "From: Kari <kari@example.com>\r\nMIME-Version: 1.0\r\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000), st.sampled_from(["text/plain", "text/html"]),
       st.sampled_from(["utf-8", "iso-8859-1", "x-unknown", "utf-16"]))
def test_any_text_body_decodes_without_error_and_never_grows(body, kind, charset):
    payload = body.encode("utf-8", "surrogatepass")
    raw = f"{BODY_HEAD}Content-Type: {kind}; charset={charset}\r\n\r\n".encode() + payload
    mail = decode(parse(raw))
    assert len(mail.text) <= len(payload)  # characters handed on <= bytes of the body received
    assert len(strip_quotes_and_signature(body)) <= len(body)
    assert len(clean_text(body)) <= len(body)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("ab@.> \n-_:?") + ["wrote:", "Hi", "Mvh", "--", "On x "]), max_size=200))
def test_the_quote_stripper_keeps_a_prefix_of_the_lines(pieces):
    body = "".join(pieces)
    """It only drops lines (quotes, and everything from a quote start or signature on)."""
    stripped = strip_quotes_and_signature(body)
    kept = [line.strip() for line in stripped.split("\n") if line.strip()]
    lines = [line.strip() for line in body.split("\n")]
    position = 0
    for line in kept:
        position = lines.index(line, position) + 1  # in order, each one a line of the input
