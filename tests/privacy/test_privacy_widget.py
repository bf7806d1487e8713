"""The web chat's privacy side, in Chromium: the notice and privacy pages in both languages,
the "clear conversation" button, and the expiry of the history kept in localStorage."""
from __future__ import annotations

import json
import re
import time
from urllib.request import urlopen

import pytest
from playwright.sync_api import expect

from tests.web.test_webchat import QUESTIONS, STORAGE_KEY, ask, open_chat, stored_state

PAGES = {"en": "/", "nb": "/nb/"}
NOTICE = {
    "en": ("NTNU keeps this conversation for 90 days", "Privacy", "/privacy.html", "Clear conversation"),
    "nb": ("NTNU tar vare på samtalen i 90 dager", "Personvern", "/nb/personvern.html", "Slett samtalen"),
}
DAY_MS = 24 * 3600 * 1000


@pytest.mark.parametrize("lang", ["en", "nb"])
def test_the_notice_names_what_how_long_who_and_links_the_privacy_page(private_stack, open_page, lang):
    text, link_text, path, clear = NOTICE[lang]
    page = open_page(private_stack.web_url + PAGES[lang]).page
    open_chat(page)
    notice = page.locator(".iew-privacy")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text(text)
    link = notice.get_by_role("link", name=re.compile(link_text))
    expect(link).to_have_attribute("href", private_stack.web_url + path)
    button = page.locator(".iew-clear")
    expect(button).to_have_text(clear)
    expect(button).to_have_attribute("aria-label", re.compile(clear.split()[0]))
    with urlopen(private_stack.web_url + path, timeout=10) as response:
        body = response.read().decode("utf-8")
    assert f'<html lang="{lang}">' in body
    assert "NTNU" in body and "90" in body and "studier@iv.ntnu.no" in body and "+47 73 59 37 00" in body
    assert "15" in body and "17" in body  # the GDPR articles: access, erasure


def test_clear_removes_the_history_and_starts_a_new_conversation(private_stack, open_page):
    page = open_page(private_stack.web_url + "/").page
    open_chat(page)
    ask(page, "do I need maths?", QUESTIONS["en"][1])
    before = stored_state(page)
    assert before["messages"] and before["sessionId"]

    page.locator(".iew-clear").focus()  # a real button: the keyboard reaches it
    page.keyboard.press("Enter")

    expect(page.locator(".iew-msg--user")).to_have_count(0)
    expect(page.locator("#ie-webchat")).to_have_attribute("data-state", "online")
    page.wait_for_function(
        f"() => (JSON.parse(localStorage.getItem('{STORAGE_KEY}')) || {{}}).sessionId !== '{before['sessionId']}'"
        f" && !!(JSON.parse(localStorage.getItem('{STORAGE_KEY}')) || {{}}).sessionId")
    raw = page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')")
    assert "maths" not in raw and json.loads(raw)["messages"] == []
    expect(page.locator(".iew-panel [role=status]")).to_contain_text("deleted from this browser")
    page.reload()
    expect(page.locator(".iew-msg--user")).to_have_count(0)  # gone for good


def seed_history(page, messages, last_active_days_ago: float, session_id: str = "old-session") -> None:
    now = time.time() * 1000
    state = {
        "sessionId": session_id, "open": True, "lastActive": now - last_active_days_ago * DAY_MS,
        "messages": [{"who": who, "text": text, **({} if age is None else {"at": now - age * DAY_MS})}
                     for who, text, age in messages],
    }
    page.evaluate("([key, value]) => localStorage.setItem(key, value)", [STORAGE_KEY, json.dumps(state)])
    page.reload()
    expect(page.locator(".iew-panel")).to_be_visible()


def test_history_older_than_the_retention_is_dropped_on_load(private_stack, open_page):
    page = open_page(private_stack.web_url + "/").page
    seed_history(page, [("user", "ancient question 91", 91), ("bot", "ancient answer", 91),
                        ("user", "legacy entry without a time", None),
                        ("user", "recent question 89", 89), ("bot", "recent answer", 1)], last_active_days_ago=1)
    expect(page.locator(".iew-msg--user .iew-bubble")).to_have_text(["recent question 89"])
    expect(page.locator(".iew-msg--bot:not(.iew-msg--welcome) .iew-bubble")).to_have_text(["recent answer"])
    raw = page.evaluate(f"localStorage.getItem('{STORAGE_KEY}')")
    assert "ancient" not in raw and "legacy" not in raw  # gone from localStorage too, at once
    assert json.loads(raw)["sessionId"] == "old-session"  # the conversation itself goes on

    # A whole conversation older than the retention: nothing kept, a new session id.
    seed_history(page, [("user", "ancient question", 100)], last_active_days_ago=100)
    expect(page.locator(".iew-msg--user")).to_have_count(0)
    expect(page.locator("#ie-webchat")).to_have_attribute("data-state", "online")
    page.wait_for_function(
        f"() => {{ const s = JSON.parse(localStorage.getItem('{STORAGE_KEY}')) || {{}};"
        " return !!s.sessionId && s.sessionId !== 'old-session'; }")


def test_the_retention_days_option(private_stack, open_page):
    page = open_page(private_stack.web_url + "/").page

    def with_option(route):  # the demo page, its widget tag with data-retention-days="1"
        response = route.fetch()
        route.fulfill(response=response, body=response.text().replace(
            'src="/webchat/webchat.js"', 'src="/webchat/webchat.js" data-retention-days="1"'))

    page.route(private_stack.web_url + "/", with_option)
    seed_history(page, [("user", "two days old", 2), ("user", "an hour old", 1 / 24)], last_active_days_ago=0)
    expect(page.locator(".iew-msg--user .iew-bubble")).to_have_text(["an hour old"])
    expect(page.locator(".iew-privacy")).to_contain_text("for 1 days")
