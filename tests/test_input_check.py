"""Unreadable input is recognised; readable input is cleaned, never lost."""
import pytest

from language.input_check import MAX_CHARS, check_input


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
