"""The simulated-user runner (bench/simulator.py) against a scripted stand-in of the assistant.

The stand-in is a tiny local HTTP server with Rasa's two endpoints the runner uses: the
REST webhook and the tracker (which, like Rasa with --auth-token, refuses without the token).
"""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import yaml

from actions.fees import AMOUNT, EXEMPT, REFUND
from bench import simulator
from bench.simulator import Assistant, Person, judge, load_people, outcome_of_rule, question_kind, run_person

TOKEN = "stub-token-7f3a"


class ScriptedBot:
    """A form that asks `questions` in order; a reply fills the asked slot when `understood`."""

    def __init__(self, questions, rule="categories.C", amount=254950.0, understood=lambda slot, text: True,
                 handover_on=None, faq=None):
        self.questions, self.rule, self.amount, self.faq = questions, rule, amount, faq
        self.understood, self.handover_on = understood, handover_on
        self.conversations = {}

    def tracker(self, sender):
        state = self.conversations[sender]
        done = state["asked"] is None
        return {"sender_id": sender, "active_loop": {} if done else {"name": "fee_form"},
                "slots": {"requested_slot": state["asked"], "answer_rule": self.rule if done else None,
                          "answer_amount": self.amount if done else None},
                "events": state["events"]}

    def say(self, sender, text):
        state = self.conversations.setdefault(sender, {"filled": set(), "asked": None, "events": [], "started": False})
        state["events"].append({"event": "user", "text": text})
        if self.handover_on is not None and text == self.handover_on:
            state["events"].append({"event": "action", "name": "action_handover"})
        if self.faq:  # answers every message with this FAQ answer, as Rasa records it
            state["events"] += [{"event": "action", "name": "utter_faq"},
                                {"event": "bot", "text": "...", "metadata": {"utter_action": f"utter_faq/{self.faq}"}}]
        if not state["started"]:
            state["started"] = True
        elif state["asked"] and self.understood(state["asked"], text):
            state["filled"].add(state["asked"])
        missing = [q for q in self.questions if q not in state["filled"]]
        state["asked"] = missing[0] if missing else None
        return [{"recipient_id": sender, "text": f"question {state['asked']}" if missing else "answer"}]


@pytest.fixture
def serve():
    servers = []

    def start(bot):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output quiet
                pass

            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                self.reply(200, bot.say(body["sender"], body["message"]))

            def do_GET(self):
                url = urlparse(self.path)
                if parse_qs(url.query).get("token") != [TOKEN]:
                    return self.reply(401, {"status": "failure", "reason": "NotAuthenticated"})
                sender = unquote(url.path.split("/")[2])
                self.reply(200, bot.tracker(sender))

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return Assistant(f"http://127.0.0.1:{server.server_address[1]}", TOKEN)

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def person(replies, expect=None, lang="en"):
    return Person("en-99", lang, "opening", replies, expect or {"outcome": "pays", "amount": 254950})


def test_a_complete_fee_dialogue_succeeds(serve):
    assistant = serve(ScriptedBot(["country", "level", "start_term", "percentage"]))
    result = run_person(assistant, person({"citizenship": ["India"], "level": ["master"], "start": ["this august"],
                                           "share": ["100 %"]}))
    assert result.success, result.reason
    assert result.asked == ["citizenship", "level", "start", "share"]
    assert (result.turns, result.max_repeats, result.rule, result.amount) == (5, 1, "categories.C", 254950.0)


def test_replies_are_used_in_order_and_the_last_repeats(serve):
    bot = ScriptedBot(["level"], understood=lambda slot, text: text == "master")
    result = run_person(serve(bot), person({"level": ["umm", "master"]}))
    assert result.success and result.asked == ["level", "level"] and result.max_repeats == 2
    said = [e["text"] for e in next(iter(bot.conversations.values()))["events"] if e["event"] == "user"]
    assert said == ["opening", "umm", "master"]


def test_a_bot_that_keeps_asking_stops_after_15_turns(serve):
    bot = ScriptedBot(["country", "level"], understood=lambda slot, text: slot != "level")
    result = run_person(serve(bot), person({"citizenship": ["India"], "level": ["no idea"]}))
    assert not result.success
    assert result.turns == simulator.MAX_TURNS == 15
    assert result.max_repeats == 13 and result.reason == "no answer after 15 turns"


def test_unknown_and_study_load_questions(serve):
    bot = ScriptedBot(["full_time_study", "mystery_slot"])
    result = run_person(serve(bot), person({"study_load": ["yes"], "other": ["something"]}))
    assert result.asked == ["study_load", "other"]
    said = [e["text"] for e in next(iter(bot.conversations.values()))["events"] if e["event"] == "user"]
    assert said == ["opening", "yes", "something"]


