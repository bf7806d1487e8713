"""bench/results/latest.{json,md,png} from one run's raw results (nothing typed by hand)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional

LANGS = ("en", "nb")
OUTCOMES = ("right", "clarified", "handed_over", "wrong")
# Held-out sets in the order of the report, with the folder each key stands for.
SETS = {"heldout": "tests/heldout", "eval": "bench/eval", "eval_fresh": "bench/eval_fresh", "eval_unseen": "bench/eval_unseen"}


def _ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 3) if a is not None and b not in (None, 0) else None


def flatten(r: Dict) -> Dict:
    """The headline fields (see bench/README.md) plus the detail."""
    q, ours, starter = r["quality"], r["ours"], r["starter"]
    load, sload = ours["load"], starter["load"]
    levels = lambda l, key: {c: v[key] for c, v in l["levels"].items()}  # noqa: E731
    out: Dict = {
        "timestamp": r["timestamp"], "quick": r["quick"], "machine": r["machine"],
        "accuracy": q["accuracy"], "accuracy_by_topic": q["by_topic"], "clarified": q["clarified"],
        "clarified_right": q["clarified_right"], "question_counts": q["counts"],
        "oos": q["oos"], "oos_fresh": r["oos_fresh"], "unseen": r.get("unseen", {}),
        "reply_language": ours["reply_language"], "reply_language_definition": ours["reply_language_definition"],
        "dialogues": ours["dialogues"], "outcomes": r.get("outcomes", {}),
        "baselines": {}, "error_ratio": {},
        "latency_ms": {k: load["single"][k] for k in ("p50", "p95", "p99")},
        "throughput_msgs_per_s": levels(load, "msgs_per_s"), "p95_ms": levels(load, "p95"),
        "load_errors": load["errors"],
        "turn50_over_turn1": load["long"]["turn50_over_turn1"],
        "train_seconds": r["train_seconds"], "rss_mb": ours["rss_mb"], "model_mb": ours["model_mb"],
        "startup_seconds": ours.get("startup_seconds"), "first_answer_ms": ours.get("first_answer_ms"),
        "reference": {"starter": {
            "latency_ms": {k: sload["single"][k] for k in ("p50", "p95", "p99")},
            "throughput_msgs_per_s": levels(sload, "msgs_per_s"), "p95_ms": levels(sload, "p95"),
            "turn50_over_turn1": sload["long"]["turn50_over_turn1"], "rss_mb": starter["rss_mb"],
            "model_mb": starter["model_mb"], "load_errors": sload["errors"],
            "startup_seconds": starter.get("startup_seconds"), "first_answer_ms": starter.get("first_answer_ms")}},
    }
    for name, b in r["baselines"].items():
        out["baselines"][name] = {k: b.get(k) for k in ("accuracy", "by_topic", "oos", "clarified", "threshold", "model", "reason") if k in b}
        out["error_ratio"][name] = {
            lang: _ratio(1 - q["accuracy"][lang], None if b["accuracy"][lang] is None else 1 - b["accuracy"][lang]) for lang in LANGS}
    out["load"] = {"ours": load, "starter": sload}
    out["errors"] = q["errors"]
    out["reply_language_wrong"] = ours["reply_language_wrong"]
    out["targets"] = targets(out)
    return out


def targets(o: Dict) -> List[Dict]:
    s = o["reference"]["starter"]
    rows = [
        ("answer accuracy, English", o["accuracy"]["en"], ">= 0.95", lambda v: v >= 0.95),
        ("answer accuracy, Norwegian", o["accuracy"]["nb"], ">= 0.93", lambda v: v >= 0.93),
        ("out-of-scope recall (bench/eval)", o["oos"]["recall"], ">= 0.90", lambda v: v >= 0.90),
        ("answer accuracy, English (bench/eval_unseen)", _unseen(o, "accuracy", "en"), ">= 0.95", lambda v: v >= 0.95),
        ("answer accuracy, Norwegian (bench/eval_unseen)", _unseen(o, "accuracy", "nb"), ">= 0.93", lambda v: v >= 0.93),
        ("out-of-scope recall (bench/eval_unseen)", _unseen(o, "oos", "recall"), ">= 0.90", lambda v: v >= 0.90),
        ("in-scope questions handed over", o["oos"]["in_scope_handed_over"], "<= 0.03", lambda v: v <= 0.03),
        ("wrong answers, English (bench/eval)", _outcome(o, "eval", "en", "wrong"), "<= 0.03", lambda v: v <= 0.03),
        ("wrong answers, Norwegian (bench/eval)", _outcome(o, "eval", "nb", "wrong"), "<= 0.03", lambda v: v <= 0.03),
        ("wrong answers, English (bench/eval_unseen)", _outcome(o, "eval_unseen", "en", "wrong"), "<= 0.03", lambda v: v <= 0.03),
        ("wrong answers, Norwegian (bench/eval_unseen)", _outcome(o, "eval_unseen", "nb", "wrong"), "<= 0.03", lambda v: v <= 0.03),
        ("simulated users whose dialogue succeeds", (o.get("dialogues") or {}).get("success"), ">= 0.85", lambda v: v >= 0.85),
        ("most times one question was asked (simulated users)", (o.get("dialogues") or {}).get("max_repeats"), "<= 2",
         lambda v: v <= 2),
        ("replies in the right language", o["reply_language"], ">= 0.99", lambda v: v >= 0.99),
    ]
    for name, ratios in o["error_ratio"].items():
        for lang in LANGS:
            rows.append((f"error rate / {name} error rate, {lang}", ratios[lang], "<= 0.5", lambda v: v <= 0.5))
    rows += [
        ("one-user p95 / starter bot's", _ratio(o["latency_ms"]["p95"], s["latency_ms"]["p95"]), "<= 1.5", lambda v: v <= 1.5),
        ("throughput at 32 / starter bot's", _ratio(o["throughput_msgs_per_s"].get("c32"), s["throughput_msgs_per_s"].get("c32")),
         ">= 1.5", lambda v: v >= 1.5),
        ("p95 at 32 concurrent (ms)", o["p95_ms"].get("c32"), "< 1000", lambda v: v < 1000),
        ("turn 50 / turn 1 latency", o["turn50_over_turn1"], "<= 1.5", lambda v: v <= 1.5),
        ("cold training (s)", o["train_seconds"], "< 180", lambda v: v < 180),
        ("Rasa server peak RSS (MB)", o["rss_mb"]["rasa"], "< 1536", lambda v: v < 1536),
    ]
    return [{"target": n, "value": v, "goal": g, "met": None if v is None else bool(f(v))} for n, v, g, f in rows]


def _outcome(o: Dict, name: str, lang: str, outcome: str) -> Optional[float]:
    return ((o.get("outcomes") or {}).get(name) or {}).get(lang, {}).get(outcome)


def outcome_lines(o: Dict) -> List[str]:
    """The four outcomes per held-out set and language (share of all its questions, and count)."""
    if not o.get("outcomes"):
        return []
    lines = ["", "## Right, clarified, handed over, wrong (our model, every held-out set)", "",
             "Share of all questions of the set and language (count in brackets). Out-of-scope questions are "
             "right when handed over and wrong otherwise; see bench/README.md.", "",
             "| set | lang | questions (out of scope) | right | clarified | handed over | wrong |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, folder in SETS.items():
        for lang in LANGS:
            row = (o["outcomes"].get(name) or {}).get(lang)
            if not row:
                continue
            cells = " | ".join(f"{_pct(row[k])} ({row['counts'][k]})" for k in OUTCOMES)
            lines.append(f"| {folder} | {lang} | {row['questions']} ({row['out_of_scope_questions']}) | {cells} |")
    return lines


def dialogue_lines(d: Dict) -> List[str]:
    """Simulated users (tests/simulator/people.yml) and the scripted dialogues (bench/eval/dialogues.yml)."""
    lines = [""]
    if d.get("success") is None:
        lines.append(f"Simulated users: null ({d.get('reason')})")
    else:
        lines += ["Simulated users (tests/simulator/people.yml over REST, the tracker read after every turn):", "",
                  "| | people | success | turns (mean) | most times one question was asked |", "| --- | --- | --- | --- | --- |"]
        for label, row in [("all", d)] + [(lang, (d.get("by_language") or {}).get(lang) or {}) for lang in LANGS]:
            lines.append(f"| {label} | {row.get('people')} | {_pct(row.get('success'))} | {row.get('turns_mean')} | {row.get('max_repeats')} |")
        if d.get("endings"):
            lines += ["", "How the dialogues ended: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(d["endings"].items())) + "."]
        for f in d.get("failures") or []:
            lines.append(f"- failed {f['id']}: {f['reason']} (asked {', '.join(f['asked']) or 'nothing'}; rule {f['rule']}, amount {f['amount']})")
    s = d.get("scripted")
    if s is not None:
        lines += ["", "Scripted fee dialogues (bench/eval/dialogues.yml over REST): " + (
            f"{s['passed']}/{s['total']} = {_pct(s['success'])}" if s.get("success") is not None else f"null ({s.get('reason')})")]
    return lines


def _unseen(o: Dict, field: str, key: str, system: str = "ours") -> Optional[float]:
    return ((o.get("unseen") or {}).get(system) or {}).get(field, {}).get(key)


def _pct(v) -> str:
    return "n/a" if v is None else f"{100 * v:.1f} %"


def markdown(o: Dict) -> str:
    b = o["baselines"]
    lines = [f"# Benchmark {o['timestamp']}{' (--quick)' if o['quick'] else ''}", "",
             f"Machine: {o['machine']['cpus']} CPUs ({o['machine']['cpu']}), {o['machine']['memory_gb']} GB, "
             f"Rasa {o['machine']['rasa']}, load average at start {o['machine']['load_average_at_start']}.", "",
             "## Targets", "", "| target | value | goal | met |", "| --- | --- | --- | --- |"]
    for t in o["targets"]:
        mark = {True: "yes", False: "**no**", None: "not measured"}[t["met"]]
        lines.append(f"| {t['target']} | {t['value']} | {t['goal']} | {mark} |")
    lines += ["", "## Answer quality on bench/eval (held out)", "",
              "| | ours | Rasa default (DIET) | BM25 |", "| --- | --- | --- | --- |"]
    for lang in LANGS:
        lines.append(f"| accuracy {lang} | {_pct(o['accuracy'][lang])} | {_pct(b.get('rasa_default', {}).get('accuracy', {}).get(lang))} "
                     f"| {_pct(b['bm25']['accuracy'][lang])} |")
    for key in ("recall", "precision", "in_scope_handed_over"):
        lines.append(f"| out-of-scope {key.replace('_', ' ')} | {_pct(o['oos'][key])} | "
                     f"{_pct(b.get('rasa_default', {}).get('oos', {}).get(key))} | {_pct(b['bm25']['oos'][key])} |")
    if o.get("unseen"):
        lines += ["", "## Answer quality on bench/eval_unseen (written after the last training-data change)", "",
                  "| | ours | Rasa default (DIET) | BM25 |", "| --- | --- | --- | --- |"]
        rows = [("accuracy", lang, f"accuracy {lang}") for lang in LANGS] + [
            ("oos", key, f"out-of-scope {key.replace('_', ' ')}") for key in ("recall", "precision", "in_scope_handed_over")]
        for field, key, label in rows:
            lines.append(f"| {label} | " + " | ".join(_pct(_unseen(o, field, key, system)) for system in ("ours", "rasa_default", "bm25")) + " |")
        lines.append("")
        lines.append(f"Questions: {(o['unseen'].get('ours') or {}).get('counts')}.")
    lines += outcome_lines(o)
    lines += ["", f"Out-of-scope recall on bench/eval_fresh ({o['oos_fresh']['questions']} questions): {_pct(o['oos_fresh']['recall'])}. "
              f"Clarifying question instead of an answer: en {_pct(o['clarified']['en'])}, nb {_pct(o['clarified']['nb'])}. "
              f"BM25 hand-over threshold (from tests/heldout): {b['bm25'].get('threshold')}.", "",
              f"Replies in the right language: {_pct(o['reply_language'])}. {o['reply_language_definition']}", ""]
    lines += dialogue_lines(o["dialogues"])
    lines += ["", "### Accuracy per topic", "", "| topic | en | nb |", "| --- | --- | --- |"]
    for topic in sorted(set(o["accuracy_by_topic"]["en"]) | set(o["accuracy_by_topic"]["nb"])):
        lines.append(f"| {topic} | {_pct(o['accuracy_by_topic']['en'].get(topic))} | {_pct(o['accuracy_by_topic']['nb'].get(topic))} |")
    s = o["reference"]["starter"]
    lines += ["", "## Speed and size (REST, action server running, load from a separate process)", "",
              "| | ours | starter bot |", "| --- | --- | --- |"]
    for k in ("p50", "p95", "p99"):
        lines.append(f"| one user, {k} (ms) | {o['latency_ms'][k]} | {s['latency_ms'][k]} |")
    for c in o["throughput_msgs_per_s"]:
        lines.append(f"| {c[1:]} concurrent: msg/s, p95 ms | {o['throughput_msgs_per_s'][c]}, {o['p95_ms'][c]} "
                     f"| {s['throughput_msgs_per_s'].get(c)}, {s['p95_ms'].get(c)} |")
    lines += [f"| turn 50 / turn 1 latency | {o['turn50_over_turn1']} | {s['turn50_over_turn1']} |",
              f"| peak RSS Rasa / actions (MB) | {o['rss_mb']['rasa']} / {o['rss_mb']['actions']} | {s['rss_mb']['rasa']} / {s['rss_mb']['actions']} |",
              f"| model (MB) | {o['model_mb']} | {s['model_mb']} |",
              f"| start-up: both servers ready (s) | {o.get('startup_seconds')} | {s.get('startup_seconds')} |",
              f"| first answer after start-up (ms) | {o.get('first_answer_ms')} | {s.get('first_answer_ms')} |",
              f"| failed requests | {o['load_errors']} | {s['load_errors']} |",
              f"| cold training (s) | {o['train_seconds']} | |", "",
              "turn 50 / turn 1: mean latency of turns 45-55 over turns 1-5 of one 55-turn conversation.", "",
              "![plots](latest.png)", ""]
    return "\n".join(lines)


def plot(o: Dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    for name, load, colour in (("ours", o["load"]["ours"], "tab:blue"), ("starter bot", o["load"]["starter"], "tab:grey")):
        levels = sorted(load["levels"].values(), key=lambda v: v["concurrency"])
        xs = [v["concurrency"] for v in levels]
        left.plot(xs, [v["p95"] for v in levels], "o-", color=colour, label=f"{name} p95")
        left.plot(xs, [v["p50"] for v in levels], "o:", color=colour, label=f"{name} p50")
        for x, v in zip(xs, levels):
            left.annotate(f"{v['msgs_per_s']:.1f}/s", (x, v["p95"]), textcoords="offset points", xytext=(4, 4), fontsize=8, color=colour)
    left.set(xscale="log", xlabel="concurrent conversations", ylabel="latency (ms)", title="REST latency vs concurrency (labels: msg/s)")
    left.set_xticks([1, 8, 32]), left.set_xticklabels(["1", "8", "32"])
    left.legend(), left.grid(alpha=0.3)
    topics = sorted(set(o["accuracy_by_topic"]["en"]) | set(o["accuracy_by_topic"]["nb"]))
    for i, lang in enumerate(LANGS):
        values = [100 * (o["accuracy_by_topic"][lang].get(t) or 0) for t in topics]
        right.barh([y + 0.4 * i for y in range(len(topics))], values, height=0.4, label=lang)
    right.set_yticks([y + 0.2 for y in range(len(topics))]), right.set_yticklabels(topics)
    right.axvline(95, color="tab:blue", ls=":", lw=1), right.axvline(93, color="tab:orange", ls=":", lw=1)
    right.set(xlabel="answer accuracy (%)", xlim=(0, 100), title="Accuracy per topic (bench/eval; targets 95/93 %)")
    right.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0)), right.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def write(results: Dict, folder: Path) -> str:
    o = flatten(results)
    (folder / "latest.json").write_text(json.dumps(o, indent=1, ensure_ascii=False), encoding="utf-8")
    text = markdown(o)
    (folder / "latest.md").write_text(text, encoding="utf-8")
    plot(o, folder / "latest.png")
    return "\n".join(l for l in text.splitlines() if l.startswith("|") and "|" in l[1:])[:4000]
