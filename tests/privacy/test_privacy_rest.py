"""The real assistant: after a REST conversation with personal content, nothing of it is in
the log files; the conversation Rasa stored can be exported and erased while it runs."""
from __future__ import annotations

from pathlib import Path

from privacy_helpers import output_json, raw_bytes, run_privacy
from tests.conftest import rest_say

MESSAGES = [
    "my name is Zorblax Quintana, zq@example.org",
    "Jeg heter Zorblax Quintana og er fra Zorblaxia, må jeg betale studieavgift? zq@example.org",
    "I'm Indian, I start the MSc in August, what will I pay? Zorblax",
]
PERSONAL = ("Zorblax", "Quintana", "zq@example.org")
SENDER = "privacy-test-sender"


def test_no_personal_data_in_the_logs_and_erase_while_running(private_stack):
    for text in MESSAGES:
        assert rest_say(private_stack.rasa_url, SENDER, text)  # the bot answered
    db = Path(private_stack.tracker_db)
    assert b"Zorblax Quintana" in raw_bytes(db)  # Rasa stored the conversation
    env = {"TRACKER_DB": str(db), "ENDPOINTS": str(private_stack.endpoints),
           "MAIL_STATE_DB": str(db.parent / "absent-mail-state.db"), "LOG_DIR": str(private_stack.log_dir)}

    exported = output_json(run_privacy(["export", SENDER], env))
    texts = [e["data"]["text"] for e in exported["tracker_store"]["events"] if e["type"] == "user"]
    assert texts == MESSAGES

    erased = output_json(run_privacy(["erase", SENDER], env))  # the servers are running
    assert erased["tracker_store"]["events"] == len(exported["tracker_store"]["events"])
    assert not any(word.encode() in raw_bytes(db) for word in PERSONAL)
    assert rest_say(private_stack.rasa_url, SENDER, "hello")  # Rasa goes on: a new conversation

    # The servers run unbuffered (private_stack): what they logged is in the files now.
    logs = sorted(p for p in Path(private_stack.log_dir).iterdir() if p.is_file())
    assert any(p.name.startswith("rasa.log") for p in logs) and any(p.name.startswith("actions.log") for p in logs)
    for path in logs:
        logged = path.read_text(encoding="utf-8", errors="replace")
        for word in PERSONAL:
            assert word not in logged, f"{word!r} in {path.name}"
