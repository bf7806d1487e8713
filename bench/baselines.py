"""The two answer-quality baselines, on the same questions as our model.

* `rasa_default`: our data/nlu and domain trained with the config `rasa init` writes (its
  pipeline is empty, so Rasa 3.6 fills in its default: DIET + ResponseSelector + Fallback).
  Training takes ~15 min on two cores, so the model is cached in bench/cache/, keyed by a
  hash of data/nlu, domain/ and that config: only the first run (or changed data) pays.
* `bm25`: a BM25 search (rank_bm25) over the training questions of every FAQ (plus the FAQ's
  answer texts in both languages) and of the chit-chat intents; it answers with the label of
  the best-scoring document, and hands over below a score threshold chosen on the
  development set tests/heldout (never on bench/eval).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import yaml

from bench.quality import HANDOVER, Question, load_questions, normalise

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / "cache"
NLU = ROOT / "data" / "nlu"
DOMAIN = ROOT / "domain"
VENV_BIN = Path(sys.executable).parent


def _rasa_package() -> Path:
    import rasa

    return Path(rasa.__file__).resolve().parent


def init_config() -> Path:
    """The config.yml that `rasa init` writes, from the installed rasa package."""
    return _rasa_package() / "cli" / "initial_project" / "config.yml"


def rasa_default_model_path() -> Path:
    digest = hashlib.sha256()
    for path in sorted([*NLU.rglob("*.yml"), *DOMAIN.rglob("*.yml"), init_config()]):
        digest.update(str(path.relative_to(path.parents[1])).encode())
        digest.update(path.read_bytes())
    return CACHE / f"rasa-default-{digest.hexdigest()[:12]}.tar.gz"


def train_rasa_default(log: Callable[[str], None] = print) -> Tuple[Path, Optional[float]]:
    """The cached default-pipeline model, trained first if missing. Returns (path, seconds or None)."""
    target = rasa_default_model_path()
    _wait_for_other_training(target, log)
    if target.exists():
        log(f"rasa default pipeline: cached model {target.relative_to(ROOT)} (no training)")
        return target, None
    CACHE.mkdir(parents=True, exist_ok=True)
    lock = target.with_name(target.name + ".training")
    lock.write_text(str(os.getpid()))
    try:
        return _train(target, log)
    finally:
        lock.unlink(missing_ok=True)


def _progress() -> str:
    """The last progress bar line of the training log: component and epoch."""
    text = (CACHE / "rasa-default-train.log").read_text(errors="replace")
    component = text.rsplit("Starting to train component '", 1)[-1].split("'", 1)[0] if "Starting to train" in text else "preparing"
    epoch = text.rsplit("Epochs:", 1)[-1].split("[", 1)[0].split("|")[-1].strip() if "Epochs:" in text else ""
    return f"{component} epoch {epoch}".strip()


def _wait_for_other_training(target: Path, log: Callable[[str], None]) -> None:
    """Another `make bench` is training the same model: wait for it rather than train twice."""
    lock = target.with_name(target.name + ".training")
    while lock.exists() and not target.exists():
        try:
            os.kill(int(lock.read_text().strip()), 0)
        except (ValueError, ProcessLookupError):
            return
        log(f"rasa default pipeline: another process is training it, waiting ({_progress()})")
        time.sleep(60)


def _train(target: Path, log: Callable[[str], None]) -> Tuple[Path, Optional[float]]:
    log(f"rasa default pipeline: no cached model for this data -> training DIET+ResponseSelector "
        f"(about 15 min on 2 cores, only this once) -> {target.relative_to(ROOT)}")
    with tempfile.TemporaryDirectory(prefix="bench-rasa-default-") as tmp:
        # Rasa writes the auto-filled pipeline back into the config file: use a copy.
        config = Path(tmp) / "config.yml"
        shutil.copy(init_config(), config)
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
               "RASA_CACHE_DIRECTORY": str(Path(tmp) / "cache"), "PYTHONWARNINGS": "ignore"}
        start = time.monotonic()
        with open(CACHE / "rasa-default-train.log", "w") as out:
            process = subprocess.Popen(
                [str(VENV_BIN / "rasa"), "train", "nlu", "--config", str(config), "--nlu", str(NLU),
                 "--domain", str(DOMAIN), "--out", tmp, "--fixed-model-name", "rasa-default"],
                cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT,
            )
            while process.poll() is None:
                time.sleep(5)
                if int(time.monotonic() - start) % 60 < 5:
                    log(f"rasa default pipeline: training ({_progress()})")
            if process.returncode:
                raise RuntimeError(f"rasa train nlu failed, see {CACHE / 'rasa-default-train.log'}")
        seconds = time.monotonic() - start
        shutil.move(str(Path(tmp) / "rasa-default.tar.gz"), str(target))
    log(f"rasa default pipeline: trained in {seconds / 60:.1f} min")
    return target, seconds


def default_parse(parse: Dict) -> Dict:
    """Rasa's ResponseSelector without `retrieval_intent` answers under the key 'default'."""
    selector = dict(parse.get("response_selector") or {})
    if "faq" not in selector and "default" in selector:
        selector["faq"] = selector["default"]
    return {**parse, "response_selector": selector}


# ---------------------------------------------------------------- BM25


def _training_examples() -> List[Tuple[str, str]]:
    """(label, text) for the FAQ (faq/<key>) and chit-chat training questions in data/nlu."""
    examples = []
    for path in sorted(NLU.rglob("*.yml")):
        if path.stem in ("out_of_scope", "fee_personal"):
            continue
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if "intent" not in block:
                continue
            for line in (block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    examples.append((block["intent"], line.strip()[2:]))
    return examples


def tokens(text: str) -> List[str]:
    return normalise(text).split()


class Bm25Faq:
    def __init__(self, examples: List[Tuple[str, str]], with_answers: bool = True) -> None:
        from rank_bm25 import BM25Okapi

        from content import response_text

        docs = list(examples)
        if with_answers:
            for label in sorted({label for label, _ in examples if label.startswith("faq/")}):
                for language in ("en", "nb"):
                    text = response_text(f"utter_{label}", language)
                    if text:
                        docs.append((label, text))
        self.labels = [label for label, _ in docs]
        self.index = BM25Okapi([tokens(text) or ["_"] for _, text in docs])
        self.threshold = 0.0

    def best(self, text: str) -> Tuple[str, float]:
        query = tokens(text)
        if not query:
            return HANDOVER, 0.0
        scores = self.index.get_scores(query)
        i = max(range(len(scores)), key=scores.__getitem__)
        return self.labels[i], float(scores[i])

    def answer(self, text: str) -> str:
        label, score = self.best(text)
        return label if score >= self.threshold else HANDOVER

    def fit_threshold(self, questions: List[Question]) -> float:
        """The hand-over threshold with the most right answers on `questions`."""
        scored = [(q, *self.best(q.text)) for q in questions]
        candidates = sorted({round(s, 2) for _, _, s in scored} | {0.0})

        def right(t: float) -> int:
            return sum((label if s >= t else HANDOVER) == q.expected for q, label, s in scored)

        self.threshold = max(candidates, key=lambda t: (right(t), -t))
        return self.threshold


def bm25_baseline() -> Bm25Faq:
    model = Bm25Faq(_training_examples())
    model.fit_threshold(load_questions(ROOT / "tests" / "heldout"))
    return model


if __name__ == "__main__":  # `python -m bench.baselines`: train (or find) the cached DIET model
    print(train_rasa_default()[0])
