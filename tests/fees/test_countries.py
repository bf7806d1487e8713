"""Free text names a country: in English or Norwegian, by name or by nationality word."""
import pytest

from entities.countries import country_name, resolve_country
from fees.countries import is_eu_eea_swiss, is_uncovered_territory, normalise_code

RESOLVES = [
    # (text, language, ISO code)
    ("Germany", "en", "DE"),
    ("Tyskland", "nb", "DE"),
    ("German", "en", "DE"),
    ("tysk", "nb", "DE"),
    ("svensk statsborger", "nb", "SE"),
    ("I'm Swedish", "en", "SE"),
    ("from China", "en", "CN"),
    ("jeg er fra Kina", "nb", "CN"),
    ("I'm a US citizen", "en", "US"),
    ("I'm from the U.S.", "en", "US"),
    ("amerikansk statsborger", "nb", "US"),
    ("USA", "nb", "US"),
    ("I'm Indian", "en", "IN"),
    ("Jeg er indisk", "nb", "IN"),
    ("indiske statsborgere", "nb", "IN"),
    ("Nigerian", "en", "NG"),
    ("nigeriansk", "nb", "NG"),
    ("kinesisk", "nb", "CN"),
    ("Chinese", "en", "CN"),
    ("Danish", "en", "DK"),
    ("dansk", "nb", "DK"),
    ("Norwegian citizen", "en", "NO"),
    ("nordmann", "nb", "NO"),
    ("Sveits", "nb", "CH"),
    ("Swiss", "en", "CH"),
    ("Island", "nb", "IS"),
    ("Storbritannia", "nb", "GB"),
    ("the UK", "en", "GB"),
    ("Russland", "nb", "RU"),
    ("Türkiye", "en", "TR"),
    ("Turkey", "en", "TR"),
    ("Papua New Guinea", "en", "PG"),
    ("Côte d'Ivoire", "en", "CI"),
    ("Cote d’Ivoire", "en", "CI"),
    ("Østerrike", "nb", "AT"),
    ("Sør-Korea", "nb", "KR"),
    ("i'm from ethiopia", "en", "ET"),
    ("Bangladesh", None, "BD"),   # no language: both tables
    ("Tyskland", None, "DE"),
]
NO_COUNTRY = [
    ("tell us about it", "en"),        # "US" only in capitals
    ("a guinea pig", "en"),
    ("I live on an island", "en"),
    ("Man må betale", "nb"),           # "man" = "one", not the Isle of Man
    ("I need a Norwegian course", "en"),  # a language, not a citizenship
    ("Jeg tar norsk kurs", "nb"),
    ("Jeg har norsk bachelorgrad", "nb"),
    ("", None),
]


@pytest.mark.parametrize("text, language, code", RESOLVES)
def test_text_names_a_country(text, language, code):
    assert resolve_country(text, language) == code


@pytest.mark.parametrize("text, language", NO_COUNTRY)
def test_text_names_no_country(text, language):
    assert resolve_country(text, language) is None


@pytest.mark.parametrize("code, member", [
    ("DE", True), ("SE", True), ("DK", True), ("NO", True), ("IS", True), ("LI", True), ("CH", True),
    ("ie", True), ("HR", True), ("GB", False), ("US", False), ("IN", False), ("NG", False),
    ("CN", False), ("TR", False), ("GL", False), ("", False),
])
def test_eu_eea_switzerland(code, member):
    assert is_eu_eea_swiss(code) is member


@pytest.mark.parametrize("code, uncovered", [("GL", True), ("FO", True), ("RE", True), ("DK", False), ("NG", False)])
def test_territories_of_eu_eea_states_are_uncovered(code, uncovered):
    assert is_uncovered_territory(code) is uncovered


@pytest.mark.parametrize("code, language, name", [
    ("DE", "en", "Germany"), ("DE", "nb", "Tyskland"), ("US", "nb", "USA"),
    ("GB", "nb", "Storbritannia"), ("CH", "nb", "Sveits"), ("NG", "nb", "Nigeria"),
])
def test_country_names_for_responses(code, language, name):
    assert country_name(code, language) == name


@pytest.mark.parametrize("code, normal", [("ng", "NG"), (" de ", "DE"), ("XX", None), (None, None)])
def test_codes_are_normalised(code, normal):
    assert normalise_code(code) == normal
