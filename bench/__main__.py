"""`make bench` / `python -m bench [--quick]`: quality, baselines, speed and size -> bench/results/.

Steps (each printed with the elapsed time): answers of our model, the BM25 baseline and the
Rasa-default baseline on bench/eval and bench/eval_unseen (+ out-of-scope recall on
bench/eval_fresh; the four outcomes right / clarified / handed over / wrong on every held-out
set, tests/heldout included); our stack over REST (reply language, scripted fee dialogues,
simulated users from tests/simulator/people.yml, load from a separate process, peak RSS); the same
load on Rasa's starter bot; cold training time; report (JSON, Markdown, PNG).
--quick: every 3rd question, 1 and 8 concurrent for 8 s, no DIET baseline unless cached, no cold training.
"""
from __future__ import annotations

import os
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("PYTHONWARNINGS", "ignore")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
warnings.filterwarnings("ignore")

import argparse
import asyncio
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

from bench import baselines, report, simulator
from bench.quality import (HANDOVER, REPLY_LANGUAGE_DEFINITION, Outcome, answer_of, dialogue_passes,
                           load_dialogues, load_questions, offered_choices, outcome_summary, reply_language_of,
                           summarise)
from content import faq_topics
from scripts.stack import MODEL, QUIET_ENV, ROOT, Stack
from tests.conftest import rest_say

EVAL, FRESH, UNSEEN = ROOT / "bench" / "eval", ROOT / "bench" / "eval_fresh", ROOT / "bench" / "eval_unseen"
HELD_OUT = ROOT / "tests" / "heldout"
CACHE, RESULTS = ROOT / "bench" / "cache", ROOT / "bench" / "results"
BEGIN = time.monotonic()


def step(text: str) -> None:
    minutes, seconds = divmod(int(time.monotonic() - BEGIN), 60)
    print(f"[{minutes:02d}:{seconds:02d}] {text}", flush=True)


def parse_all(model: Path, texts: List[str], fix=lambda p: p) -> List[Dict]:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # no debug line per parsed message
    logging.getLogger().setLevel(logging.WARNING)
    agent = Agent.load(str(model))

    async def run():
        return [fix(await agent.parse_message(t)) for t in texts]

    return asyncio.run(run())


def quality_of(answers: List[str], questions, choices=None) -> Dict:
    outcomes = [Outcome(q, a, (choices or {}).get(i, [])) for i, (q, a) in enumerate(zip(questions, answers))]
    return summarise(outcomes, faq_topics())


def outcomes_of(parses: List[Dict], questions) -> Dict:
    """right / clarified / handed_over / wrong per language for one held-out set."""
    return outcome_summary(Outcome(q, answer_of(p), offered_choices(p)) for q, p in zip(questions, parses))


def simulated_users(stack: Stack, quick: bool) -> Dict:
    """Every person of tests/simulator/people.yml (the subset with --quick) against the stack."""
    if not simulator.PEOPLE.exists():
        return {"success": None, "reason": f"{simulator.PEOPLE.relative_to(ROOT)} is missing"}
    people = simulator.load_people(subset_only=quick)
    step(f"simulated users over REST + tracker API: {len(people)} people{' (subset)' if quick else ''}")
    summary = simulator.summarise_dialogues(simulator.run_people(simulator.Assistant.of_stack(stack), people, step))
    step(f"  success {summary['success']}, turns mean {summary['turns_mean']}, max repeats {summary['max_repeats']}")
    return summary