def test_without_replies_for_a_question_the_person_does_not_know(serve):
    bot = ScriptedBot(["country"])
    run_person(serve(bot), person({}, lang="nb"))
    said = [e["text"] for e in next(iter(bot.conversations.values()))["events"] if e["event"] == "user"]
    assert said == ["opening", "Jeg vet ikke"]


def test_a_hand_over_fails_a_settled_case_and_passes_an_open_one(serve):
    settled = run_person(serve(ScriptedBot(["country"], handover_on="help")), person({"citizenship": ["help"]}))
    assert not settled.success and settled.handed_over and settled.reason == "handed over a case the page settles"
    bot = ScriptedBot(["country"], rule=None, amount=None, handover_on="help")
    open_case = run_person(serve(bot), person({"citizenship": ["help"]}, {"outcome": "open"}))
    assert open_case.success and open_case.handed_over


def test_the_tracker_needs_the_token(serve, monkeypatch):
    with_token = serve(ScriptedBot(["country"]))
    monkeypatch.delenv("RASA_API_TOKEN", raising=False)
    without = Assistant(with_token.url)
    with pytest.raises(PermissionError) as refused:
        run_person(without, person({"citizenship": ["India"]}))
    assert TOKEN not in str(refused.value) and "RASA_API_TOKEN" in str(refused.value)
    monkeypatch.setenv("RASA_API_TOKEN", TOKEN)  # the operator's variable is used when none is passed
    assert run_person(Assistant(with_token.url), person({"citizenship": ["India"]})).success


JUDGE_CASES = [
    # (expect, rule, amount, handed over, finished) -> success, outcome
    ({"outcome": "pays", "amount": 254950}, "categories.C", 254950.0, False, True, True, "pays"),
    ({"outcome": "pays", "amount": 254950}, "amounts.full_time", 254950.4, False, True, True, "pays"),
    ({"outcome": "pays", "amount": 127475}, "amounts.part_time", 254950.0, False, True, False, "pays"),
    ({"outcome": "pays"}, "amounts.part_time", None, False, True, False, "not_covered"),  # no amount stated
    ({"outcome": "exempt", "reason": "phd"}, "phd", 0.0, False, True, True, "exempt"),
    ({"outcome": "exempt", "reason": "eu_eea_swiss"}, "automatic_exemptions.eu_eea_swiss", 0.0, False, True, True, "exempt"),
    ({"outcome": "exempt", "reason": "phd"}, "automatic_exemptions.eu_eea_swiss", 0.0, False, True, False, "exempt"),
    ({"outcome": "apply_for_exemption"}, "apply_for_exemption", None, False, True, True, "apply_for_exemption"),
    ({"outcome": "refund_partial", "amount": 249950}, "refunds.withdrawal.after_august_1", 249950.0, False, True, True,
     "refund_partial"),
    ({"outcome": "refund_full"}, "refunds.withdrawal.after_august_1", None, False, True, False, "refund_partial"),
    ({"outcome": "refund_none"}, "refunds.withdrawal.after_september_15", None, False, True, True, "refund_none"),
    ({"outcome": "refund_udi"}, "refunds.udi_refusal", None, False, True, True, "refund_udi"),
    ({"outcome": "open"}, "refunds.withdrawal.on_august_1", None, False, True, True, "open"),
    ({"outcome": "open"}, "open", None, False, True, True, "open"),
    ({"outcome": "open"}, None, None, True, True, True, None),  # pointed to a person
    ({"outcome": "open"}, "categories.C", 254950.0, False, True, False, "pays"),  # a guess where the page is silent
    ({"outcome": "not_covered"}, "amounts.faculties", None, False, True, True, "not_covered"),
    ({"outcome": "pays"}, "categories.C", 254950.0, True, True, False, "pays"),  # also handed over
    ({"outcome": "pays"}, "failed", None, False, True, False, "failed"),
    ({"outcome": "pays"}, "handover", None, False, True, False, "handed_over"),  # the form gave up
    ({"outcome": "not_covered"}, "handover", None, False, True, True, "handed_over"),
    ({"outcome": "open"}, "refunds.withdrawal", None, False, True, True, "open"),  # explains what it depends on
    ({"outcome": "exempt", "amount": 0}, "phd", None, False, True, True, "exempt"),
    ({"outcome": "pays"}, "some.new_rule", None, False, True, False, "unknown:some.new_rule"),
    ({"outcome": "pays"}, None, None, False, False, False, None),
]


@pytest.mark.parametrize("expect, rule, amount, over, finished, success, outcome", JUDGE_CASES)
def test_judge(expect, rule, amount, over, finished, success, outcome):
    ok, reason, got = judge(expect, rule, amount, over, finished)
    assert (ok, got) == (success, outcome)
    assert bool(reason) != ok


