"""Redis (locks) or PostgreSQL (conversations) gone while the cluster runs: the user gets
an honest answer in their language with the contact, quickly, the stored conversation is
left as it was, and once the store is back the same servers answer again (no restart)."""
from __future__ import annotations

import time

import pytest
import requests

from scripts.cluster_guard import APOLOGY
from tests.cluster.helpers import say, stored_events, texts

ATTEMPTS = 5  # after recovery, the first answer must come within this many messages


def rasa_slots(running, sender):
    member = running.cluster.members[0]
    tracker = requests.get(f"{member.rasa_url}/conversations/{sender}/tracker",
                           params={"token": running.cluster.api_token}, timeout=30).json()
    return tracker["slots"]


@pytest.mark.parametrize("store", ["redis", "postgres"])
def test_a_store_outage_gets_an_honest_answer_then_recovers(running, store):
    sender = f"outage-{store}"
    first = say(running.url, sender, "Hvor mange studieplasser er det?")
    assert first.status_code == 200 and texts(first) and texts(first) != [APOLOGY["nb"]]
    stored_before = stored_events(running.database, sender)
    forwarder = running.redis if store == "redis" else running.postgres
    forwarder.stop()
    try:
        for _ in range(2):  # several messages while it is down: the same honest answer each time
            started = time.monotonic()
            response = say(running.url, sender, "Trenger jeg matte for å bli tatt opp?")
            assert time.monotonic() - started < 20, "the user waited too long for the apology"
            assert response.status_code == 200
            assert texts(response) == [APOLOGY["nb"]]  # Norwegian message: Norwegian apology, with the contact
    finally:
        forwarder.start()
    assert stored_events(running.database, sender) == stored_before  # nothing half-stored

    for attempt in range(ATTEMPTS):
        response = say(running.url, sender, "Kan jeg dra på utveksling?")
        assert response.status_code == 200
        if texts(response) and texts(response) != [APOLOGY["nb"]]:
            break
        time.sleep(1)
    else:
        pytest.fail(f"no answer {ATTEMPTS} messages after {store} came back")
    user_texts = [e["text"] for e in stored_events(running.database, sender) if e["event"] == "user"]
    assert user_texts == ["Hvor mange studieplasser er det?", "Kan jeg dra på utveksling?"]
    assert rasa_slots(running, sender)["language"] == "nb"
