"""The Markdown report's outcome table and simulated-user lines, from small hand-made results."""
from bench import report


def row(right, clarified, handed_over, wrong):
    counts = dict(zip(report.OUTCOMES, (right, clarified, handed_over, wrong)))
    total = sum(counts.values())
    return {**{k: round(v / total, 4) for k, v in counts.items()}, "counts": counts, "questions": total,
            "out_of_scope_questions": 1}


def test_outcome_table_has_a_row_per_set_and_language():
    o = {"outcomes": {"heldout": {"en": row(8, 0, 1, 1), "nb": row(10, 0, 0, 0)}, "eval": {"en": row(9, 1, 0, 0)}}}
    lines = report.outcome_lines(o)
    assert "| tests/heldout | en | 10 (1) | 80.0 % (8) | 0.0 % (0) | 10.0 % (1) | 10.0 % (1) |" in lines
    assert "| tests/heldout | nb | 10 (1) | 100.0 % (10) | 0.0 % (0) | 0.0 % (0) | 0.0 % (0) |" in lines
    assert sum(line.startswith("| bench/eval |") for line in lines) == 1
    assert report.outcome_lines({}) == []
    assert report._outcome(o, "heldout", "en", "wrong") == 0.1 and report._outcome(o, "eval_unseen", "en", "wrong") is None


def test_dialogue_lines_name_failures_by_id():
    d = {"success": 0.5, "turns_mean": 4.0, "max_repeats": 2, "people": 2, "passed": 1,
         "by_language": {"en": {"people": 1, "success": 1.0, "turns_mean": 3, "max_repeats": 1},
                         "nb": {"people": 1, "success": 0.0, "turns_mean": 5, "max_repeats": 2}},
         "failures": [{"id": "nb-01", "reason": "expected exempt, got pays", "asked": ["citizenship", "level"],
                       "rule": "categories.C", "amount": 254950.0}],
         "endings": {"personal_answer": 1, "faq_answer": 1},
         "scripted": {"success": 1.0, "passed": 12, "total": 12}}
    text = "\n".join(report.dialogue_lines(d))
    assert "| all | 2 | 50.0 % | 4.0 | 2 |" in text and "| nb | 1 | 0.0 % | 5 | 2 |" in text
    assert "- failed nb-01: expected exempt, got pays (asked citizenship, level; rule categories.C, amount 254950.0)" in text
    assert "12/12 = 100.0 %" in text
    assert "How the dialogues ended: faq answer 1, personal answer 1." in text
    missing = "\n".join(report.dialogue_lines({"success": None, "reason": "tests/simulator/people.yml is missing"}))
    assert "Simulated users: null (tests/simulator/people.yml is missing)" in missing