def test_every_rule_the_answer_actions_report_has_an_outcome():
    from fees.facts import load

    rules = [*EXEMPT, *AMOUNT, *REFUND, *(f"categories.{c}" for c in load()["categories"])]
    assert [r for r in rules if r not in simulator.RULE_OUTCOMES] == []
    assert outcome_of_rule("categories.C", 1.0) == "pays" and outcome_of_rule(None, None) is None


@pytest.mark.parametrize("slot, kind", [("country", "citizenship"), ("start_term", "start"), ("credits", "share"),
                                        ("percentage", "share"), ("studies_full_time", "study_load"),
                                        ("study_load", "study_load"), ("amount_paid", "amount_paid"),
                                        ("study_mode", "study_load"), ("special_kind", "special_situation"),
                                        ("something_new", "other"), (None, "other")])
def test_question_kinds(slot, kind):
    assert question_kind(slot) == kind


def test_load_people(tmp_path):
    path = tmp_path / "people.yml"
    path.write_text(yaml.safe_dump([
        {"id": "en-01", "lang": "en", "subset": True, "opening": "hi", "replies": {"level": "master"},
         "expect": {"outcome": "pays", "amount": 254950}},
        {"id": "nb-01", "lang": "nb", "opening": "hei", "expect": {"outcome": "exempt"}}]))
    people = load_people(path)
    assert [p.id for p in people] == ["en-01", "nb-01"] and people[0].replies == {"level": ["master"]}
    assert [p.id for p in load_people(path, subset_only=True)] == ["en-01"]
    path.write_text(yaml.safe_dump([{"id": "en-02", "opening": "hi", "expect": {"outcome": "maybe"}}]))
    with pytest.raises(ValueError, match="en-02"):
        load_people(path)


def test_summary_names_failures_without_texts():
    ok = simulator.Dialogue("en-01", "en", "pays", True, "", 3, ["citizenship", "level"], 1, "categories.C",
                            254950.0, "pays", False)
    bad = simulator.Dialogue("nb-01", "nb", "exempt", False, "expected exempt, got pays", 5,
                             ["citizenship", "level", "level"], 2, "categories.C", 254950.0, "pays", False)
    summary = simulator.summarise_dialogues([ok, bad])
    assert (summary["success"], summary["turns_mean"], summary["max_repeats"]) == (0.5, 4, 2)
    assert summary["by_language"]["en"]["success"] == 1.0 and summary["by_language"]["nb"]["success"] == 0.0
    assert [f["id"] for f in summary["failures"]] == ["nb-01"]
    assert summary["endings"] == {"personal_answer": 2}
    assert set(summary["failures"][0]) == {"id", "lang", "expected", "got", "rule", "amount", "asked", "turns",
                                           "max_repeats", "handed_over", "reason", "answered_by"}


def test_last_actions_name_the_faq_answer():
    events = [{"event": "user", "text": "first"}, {"event": "action", "name": "utter_greet"},
              {"event": "user", "text": "second"}, {"event": "action", "name": "action_listen"},
              {"event": "action", "name": "utter_faq"}, {"event": "bot", "text": "answer",
                                                        "metadata": {"utter_action": "utter_faq/fee_amount"}},
              {"event": "action", "name": "action_listen"}]
    assert simulator.last_actions(events) == ["utter_faq/fee_amount"]


def test_an_assistant_that_does_not_answer_fails_that_person_only(serve):
    assistant = serve(ScriptedBot(["country"]))
    dead = Assistant("http://127.0.0.1:9", TOKEN)  # the discard port: nothing listens there
    people = [person({"citizenship": ["India"]}), Person("en-98", "en", "opening", {"citizenship": ["India"]},
                                                         {"outcome": "pays", "amount": 254950})]
    failed = simulator.run_people(dead, people[:1])
    assert not failed[0].success and failed[0].reason.startswith("request failed")
    assert [d.success for d in simulator.run_people(assistant, people[1:])] == [True]


def test_a_general_faq_answer_is_not_the_persons_answer(serve):
    bot = ScriptedBot([], rule=None, amount=None, faq="fee_phd")
    result = run_person(serve(bot), person({}, {"outcome": "exempt", "reason": "phd"}))
    assert not result.success and result.turns == 1 and result.asked == []
    assert result.answered_by == ["utter_faq/fee_phd"] and result.reason == "a general answer (faq/fee_phd), not the person's own"


@pytest.mark.parametrize("rule, over, actions, expected", [
    ("categories.C", False, ["action_fee_answer"], "personal_answer"), ("handover", False, [], "handover"),
    (None, True, ["action_handover"], "handover"), (None, False, ["utter_faq/fee_phd"], "faq_answer"),
    (None, False, ["utter_greet"], "no_answer")])
def test_how_a_dialogue_ended(rule, over, actions, expected):
    d = simulator.Dialogue("en-01", "en", "pays", False, "", 1, [], 0, rule, None, simulator.outcome_of_rule(rule, None),
                           over, actions)
    assert simulator.ending(d) == expected
