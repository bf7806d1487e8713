"""kill -9 of one Rasa server under load (runs last: the cluster stays one server short).
nginx sends the next messages to the other server; every conversation goes on with its
language and slots; a message that was inside the killed server gets the honest 503."""
from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from language import detect_language
from scripts.cluster_guard import BILINGUAL_APOLOGY
from tests.cluster.helpers import REQUEST_TIMEOUT_S, say, texts

FIRST = {"en": "I'm Indian, I start the MSc in August, what will I pay?",
         "nb": "Jeg er indisk og begynner på masteren i august, hva må jeg betale?"}
NEXT = {"en": "How many places are there on the programme?", "nb": "Hvor mange studieplasser er det på programmet?"}
LOAD_SENDERS, LOAD_MESSAGES = 6, 10


def slots(running, sender):
    survivor = running.cluster.members[1]
    return requests.get(f"{survivor.rasa_url}/conversations/{sender}/tracker",
                        params={"token": running.cluster.api_token}, timeout=30).json()["slots"]


def test_kill_9_of_one_server_under_load(running):
    people = {f"kill-{language}-{index}": language for index in range(4) for language in ("en", "nb")}
    for sender, language in people.items():
        response = say(running.url, sender, FIRST[language])
        assert response.status_code == 200 and texts(response)
    before = {sender: slots(running, sender) for sender in people}
    for sender, language in people.items():
        assert before[sender]["language"] == language and before[sender]["country"], sender

    outcomes, killed = [], threading.Event()

    def load(index: int) -> None:
        for turn in range(LOAD_MESSAGES):
            started = time.monotonic()
            response = say(running.url, f"kill-load-{index}", ["hello", "do I need maths?"][turn % 2])
            outcomes.append((killed.is_set(), response.status_code, response.json(), time.monotonic() - started))

    victim = running.cluster.members[0].processes[-1]
    with ThreadPoolExecutor(max_workers=LOAD_SENDERS) as pool:
        futures = [pool.submit(load, index) for index in range(LOAD_SENDERS)]
        time.sleep(2)  # the load is running on both servers
        os.kill(victim.pid, signal.SIGKILL)
        killed.set()
        for future in futures:
            future.result(timeout=LOAD_MESSAGES * REQUEST_TIMEOUT_S)
    assert victim.wait(timeout=10) == -signal.SIGKILL

    for was_killed, status, body, seconds in outcomes:
        assert seconds < REQUEST_TIMEOUT_S
        # An answer, or (a message inside the killed server) nginx's honest 503.
        assert (status == 200 and body) or (status == 503 and body[0]["text"] == BILINGUAL_APOLOGY), (status, body)
    late = [status for was_killed, status, _, _ in outcomes[-LOAD_SENDERS:]]
    assert late == [200] * LOAD_SENDERS, "nginx did not route to the surviving server"

    for sender, language in people.items():
        response = say(running.url, sender, NEXT[language])
        assert response.status_code == 200, sender
        answer = " ".join(texts(response))
        assert answer and detect_language(answer) == language, (sender, answer)
        after = slots(running, sender)
        assert after["language"] == language and after["country"] == before[sender]["country"], sender
