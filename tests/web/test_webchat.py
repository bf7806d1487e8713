"""The web chat as a person uses it: demo pages in English and Norwegian, the widget in
Chromium, over Rasa's socket.io channel (the real stack, the real model).

Screenshots (desktop 1280 px and phone 375 px, both languages) go to test-artifacts/web/.
"""
from __future__ import annotations

import json
import re
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
from playwright.sync_api import expect

from scripts.stack import free_port
from tests.web.helpers import DESKTOP, PHONE, rasa_api, user_events

QUESTIONS = {
    "en": ("do I need maths?", re.compile(r"7\.5")),
    "nb": ("må jeg ha matte?", re.compile(r"7,5|studiepoeng")),
}
WELCOME = {"en": "study-advice assistant", "nb": "studieveiledningsassistenten"}
PAGES = {"en": "/", "nb": "/nb/"}
STORAGE_KEY = "iew:ie-assistant"


# ----------------------------------------------------------------- helpers

def bot_answers(page):
    """The bot's messages in the log, the welcome message left out."""
    return page.locator(".iew-msg--bot:not(.iew-msg--welcome) .iew-bubble")


def open_chat(page):
    page.locator(".iew-launcher").click()
    expect(page.locator(".iew-panel")).to_be_visible()
    expect(page.locator("#ie-webchat")).to_have_attribute("data-state", "online")


def ask(page, text: str, pattern) -> None:
    """Types a message, sends it with Enter, and waits for a new bot answer matching pattern.

    (An answer may come as several messages: the bot's paragraphs are sent one by one.)"""
    matching = bot_answers(page).filter(has_text=pattern)
    before = matching.count()
    page.locator(".iew-input").fill(text)
    page.locator(".iew-input").press("Enter")
    expect(page.locator(".iew-msg--user .iew-bubble").last).to_have_text(text)
    expect(matching).to_have_count(before + 1)


def snap(page, artifacts, name: str) -> None:
    """A screenshot for people to look at, once the bot's last paragraphs are in."""
    expect(page.locator(".iew-typing")).to_be_hidden()
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts / f"{name}.png"), animations="disabled")


