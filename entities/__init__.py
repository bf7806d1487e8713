"""Rule-based entities for fee questions, English and Norwegian: no Rasa import, no trained model.

`extract_entities(text, language)` finds `country` (ISO code), `level` (bachelor/master/phd),
`credits` (total credits), `percentage` (study share) and `date` (ISO date), as Rasa-style dicts
{entity, value, start, end, text}. Vocabulary: fees/data/fees.yml (countries),
fees/data/date_words.yml (dates) and entities/vocabulary.yml (the rest).
"""
from entities.extract import ENTITY_NAMES, extract_entities

__all__ = ["ENTITY_NAMES", "extract_entities"]
