"""Two Rasa servers on one PostgreSQL tracker store and one Redis lock store, under
concurrent load from many senders, and with two messages of one sender sent to both
servers at once: afterwards every stored conversation holds exactly its own events, in
order, none lost or doubled."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Tuple

from tests.cluster.helpers import say, stored_events, texts

SENDERS, MESSAGES = 20, 5
QUESTIONS = {
    "en": ["hello", "do I need maths?", "can I go on exchange?", "how many places are there?", "thanks"],
    "nb": ["hei", "Trenger jeg matte?", "Kan jeg dra på utveksling?", "Hvor mange studieplasser er det?", "takk"],
}


def check_conversation(database: str, sender: str, turns: List[Tuple[str, List[str]]]) -> None:
    """The stored events, in the order Rasa reads them (by id), are the turns (user text, then
    exactly the bot texts that the user got for it) in the order sent, with one session start,
    each turn closed by action_listen before the next begins: nothing lost, doubled or mixed."""
    events = stored_events(database, sender)
    assert sum(e["event"] == "session_started" for e in events) == 1, sender
    stored: List[Tuple[str, List[str]]] = []
    listening = True
    for event in events:
        if event["event"] == "user":
            assert listening, f"{sender}: a user message stored before the previous turn ended"
            stored.append((event["text"], []))
            listening = False
        elif event["event"] == "bot":
            assert stored, f"{sender}: a bot message before any user message"
            stored[-1][1].append(event["text"])
        elif event["event"] == "action" and event.get("name") == "action_listen" and stored:
            listening = True
    assert listening, f"{sender}: the last turn did not end"
    # Rasa's channels send a text with blank lines as several messages: compare the whole text.
    assert [(text, "\n\n".join(bots)) for text, bots in stored] == [
        (text, "\n\n".join(replies)) for text, replies in turns], sender


def test_concurrent_senders_and_one_sender_on_both_servers(running):
    def converse(index: int) -> Tuple[str, List[Tuple[str, List[str]]]]:
        sender, language = f"load-{index}", ("nb" if index % 2 else "en")
        turns = []
        for text in QUESTIONS[language][:MESSAGES]:
            response = say(running.url, sender, text)  # through nginx, to the least busy server
            assert response.status_code == 200
            turns.append((text, texts(response)))
        return sender, turns

    with ThreadPoolExecutor(max_workers=10) as pool:
        conversations = list(pool.map(converse, range(SENDERS)))
    for sender, turns in conversations:
        assert all(replies for _, replies in turns), f"{sender}: a message got no answer"
        check_conversation(running.database, sender, turns)

    # One sender, two messages at the same moment, one to each Rasa server directly: the
    # Redis lock makes one wait for the other, and both land in the conversation once.
    servers = [member.rasa_url for member in running.cluster.members]
    for pair in range(4):
        sender = f"pair-{pair}"
        first = say(running.url, sender, "hei")
        assert first.status_code == 200
        barrier, answers = threading.Barrier(2), {}  # type: threading.Barrier, Dict[str, List[str]]

        def send(server: str, text: str) -> None:
            barrier.wait(timeout=30)
            response = say(server, sender, text)
            assert response.status_code == 200
            answers[text] = texts(response)

        threads = [threading.Thread(target=send, args=(server, text))
                   for server, text in zip(servers, ["Trenger jeg matte?", "Kan jeg dra på utveksling?"])]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert set(answers) == {"Trenger jeg matte?", "Kan jeg dra på utveksling?"} and all(answers.values())
        user_texts = [e["text"] for e in stored_events(running.database, sender) if e["event"] == "user"]
        assert user_texts[0] == "hei" and sorted(user_texts[1:]) == sorted(answers)
        check_conversation(running.database, sender, [("hei", texts(first))] + [(t, answers[t]) for t in user_texts[1:]])