def stored_state(page) -> dict:
    return json.loads(page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')") or "{}")


def shadow_count(page, selector: str) -> int:
    return page.evaluate(
        "s => document.getElementById('ie-webchat').shadowRoot.querySelectorAll(s).length", selector
    )


# ------------------------------------------------------------------- pages

def http_get(url: str, origin: str = ""):
    request = Request(url, headers={"Origin": origin} if origin else {})
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8")


def test_pages_and_widget_are_served(web_stack):
    for lang, path in PAGES.items():
        status, headers, body = http_get(web_stack.web_url + path)
        assert status == 200
        assert f'<html lang="{lang}">' in body
        assert f'data-rasa-url="{web_stack.rasa_url}"' in body  # the server writes Rasa's address in
        assert "__RASA_URL__" not in body
        assert "script-src 'self'" in headers["Content-Security-Policy"]
    status, headers, body = http_get(web_stack.web_url + "/webchat/webchat.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert "IEWebchat" in body
    assert http_get(web_stack.web_url + "/webchat/webchat.css")[0] == 200
    assert http_get(web_stack.web_url + "/webchat/%2e%2e/server.py")[0] == 404
    assert http_get(web_stack.web_url + "/%2e%2e/server.py")[0] == 404


def test_cors_allows_only_the_configured_sites(web_stack):
    _, headers, _ = http_get(web_stack.rasa_url + "/", origin=web_stack.web_url)
    assert headers.get("Access-Control-Allow-Origin") == web_stack.web_url
    _, headers, _ = http_get(web_stack.rasa_url + "/", origin="http://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in headers


# ---------------------------------------------------------- conversations

@pytest.mark.parametrize("device", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["en", "nb"])
def test_faq_answered_in_the_page_language(web_stack, open_page, artifacts, lang, device):
    watched = open_page(web_stack.web_url + PAGES[lang], DESKTOP if device == "desktop" else PHONE)
    page = watched.page
    launcher = page.locator(".iew-launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    if device == "desktop" and lang == "en":
        snap(page, artifacts, "en-desktop-page")
    open_chat(page)
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".iew-msg--welcome")).to_contain_text(WELCOME[lang])
    expect(page.locator(".iew-input")).to_be_focused()
    expect(page.locator(".iew-choices--suggestions .iew-choice")).to_have_count(3)
    if device == "phone":
        # Readable on a phone: the chat fills the screen, nothing sticks out sideways.
        assert page.locator(".iew-panel").evaluate("e => e.offsetWidth") == PHONE["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        snap(page, artifacts, f"{lang}-phone-welcome")

    question, answer = QUESTIONS[lang]
    ask(page, question, answer)
    expect(page.locator(".iew-choices--suggestions")).to_have_count(0)
    expect(page.locator(".iew-typing")).to_be_hidden()
    snap(page, artifacts, f"{lang}-{device}-chat")

    # The page's language reached the bot as message metadata.
    session_id = stored_state(page)["sessionId"]
    first = user_events(web_stack, session_id)[0]
    assert first["text"] == question
    assert first["metadata"].get("language") == lang
    assert not watched.errors, watched.errors


def test_the_bot_follows_a_switch_of_language(web_stack, open_page):
    page = open_page(web_stack.web_url + "/").page
    open_chat(page)
    ask(page, "do I need maths?", QUESTIONS["en"][1])
    ask(page, "må jeg ha matte?", QUESTIONS["nb"][1])
    ask(page, "Do I need maths for the programme?", QUESTIONS["en"][1])
    # The language hint went with the first message only: what the person writes decides.
    events = user_events(web_stack, stored_state(page)["sessionId"])
    assert [e["metadata"].get("language") for e in events] == ["en", None, None]


def test_buttons_are_clickable_and_send_their_payload(web_stack, open_page, artifacts):
    page = open_page(web_stack.web_url + "/").page
    open_chat(page)
    ask(page, "do I need maths?", QUESTIONS["en"][1])
    session_id = stored_state(page)["sessionId"]
    # The bot asks which answer was meant (the action it runs when two answers are about
    # as likely), run through the HTTP API so that the test does not hang on which
    # questions the current model finds ambiguous; then it listens, as after any turn.
    # Its buttons reach the page over socket.io.
    rasa_api(web_stack, "POST", f"/conversations/{session_id}/execute?output_channel=socketio",
             {"name": "action_clarify_faq"})
    rasa_api(web_stack, "POST", f"/conversations/{session_id}/tracker/events",
             {"event": "action", "name": "action_listen"})
    choices = page.locator(".iew-msg--bot .iew-choices[role=group] button.iew-choice")
    expect(choices.first).to_be_visible()
    assert choices.count() >= 2  # at least one answer and "None of these"
    snap(page, artifacts, "en-desktop-buttons")

    title = choices.first.inner_text()
    answers = bot_answers(page).filter(has_text=QUESTIONS["en"][1])
    before = answers.count()
    choices.first.focus()
    page.keyboard.press("Enter")  # keyboard use: the buttons are real buttons
    expect(page.locator(".iew-msg--user .iew-bubble").last).to_have_text(title)  # the title is shown
    expect(answers).to_have_count(before + 1)
    expect(page.locator(".iew-msg--bot .iew-choices")).to_have_count(0)  # used up
    last = user_events(web_stack, session_id)[-1]
    assert last["text"] == '/faq_choice{"faq_key": "math_requirement"}'  # ...and the payload sent


def test_history_survives_a_reload(web_stack, open_page):
    page = open_page(web_stack.web_url + "/nb/").page
    open_chat(page)
    ask(page, "må jeg ha matte?", QUESTIONS["nb"][1])
    session_id = stored_state(page)["sessionId"]
    before = page.locator(".iew-log > li").all_inner_texts()

    page.reload()
    expect(page.locator(".iew-panel")).to_be_visible()  # it was open: it opens again
    expect(page.locator(".iew-log > li")).to_have_count(len(before))
    assert page.locator(".iew-log > li").all_inner_texts() == before
    expect(page.locator("#ie-webchat")).to_have_attribute("data-state", "online")
    ask(page, "do I need maths?", QUESTIONS["en"][1])
    # Same conversation on the server: the session id from localStorage was asked for again.
    assert stored_state(page)["sessionId"] == session_id
    assert [e["text"] for e in user_events(web_stack, session_id)] == ["må jeg ha matte?", "do I need maths?"]

    page.locator(".iew-restart").click()  # a new conversation on request
    expect(page.locator(".iew-msg--user")).to_have_count(0)
    expect(page.locator("#ie-webchat")).to_have_attribute("data-state", "online")
    page.wait_for_function(
        f"() => (JSON.parse(localStorage.getItem('{STORAGE_KEY}')) || {{}}).sessionId !== '{session_id}'"
    )


def test_keyboard_and_screen_reader_labels(web_stack, open_page):
    page = open_page(web_stack.web_url + "/").page
    launcher = page.locator(".iew-launcher")
    expect(launcher).to_have_attribute("aria-label", re.compile("chat", re.I))
    launcher.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".iew-panel[role=dialog]")).to_be_visible()
    expect(page.locator(".iew-input")).to_be_focused()
    log = page.locator(".iew-log")
    expect(log).to_have_attribute("role", "log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(page.get_by_label("Your message")).to_be_visible()
    expect(page.get_by_role("button", name="Send")).to_be_visible()
    expect(page.get_by_role("button", name="Close the chat").first).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".iew-panel")).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