def group_rss_mb(pid: int) -> float:
    """Peak RSS (VmHWM) summed over the process group of `pid` (the server and its children)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[2]) != pid:
                continue
            for line in (stat.parent / "status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return round(total / 1024, 1)


def run_load(stack: Stack, questions: List[str], tag: str, args) -> Dict:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        qfile, out = Path(tmp) / "q.json", Path(tmp) / "out.json"
        qfile.write_text(json.dumps(questions), encoding="utf-8")
        command = [sys.executable, "-m", "bench.load", "--url", stack.rasa_url, "--questions", str(qfile),
                   "--out", str(out), "--tag", tag, "--levels", args.levels, "--seconds", str(args.seconds),
                   "--single", str(args.single)]
        subprocess.run(command, cwd=ROOT, env={**os.environ, **QUIET_ENV}, check=True)
        return json.loads(out.read_text(encoding="utf-8"))


def rest_checks(stack: Stack, questions, quick: bool) -> Dict:
    step(f"reply language over REST: {len(questions)} questions, each a new conversation")
    languages = []
    for i, q in enumerate(questions):
        languages.append(reply_language_of(rest_say(stack.rasa_url, f"bench-lang-{i}", q.text)))
    right = [lang == q.language for lang, q in zip(languages, questions)]
    result = {"reply_language": round(sum(right) / len(right), 4), "reply_language_definition": REPLY_LANGUAGE_DEFINITION,
              "reply_language_wrong": [{"text": q.text, "language": q.language, "reply": lang}
                                       for q, lang, ok in zip(questions, languages, right) if not ok]}
    result["dialogues"] = simulated_users(stack, quick)
    result["dialogues"]["scripted"] = scripted_dialogues(stack)
    return result


def scripted_dialogues(stack: Stack) -> Dict:
    """bench/eval/dialogues.yml replayed turn by turn: the last answer has the expected texts."""
    path = EVAL / "dialogues.yml"
    if not path.exists():
        return {"success": None, "reason": f"{path.relative_to(ROOT)} is missing"}
    intents = json.loads(urlopen_json(f"{stack.rasa_url}/domain", getattr(stack, "api_token", None))).get("intents") or []
    names = {next(iter(i)) if isinstance(i, dict) else i for i in intents}
    if "ask_personal_fee" not in names:
        return {"success": None, "reason": "the fee dialogue (intent ask_personal_fee) is not in the trained model"}
    cases = load_dialogues(path)
    step(f"fee dialogues over REST: {len(cases)} conversations")
    checks = []
    for i, case in enumerate(cases):
        last: List[Dict] = []
        for turn in case.get("turns") or []:
            last = rest_say(stack.rasa_url, f"bench-dialogue-{i}", str(turn))
        checks.append(dialogue_passes(case, last))
    passed = sum(c["passed"] for c in checks)
    return {"success": round(passed / len(checks), 4) if checks else None, "passed": passed,
            "total": len(checks), "failures": [c for c in checks if not c["passed"]]}


def urlopen_json(url: str, token: Optional[str] = None) -> str:
    from urllib.parse import urlencode
    from urllib.request import Request, urlopen

    token = token or os.environ.get("RASA_API_TOKEN")  # /domain is part of the HTTP API
    headers = {"Accept": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})}
    with urlopen(Request(url + (f"?{urlencode({'token': token})}" if token else ""), headers=headers), timeout=30) as response:
        return response.read().decode("utf-8")


def serve_and_load(model: Path, tag: str, load_questions_: List[str], args, checks=None) -> Dict:
    step(f"{tag}: starting the action server and the Rasa server ({model.name})")
    begin = time.perf_counter()
    with Stack(model=model, api=True, log_dir=Path(tempfile.mkdtemp(prefix=f"bench-{tag}-logs-"))) as stack:
        ready = time.perf_counter()
        rest_say(stack.rasa_url, f"bench-first-{tag}", load_questions_[0])
        # Start-up (both servers, model loaded) and the very first answer, before anything is warm.
        result = {"startup_seconds": round(ready - begin, 1), "first_answer_ms": round(1000 * (time.perf_counter() - ready), 1)}
        step(f"{tag}: servers ready after {result['startup_seconds']} s, first answer in {result['first_answer_ms']} ms")
        result.update(checks(stack) if checks else {})
        step(f"{tag}: load from a separate process (one user, {args.levels} concurrent, {args.seconds:.0f} s each, long conversation)")
        result["load"] = run_load(stack, load_questions_, tag, args)
        actions, rasa = stack.processes[0], stack.processes[1]
        result["rss_mb"] = {"rasa": group_rss_mb(rasa.pid), "actions": group_rss_mb(actions.pid)}
    result["model_mb"] = round(model.stat().st_size / 1e6, 2)
    return result


def starter_model() -> Path:
    import rasa

    target = CACHE / f"starter-rasa-{rasa.__version__}.tar.gz"
    if target.exists():
        step(f"starter bot: cached model {target.relative_to(ROOT)}")
        return target
    step("starter bot: `rasa init --no-prompt` (creates and trains Rasa's example bot, a few minutes)")
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-starter-"))
    (tmp / "bot").mkdir()
    env = {**os.environ, **QUIET_ENV, "RASA_CACHE_DIRECTORY": str(tmp / ".cache")}
    with open(CACHE / "starter-train.log", "w") as log:
        subprocess.run([str(Path(sys.executable).parent / "rasa"), "init", "--no-prompt", "--init-dir", str(tmp / "bot")],
                       cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT, check=True)
    models = sorted((tmp / "bot" / "models").glob("*.tar.gz"))
    models[-1].rename(target)
    return target


def cold_train() -> float:
    step("cold training: `rasa train --domain domain --force` into a temp dir, empty cache")
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        env = {**os.environ, **QUIET_ENV, "RASA_CACHE_DIRECTORY": str(Path(tmp) / "cache")}
        start = time.monotonic()
        subprocess.run([str(Path(sys.executable).parent / "rasa"), "train", "--domain", "domain", "--config", "config.yml",
                        "--data", "data", "--out", tmp, "--force", "--quiet"],
                       cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        seconds = round(time.monotonic() - start, 1)
    step(f"cold training took {seconds} s")
    return seconds


def machine() -> Dict:
    import rasa

    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines() if l.startswith("model name")), "")
    mem = next((int(l.split()[1]) for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")), 0)
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem / 1024 ** 2, 1), "python": platform.python_version(),
            "rasa": rasa.__version__, "load_average_at_start": list(os.getloadavg())}


def unseen_summary(quality: Dict) -> Dict:
    return {k: quality[k] for k in ("accuracy", "by_topic", "oos", "clarified", "counts")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    args.levels, args.seconds, args.single = ("1,8", 8.0, 40) if args.quick else ("1,8,32", 20.0, 150)
    results: Dict = {"timestamp": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "quick": args.quick, "machine": machine()}
    questions, fresh, unseen = load_questions(EVAL), load_questions(FRESH), load_questions(UNSEEN)
    held_out = load_questions(HELD_OUT)
    if args.quick:
        questions, fresh, unseen, held_out = questions[::3], fresh[::3], unseen[::3], held_out[::3]
    texts, unseen_texts = [q.text for q in questions], [q.text for q in unseen]
    step(f"our model: parsing {len(questions)} bench/eval + {len(fresh)} bench/eval_fresh + {len(unseen)} bench/eval_unseen "
         f"+ {len(held_out)} tests/heldout questions ({MODEL.name})")
    parses = parse_all(MODEL, texts + [q.text for q in fresh] + unseen_texts + [q.text for q in held_out])
    eval_parses, fresh_parses = parses[: len(texts)], parses[len(texts): len(texts) + len(fresh)]
    unseen_parses = parses[len(texts) + len(fresh): len(texts) + len(fresh) + len(unseen)]
    held_out_parses = parses[len(texts) + len(fresh) + len(unseen):]
    ours = quality_of([answer_of(p) for p in eval_parses], questions, {i: offered_choices(p) for i, p in enumerate(eval_parses)})
    fresh_answers = [answer_of(p) for p in fresh_parses]
    results["quality"] = ours
    results["oos_fresh"] = {"recall": round(sum(a == HANDOVER for a in fresh_answers) / len(fresh), 4), "questions": len(fresh)}
    results["unseen"] = {"ours": unseen_summary(quality_of([answer_of(p) for p in unseen_parses], unseen,
                                                           {i: offered_choices(p) for i, p in enumerate(unseen_parses)}))}
    # The four outcomes on every held-out set (tests/heldout is the development set: thresholds were chosen on it).
    results["outcomes"] = {"heldout": outcomes_of(held_out_parses, held_out), "eval": outcomes_of(eval_parses, questions),
                           "eval_fresh": outcomes_of(fresh_parses, fresh), "eval_unseen": outcomes_of(unseen_parses, unseen)}
    step(f"  accuracy {ours['accuracy']}, oos {ours['oos']}, fresh oos recall {results['oos_fresh']['recall']}, "
         f"unseen accuracy {results['unseen']['ours']['accuracy']}")
    step("  wrong answers: " + ", ".join(f"{name} {o['en']['wrong']}/{o['nb']['wrong']} (en/nb)"
                                         for name, o in results["outcomes"].items()))

    step("baseline BM25: index the FAQ training questions and answers; hand-over threshold from tests/heldout")
    bm25 = baselines.bm25_baseline()
    results["baselines"] = {"bm25": {**quality_of([bm25.answer(t) for t in texts], questions), "threshold": bm25.threshold}}
    results["unseen"]["bm25"] = unseen_summary(quality_of([bm25.answer(t) for t in unseen_texts], unseen))
    step(f"  accuracy {results['baselines']['bm25']['accuracy']} (threshold {bm25.threshold})")

    load_texts = [q.text for q in load_questions(EVAL)]
    results["ours"] = serve_and_load(MODEL, "ours", load_texts, args, lambda stack: rest_checks(stack, questions, args.quick))
    results["starter"] = serve_and_load(starter_model(), "starter", load_texts, args)
    results["train_seconds"] = None if args.quick else cold_train()
    cached = baselines.rasa_default_model_path()
    if args.quick and not cached.exists():
        results["baselines"]["rasa_default"] = {"accuracy": {"en": None, "nb": None}, "reason": "--quick: not cached, not trained"}
        step("baseline Rasa default pipeline: skipped (--quick and no cached model)")
    else:
        path, seconds = baselines.train_rasa_default(step)
        step("baseline Rasa default pipeline: parsing the questions")
        parses = parse_all(path, texts + unseen_texts, baselines.default_parse)
        results["baselines"]["rasa_default"] = {**quality_of([answer_of(p) for p in parses[: len(texts)]], questions),
                                                "model": path.name, "train_seconds_when_built": seconds}
        results["unseen"]["rasa_default"] = unseen_summary(quality_of([answer_of(p) for p in parses[len(texts):]], unseen))
        step(f"  accuracy {results['baselines']['rasa_default']['accuracy']}")

    step("writing bench/results/latest.json, latest.md, latest.png")
    RESULTS.mkdir(parents=True, exist_ok=True)
    summary = report.write(results, RESULTS)
    print(summary, flush=True)
    step("done")


if __name__ == "__main__":
    main()
