"""The content is complete, bilingual, traceable to the seeds, and the numbers agree.

- every FAQ in the catalogue has training questions and an answer in both languages;
- every response exists in English and Norwegian (same buttons);
- every number, e-mail address and phone number a response states is on a seed page
  or in the fee data file, and the English and Norwegian texts state the same ones;
- every seed passage is mapped to an FAQ (content/coverage/), and every FAQ to a passage;
- held-out questions never appear in the training data.
"""
import re
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from bench.quality import normalise
from content import LANGUAGES, faq_topics, responses
from language import detect_language

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_FILES = {"000": "000_79d3fb6621a2d10c.txt", "004": "004_02c10f2196cfd3ea.txt"}
FEE_DATA = ROOT / "fees" / "data" / "fees.yml"
MIN_EXAMPLES_PER_LANGUAGE = 15


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def seed_text(seed: str) -> str:
    return (SEEDS / SEED_FILES[seed]).read_text(encoding="utf-8")


def nlu_examples(folder: Path):
    """intent -> list of example texts, from every NLU file below folder."""
    examples = defaultdict(list)
    for path in sorted(folder.rglob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []) or []:
            if "intent" in block:
                for line in block.get("examples", "").splitlines():
                    line = line.strip()
                    if line.startswith("- "):
                        examples[block["intent"]].append(re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", r"\1\2", line[2:]))
    return examples


TRAINING = nlu_examples(ROOT / "data" / "nlu")


@pytest.mark.parametrize("key", sorted(faq_topics()))
def test_every_faq_has_training_questions_in_both_languages(key):
    questions = TRAINING.get(f"faq/{key}", [])
    by_language = defaultdict(int)
    for question in questions:
        by_language[detect_language(question)] += 1
    assert by_language["en"] >= MIN_EXAMPLES_PER_LANGUAGE, f"faq/{key}: {dict(by_language)}"
    assert by_language["nb"] >= MIN_EXAMPLES_PER_LANGUAGE, f"faq/{key}: {dict(by_language)}"


@pytest.mark.parametrize("key", sorted(faq_topics()))
def test_every_faq_has_an_answer_in_both_languages(key):
    assert set(responses().get(f"utter_faq/{key}", {})) == set(LANGUAGES)


def test_no_answer_without_a_catalogue_entry():
    answered = {name.split("/", 1)[1] for name in responses() if name.startswith("utter_faq/")}
    assert answered == set(faq_topics())


def all_domain_response_names():
    names = set()
    for path in (ROOT / "domain").glob("*.yml"):
        names |= set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    return sorted(names)


@pytest.mark.parametrize("name", all_domain_response_names())
def test_every_response_exists_in_english_and_norwegian(name):
    variations = responses().get(name, {})
    assert set(variations) == set(LANGUAGES), f"{name} has only {sorted(variations)}"
    english, norwegian = variations["en"], variations["nb"]
    assert english.get("text", "").strip() and norwegian.get("text", "").strip()
    assert len(english.get("buttons") or []) == len(norwegian.get("buttons") or [])
    assert [b["payload"] for b in english.get("buttons") or []] == [b["payload"] for b in norwegian.get("buttons") or []]


# --- numbers, e-mail addresses, phone numbers --------------------------------------

PHONE = re.compile(r"\+\d{2}(?: ?\d{2}){4}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"https?://\S+")
# 254 950 / 254,950 / 63 737,50 / 7.5 / 2023 -> digits only, so both languages compare.
NUMBER = re.compile(r"\d{1,3}(?:[ \u00a0.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?")
TEMPLATE = re.compile(r"\{[a-z_]+\}")


def facts(text: str):
    """(numbers, e-mails, phones) stated in a text, normalised."""
    text = TEMPLATE.sub(" ", text)
    phones = {re.sub(r"\D", "", p) for p in PHONE.findall(text)}
    emails = set(EMAIL.findall(text))
    rest = URL.sub(" ", EMAIL.sub(" ", PHONE.sub(" ", text)))
    numbers = {re.sub(r"\D", "", n).lstrip("0") or "0" for n in NUMBER.findall(rest)}
    return numbers, emails, phones


def known_facts():
    text = "\n".join(seed_text(s) for s in SEED_FILES) + (SEEDS / "README.md").read_text(encoding="utf-8")
    if FEE_DATA.exists():
        text += FEE_DATA.read_text(encoding="utf-8")
    return facts(text)


KNOWN_NUMBERS, KNOWN_EMAILS, KNOWN_PHONES = known_facts()


@pytest.mark.parametrize("name", all_domain_response_names())
def test_stated_facts_come_from_the_seeds_or_the_fee_data(name):
    for language, variation in responses().get(name, {}).items():
        numbers, emails, phones = facts(variation.get("text", ""))
        assert numbers <= KNOWN_NUMBERS, f"{name} [{language}] states {sorted(numbers - KNOWN_NUMBERS)}"
        assert emails <= KNOWN_EMAILS, f"{name} [{language}] states {sorted(emails - KNOWN_EMAILS)}"
        assert phones <= KNOWN_PHONES, f"{name} [{language}] states {sorted(phones - KNOWN_PHONES)}"


@pytest.mark.parametrize("name", all_domain_response_names())
def test_english_and_norwegian_state_the_same_facts(name):
    variations = responses().get(name, {})
    if set(variations) != set(LANGUAGES):
        pytest.fail(f"{name} is missing a language")
    assert facts(variations["en"].get("text", "")) == facts(variations["nb"].get("text", ""))


# --- coverage of the seed pages -------------------------------------------------

def coverage_entries():
    entries = []
    for path in sorted((ROOT / "content" / "coverage").glob("*.yml")):
        seed = path.stem
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            entries.append((seed, entry))
    return entries


def test_coverage_tables_exist_for_both_seeds():
    assert {seed for seed, _ in coverage_entries()} == set(SEED_FILES)


@pytest.mark.parametrize("seed, entry", coverage_entries())
def test_coverage_passage_is_quoted_from_its_seed_and_names_real_faqs(seed, entry):
    assert collapse(entry["passage"]) in collapse(seed_text(seed)), entry["passage"]
    for intent in entry.get("intents") or []:
        assert intent.startswith("faq/") and intent[4:] in faq_topics(), intent
    if not entry.get("intents"):
        assert entry.get("note"), f"passage without an FAQ needs a note: {entry['passage']}"


# A sentence ends at . ! or ? followed by a capital letter or "(" ("ca. tre uker", "9. juni"
# and "7.5 ECTS" do not end one). One pass, no nested quantifiers: linear in the text.
SENTENCE_END = re.compile(r"(?<=[.!?]) +(?=[A-ZÆØÅ(])")
# "  1. Er statsborger ...": the number of a list item is not part of its sentence.
LIST_NUMBER = re.compile(r"^\d{1,2}\. (?=[A-ZÆØÅ])")
HAS_WORD = re.compile(r"[^\W\d_]{2,}")


def seed_sentences(seed: str):
    """Every sentence of a seed page, mechanically: line by line, then at sentence ends.

    A one-word piece ("Yes.") is the start of the next sentence, not a sentence of its own.
    """
    sentences = []
    for line in seed_text(seed).splitlines():
        line = LIST_NUMBER.sub("", collapse(line))
        pieces, carry = [], ""
        for piece in SENTENCE_END.split(line):
            piece = f"{carry} {piece}".strip() if carry else piece
            carry = piece if len(piece.split()) < 2 and piece.endswith(".") else ""
            if not carry:
                pieces.append(piece)
        pieces += [carry] if carry else []
        sentences += [p for p in pieces if HAS_WORD.search(p)]
    return sentences


def test_sentence_splitting_is_mechanical_and_keeps_abbreviations():
    assert "Forventet behandlingstid for søknad om fritak er ca. tre uker." in seed_sentences("004")
    assert "Er statsborger i et land i EU/EØS eller Sveits." in seed_sentences("004")
    assert "Master's Degree Programme, 2 years, Trondheim" in seed_sentences("000")
    assert seed_sentences("000").count("Yes. The study programme accepts international students both from the EU and outside the EU, as well as Norwegian students.") == 1


@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_every_sentence_of_a_seed_is_in_its_coverage_table(seed):
    table = {collapse(e["passage"]): e for s, e in coverage_entries() if s == seed}
    missing = [s for s in seed_sentences(seed) if s not in table]
    assert not missing, "seed sentences with no coverage entry:\n" + "\n".join(missing)


@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_every_table_entry_is_one_seed_sentence(seed):
    sentences = set(seed_sentences(seed))
    extra = [e["passage"] for s, e in coverage_entries() if s == seed and collapse(e["passage"]) not in sentences]
    assert not extra, "coverage entries that are not one sentence of the seed:\n" + "\n".join(extra)


@pytest.mark.parametrize("seed", sorted(SEED_FILES))
def test_a_sentence_without_an_answer_says_why(seed):
    for s, entry in coverage_entries():
        if s == seed and not entry.get("intents"):
            assert len(str(entry.get("note") or "")) >= 10, f"say why it has no answer: {entry['passage']}"


def test_the_header_line_is_answered():
    # "Master's Degree Programme, 2 years, Trondheim": length, place and degree.
    header = [e for s, e in coverage_entries() if s == "000" and e["passage"].startswith("Master's Degree Programme")]
    assert header and "faq/programme_overview" in header[0]["intents"]
    for language in LANGUAGES:
        text = responses()["utter_faq/programme_overview"][language]["text"]
        assert "2" in text and "Trondheim" in text and "Master's Degree Programme" in text


# --- contacts by topic ---------------------------------------------------------

CONTACTS = {"programme", "course", "fees", "international"}


@pytest.mark.parametrize("key", sorted(faq_topics()))
def test_every_faq_names_a_contact_with_a_handover_answer(key):
    contact = faq_topics()[key].get("contact")
    assert contact in CONTACTS, f"{key}: contact {contact!r}"
    assert set(responses().get(f"utter_handover_{contact}", {})) == set(LANGUAGES)


@pytest.mark.parametrize("contact, stated", [
    ("programme", "studier@iv.ntnu.no"),
    ("course", "emnedatabase"),
    ("fees", "opptak@ntnu.no"),
    ("international", "admissions@st.ntnu.no"),
])
def test_handover_answers_name_their_contact_in_both_languages(contact, stated):
    texts = responses()[f"utter_handover_{contact}"]
    assert stated in texts["nb"]["text"]
    assert (stated if "@" in stated else "course database") in texts["en"]["text"]


def test_every_faq_rests_on_a_seed_passage():
    cited = {i[4:] for _, e in coverage_entries() for i in e.get("intents") or []}
    assert set(faq_topics()) - cited == set()


# --- held-out questions ---------------------------------------------------------

HELD_OUT_SETS = [ROOT / "tests" / "heldout"] + sorted(p for p in (ROOT / "bench").glob("eval*") if p.is_dir())


def test_held_out_questions_are_not_training_examples():
    training = {normalise(q) for qs in TRAINING.values() for q in qs}
    for folder in HELD_OUT_SETS:
        held_out = {normalise(q) for qs in nlu_examples(folder).values() for q in qs}
        assert held_out, f"no held-out questions in {folder}"
        leaked = held_out & training
        assert not leaked, f"{len(leaked)} held-out questions are in the training data: {sorted(leaked)[:5]}"


def test_held_out_sets_are_disjoint():
    seen = {}
    for folder in HELD_OUT_SETS:
        questions = {normalise(q) for qs in nlu_examples(folder).values() for q in qs}
        for other, earlier in seen.items():
            assert not questions & earlier, f"{folder.name} and {other} share {sorted(questions & earlier)[:5]}"
        seen[folder.name] = questions
