"""Answer one question with the running assistant: Rasa's /model/parse, then the domain text.

The model (intent, confidence, the `faq` response selector) decides *which* answer; the
text comes from domain/*.yml through `content.response_text` (utter_faq/<key>, the
language=nb variation for Norwegian, the unconditioned one for English). No copy of the
answers lives here. Only `faq` with both confidences >= threshold is answerable; any
other intent except small talk (out_of_scope, nlu_fallback, faq_ambiguous, ask_personal_*,
human_handoff ...) and every personal question goes to an adviser.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from content import faq_topics, response_text
from mailbot.personal import personal_reason

SMALL_TALK = {"greet", "thank", "goodbye"}
PERSONAL_INTENT_PREFIXES = ("ask_personal", "ask_exemption", "ask_my_")
FEE_TOPICS = {"fees", "exemptions", "refunds"}
SUGGEST_FROM = 0.3  # below this, a draft gets no suggested answer at all

ANSWERED, SUGGESTION, PERSONAL, UNANSWERABLE, SMALL = (
    "answered", "suggestion", "personal", "unanswerable", "small_talk")

Parse = Callable[[str], Dict[str, Any]]


class AssistantUnavailable(RuntimeError):
    """No connection to the Rasa server: stop the run, try again at the next poll."""


class AssistantError(RuntimeError):
    """The Rasa server answered this message with an error: try it again, up to a limit."""


class RasaParser:
    """POST {RASA_URL}/model/parse (the server runs with --enable-api)."""

    def __init__(self, url: str, token: str = "", timeout: float = 30.0) -> None:
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout

    def _url(self, path: str) -> str:
        return f"{self.url}{path}" + (f"?{urlencode({'token': self.token})}" if self.token else "")

    def available(self) -> bool:
        try:
            with urlopen(self._url("/status"), timeout=5) as response:
                return "model_file" in response.read().decode("utf-8", "replace")
        except (URLError, HTTPError, OSError):
            return False

    def __call__(self, text: str) -> Dict[str, Any]:
        body = json.dumps({"text": text}).encode("utf-8")
        request = Request(self._url("/model/parse"), data=body, headers={"Content-Type": "application/json"})
        try:
            with urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except (HTTPError, ValueError) as error:  # HTTPError before URLError: it is one
            raise AssistantError(f"{self.url}/model/parse: {error}") from error
        except (URLError, OSError) as error:
            raise AssistantUnavailable(f"{self.url}/model/parse: {error}") from error


@dataclass
class Answer:
    question: str
    status: str
    intent: str = ""
    key: Optional[str] = None  # faq key, e.g. "math_requirement"
    confidence: float = 0.0  # the response selector's (faq) or the intent's
    text: Optional[str] = None  # the answer (status answered) or a suggestion for the adviser
    reason: str = ""
    ranking: List[Dict[str, Any]] = field(default_factory=list)

    @property
    def is_fee(self) -> bool:
        return bool(self.key) and faq_topics().get(self.key, {}).get("topic") in FEE_TOPICS

    def code(self) -> str:
        """status:intent@confidence, without any of the question's words (fit for logs)."""
        what = f"faq/{self.key}" if self.key else self.intent or "?"
        return f"{self.status}:{what}@{self.confidence:.2f}"

    def describe(self) -> str:
        """code() and the reason, which may quote the question ("sensitive: 'sick'"): for the
        adviser's draft and the state database, never for logs."""
        return self.code() + (f" ({self.reason})" if self.reason else "")


def render(key: Optional[str], language: str) -> Optional[str]:
    if not key:
        return None
    text = response_text(f"utter_faq/{key}", language)
    return text.strip() if text else None


def classify(question: str, parsed: Dict[str, Any], language: str, threshold: float) -> Answer:
    intent = parsed.get("intent") or {}
    name, intent_confidence = intent.get("name") or "", float(intent.get("confidence") or 0.0)
    selector = ((parsed.get("response_selector") or {}).get("faq") or {})
    response = selector.get("response") or {}
    ranking = selector.get("ranking") or []
    irk = response.get("intent_response_key") or (ranking[0].get("intent_response_key") if ranking else None)
    key = irk.split("/", 1)[-1] if irk else None
    faq_confidence = float(response.get("confidence") or (ranking[0].get("confidence") if ranking else 0.0) or 0.0)
    answer = Answer(question, UNANSWERABLE, name, None, intent_confidence, ranking=ranking[:3])
    suggest = name in ("faq", "faq_ambiguous") and faq_confidence >= SUGGEST_FROM
    if suggest:
        answer.key, answer.confidence, answer.text = key, faq_confidence, render(key, language)

    reason = personal_reason(question, parsed.get("entities") or ())
    if reason or name.startswith(PERSONAL_INTENT_PREFIXES):
        answer.status, answer.reason = PERSONAL, reason or f"intent {name}"
    elif name in SMALL_TALK:
        answer.status = SMALL
    elif name == "faq" and suggest and answer.text is None:
        answer.reason = f"no answer text for {irk!r}"
    elif name == "faq" and min(faq_confidence, intent_confidence) >= threshold:
        answer.status = ANSWERED
    elif suggest and answer.text:
        answer.status, answer.reason = SUGGESTION, f"{name}, below threshold {threshold}"
    else:
        answer.reason = name or "no intent"
    return answer


def answer_questions(questions: List[str], language: str, parse: Parse, threshold: float) -> List[Answer]:
    answers: List[Answer] = []
    for question in questions:
        answer = classify(question, parse(question), language, threshold)
        # Two questions with the same answer: answer once.
        if answer.status == ANSWERED and any(a.status == ANSWERED and a.key == answer.key for a in answers):
            continue
        answers.append(answer)
    return answers