# ------------------------------------------------------------------ safety

MARKUP = ["<img src=x onerror=alert(1)>", "<script>window.__pwned=1</script>"]
BOT_MARKUP = [
    {"event": "bot", "text": '<img src=x onerror="window.__pwned=2">'},
    {"event": "bot", "text": "<script>window.__pwned=3</script><b>not bold</b>"},
    {"event": "bot", "text": "- **Bold** item\n- [evil](javascript:window.__pwned=4) and https://example.org/fees."},
    {"event": "bot", "text": "Pick one", "data": {"buttons": [
        {"title": "<img src=x onerror=alert(5)>", "payload": "/greet"}]}},
]


def test_markup_from_the_person_or_the_bot_never_runs(web_stack, open_page, artifacts):
    watched = open_page(web_stack.web_url + "/")
    page = watched.page
    open_chat(page)
    for text in MARKUP:
        before = bot_answers(page).count()
        page.locator(".iew-input").fill(text)
        page.locator(".iew-input").press("Enter")
        expect(page.locator(".iew-msg--user .iew-bubble").last).to_have_text(text)  # shown as text
        expect(bot_answers(page)).not_to_have_count(before)  # the bot answered it

    # The bot's messages are text too: markup pushed through the real socket.io channel.
    session_id = stored_state(page)["sessionId"]
    rasa_api(web_stack, "POST",
             f"/conversations/{session_id}/tracker/events?output_channel=socketio&execute_side_effects=true",
             BOT_MARKUP)
    expect(page.locator(".iew-msg--bot .iew-choice").last).to_have_text(BOT_MARKUP[-1]["data"]["buttons"][0]["title"])
    expect(page.locator(".iew-msg--bot .iew-bubble", has_text="<script>window.__pwned=3</script><b>not bold</b>")).to_have_count(1)
    snap(page, artifacts, "en-desktop-markup")

    assert watched.dialogs == []
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert shadow_count(page, ".iew-log img, .iew-log script, .iew-log b, .iew-log iframe") == 0
    assert page.evaluate("document.querySelectorAll('body img:not(.hero-art), body > script:not([src])').length") == 0
    # Simple markdown became elements; only the http(s) address became a link.
    assert shadow_count(page, ".iew-msg:not(.iew-msg--welcome) li strong") == 1
    links = page.locator(".iew-log a")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", "https://example.org/fees")  # the full stop is not part of it
    expect(links).to_have_attribute("target", "_blank")
    expect(links).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
    expect(page.locator(".iew-bubble li", has_text="evil")).to_have_count(1)  # the javascript: link is plain text
    assert not watched.errors, watched.errors


# ------------------------------------------------------------- connection

def test_a_clear_message_when_the_server_cannot_be_reached(open_page, extra_site, artifacts):
    site = extra_site(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    for lang, device in (("en", DESKTOP), ("nb", PHONE)):
        page = open_page(site.url + PAGES[lang], device).page
        page.locator(".iew-launcher").click()
        status = page.locator(".iew-status[role=alert]")
        expect(status).to_be_visible()
        expect(status).to_contain_text("studier@iv.ntnu.no")
        expect(page.locator("#ie-webchat")).to_have_attribute("data-state", "offline")
        page.locator(".iew-input").fill("hello?")
        page.locator(".iew-input").press("Enter")
        expect(status).to_contain_text("not sent" if lang == "en" else "ikke sendt")
        expect(page.locator(".iew-input")).to_have_value("hello?")  # kept to send later
        expect(page.locator(".iew-msg--user")).to_have_count(0)
        snap(page, artifacts, f"{lang}-{'desktop' if device is DESKTOP else 'phone'}-offline")


def test_a_site_that_is_not_configured_cannot_open_the_chat(web_stack, open_page, extra_site):
    site = extra_site(web_stack.rasa_url)  # the same pages on an origin Rasa does not know
    page = open_page(site.url + "/").page
    page.locator(".iew-launcher").click()
    expect(page.locator(".iew-status[role=alert]")).to_be_visible()
    expect(page.locator("#ie-webchat")).to_have_attribute("data-state", "offline")
