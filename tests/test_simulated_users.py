"""Simulated students talk to the real assistant (REST + tracker API) until their fee form is done.

The people are tests/simulator/people.yml, written apart from the bot; here only the quick
`subset: true` ones (make bench runs them all). A failure names the person's id, the question
kinds asked and the bot's final rule and amount, never the person's texts.
"""
import pytest

from bench.simulator import PEOPLE, Assistant, Person, load_people, run_people, run_person

# A question asked a third time means the bot did not understand two answers: the form should
# have moved on (or handed over) by then.
MAX_TIMES_ASKED = 2
# Share of the subset whose dialogue must end in the page's answer (or a person where the page
# is silent). A floor against regressions, not the goal (issue 14 asks 97 %): 5 of the 25 before
# personal routing (c1343ea), 16 of 25 after it. Raise it as the dialogue improves.
SUCCESS_THRESHOLD = 0.6


@pytest.fixture(scope="module")
def dialogues(stack):
    people = load_people(PEOPLE, subset_only=True)
    assert people, f"{PEOPLE} has no `subset: true` people"
    return run_people(Assistant.of_stack(stack), people)


def test_no_question_is_asked_three_times(dialogues):
    repeated = [{k: d.public()[k] for k in ("id", "asked", "rule", "amount", "answered_by")}
                for d in dialogues if d.max_repeats > MAX_TIMES_ASKED]
    assert not repeated, f"a question asked more than {MAX_TIMES_ASKED} times: {repeated}"


def test_most_simulated_users_get_the_pages_answer(dialogues):
    failures = [{k: d.public()[k] for k in ("id", "reason", "asked", "rule", "amount", "answered_by")}
                for d in dialogues if not d.success]
    passed = len(dialogues) - len(failures)
    # Compared in whole people: 5 of 25 is 20 %, whatever 1 - 20/25 gives in floating point.
    assert passed >= round(SUCCESS_THRESHOLD * len(dialogues), 6), \
        f"{passed} of {len(dialogues)} succeeded (at least {SUCCESS_THRESHOLD:.0%} needed); failures: {failures}"


# Two people written here (not from people.yml) so the runner itself is checked against the
# real forms whatever people.yml holds: every question it is asked maps to a known kind.
OWN_PEOPLE = [
    Person("own-en-fee", "en", "How much tuition will I pay for the MSc?",
           {"citizenship": ["I'm from India"], "level": ["the master in industrial ecology"], "start": ["August 2026"],
            "special_situation": ["no, none of these"], "study_load": ["yes, full time"], "share": ["100 %"]},
           {"outcome": "pays", "amount": 254950}),
    Person("own-nb-refund", "nb", "Jeg har trukket meg fra studieplassen min, hva får jeg refundert?",
           {"refund_reason": ["jeg trakk meg"], "withdrawal_date": ["3. september 2026"], "amount_paid": ["254 950 kr"]},
           {"outcome": "refund_partial"}),
]


@pytest.mark.parametrize("person", OWN_PEOPLE, ids=lambda p: p.id)
def test_the_runner_drives_the_real_fee_forms(stack, person):
    result = run_person(Assistant.of_stack(stack), person)
    assert "other" not in result.asked, result.public()
    assert result.turns < 15 and result.max_repeats <= MAX_TIMES_ASKED, result.public()
    assert result.success, result.public()
