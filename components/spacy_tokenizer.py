"""NLU component: tokenises with spaCy's rule-based English or Norwegian tokenizer.

No pretrained pipeline is loaded: `spacy.blank("en")` / `spacy.blank("nb")` carry the
language's tokenizer exceptions (Norwegian ordinals "3.", abbreviations "bl.a.",
"f.eks.", English contractions), which a whitespace split gets wrong. The language
comes from the LanguageDetector that runs before this component.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text

import spacy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from rasa.shared.nlu.constants import TEXT

from components.language_detector import DETECTED_LANGUAGE
from language import detect_language


@lru_cache(maxsize=2)
def blank_pipeline(language: Text) -> "spacy.language.Language":
    return spacy.blank(language)


def spacy_tokens(text: Text, language: Text) -> List[Token]:
    """Word tokens with their character offsets; punctuation-only tokens dropped."""
    doc = blank_pipeline("nb" if language == "nb" else "en")(text)
    return [
        Token(t.text, t.idx, lemma=t.lower_)
        for t in doc
        if not (t.is_punct or t.is_space) and t.text.strip()
    ]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class BilingualSpacyTokenizer(Tokenizer):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        # Training examples never pass the LanguageDetector: detect them here. A message
        # it has seen keeps its verdict, even an undecided one (None): no second lingua run.
        if DETECTED_LANGUAGE in message.data:
            language = message.get(DETECTED_LANGUAGE)
        else:
            language = detect_language(message.get(TEXT))
        language = language or "nb"
        tokens = spacy_tokens(text, language)
        return self._apply_token_pattern(tokens)
