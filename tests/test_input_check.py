"""Unreadable input is recognised; readable input is cleaned, never lost."""
import pytest

from hypothesis import given, strategies as st

from language.input_check import MAX_CHARS, check_input, normalise_text


@pytest.mark.parametrize(
    "raw, kind",
    [
        ("", "empty"),
        ("   \n\t", "empty"),
        (None, "empty"),
        ("\x00\x01\x02\x03binary\x04\x05", "binary"),
        ("<img src=x onerror=alert(1)>", "markup"),
        ("<script>alert('x')</script>", "markup"),
        ("https://www.ntnu.edu/studies", "link_only"),
        ("🙂🙂🙂", "no_words"),
        ("???", "no_words"),
        ("30", "ok"),  # a form answer: credits
        ("40 %", "ok"),
        ("what is the fee?", "ok"),
    ],
)
def test_kind(raw, kind):
    assert check_input(raw).kind == kind


def test_markup_is_stripped_but_words_kept():
    checked = check_input("<b>what is the <i>deadline</i></b>?")
    assert checked.kind == "ok"
    assert "<" not in checked.text and "deadline" in checked.text


def test_long_input_is_cut_at_a_word_boundary():
    checked = check_input("tuition " * 5000)
    assert checked.truncated and checked.kind == "ok"
    assert len(checked.text) <= MAX_CHARS
    assert checked.text.endswith("tuition")


def test_bytes_like_input_does_not_crash():
    assert check_input(b"\xff\xfe".decode("latin-1") * 100).kind in ("ok", "binary", "no_words")


# Invisible characters that disguise text: zero-width space/joiner, BOM, right-to-left override.
INVISIBLE = ["\u200b", "\u200d", "\ufeff", "\u202e", "\u2066", "\u00ad"]


@pytest.mark.parametrize("mark", INVISIBLE)
@pytest.mark.parametrize("clean", ["Må jeg betale studieavgift?", "what is the deadline"])
def test_invisible_characters_are_removed(mark, clean):
    disguised = mark.join(clean[i:i + 3] for i in range(0, len(clean), 3))
    assert check_input(disguised).text == check_input(clean).text


def test_compatibility_forms_are_folded():
    # Full-width letters and digits, a ligature: what a phone keyboard or a PDF copy gives.
    assert check_input("ｆｅｅ ２０２６ \u200bﬁnance").text == "fee 2026 finance"


def test_an_expanding_ligature_does_not_grow_the_text():
    assert normalise_text("\ufdfa ２") == "\ufdfa 2"


@given(st.text(max_size=2000))
def test_the_cleaner_never_raises_and_never_grows_its_input(raw):
    assert len(normalise_text(raw)) <= len(raw)
    checked = check_input(raw)
    assert len(checked.text) <= len(raw)
    assert not any(mark in checked.text for mark in INVISIBLE)
