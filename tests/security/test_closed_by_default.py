"""Closed by default: Rasa's HTTP API is off without a secret and needs it when on, every
server listens on loopback only, the action server answers only Rasa, and no command line
that scripts/stack.py builds allows CORS from any site or carries a secret."""
from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path
from typing import Dict, List, Set
from urllib.parse import urlencode

import pytest
import yaml

from scripts import rasa_server
from scripts.action_server import TOKEN_VARIABLE as ACTIONS_TOKEN
from scripts.action_server import authorised
from scripts.stack import ROOT, Stack
from tests.conftest import rest_say
from tests.security.conftest import http

# The API calls that matter most: read anyone's conversation, replace the model, write events.
API_CALLS = [
    ("GET", "/conversations/someone-else/tracker", None),
    ("PUT", "/model", {"model_file": "/nonexistent/model.tar.gz"}),
    ("POST", "/conversations/someone-else/tracker/events", {"event": "slot", "name": "language", "value": "en"}),
]
MORE_API = [("GET", "/status", None), ("GET", "/domain", None), ("POST", "/model/parse", {"text": "hei"})]


# ------------------------------------------------------------------ HTTP API

@pytest.mark.parametrize("method, path, body", API_CALLS + MORE_API)
def test_without_a_secret_the_api_is_not_there(closed_stack, method, path, body):
    status, text = http(method, closed_stack.rasa_url + path, body)
    assert status == 404, (status, text[:200])


def test_without_a_secret_the_channels_and_health_still_answer(closed_stack):
    assert http("GET", closed_stack.rasa_url + "/")[1].startswith("Hello from Rasa")
    reply = " ".join(m.get("text") or "" for m in rest_say(closed_stack.rasa_url, "sec-rest-1", "do I need maths?"))
    assert "7.5 ECTS" in reply


@pytest.mark.parametrize("token", [None, "", "not-the-token"])
@pytest.mark.parametrize("method, path, body", API_CALLS)
def test_with_the_api_on_a_call_without_the_token_is_refused(stack, method, path, body, token):
    query = "" if token is None else "?" + urlencode({"token": token})
    status, _ = http(method, stack.rasa_url + path + query, body)
    assert status in (401, 403)


def test_with_the_token_the_api_works(stack):
    token = "?" + urlencode({"token": stack.api_token})
    rest_say(stack.rasa_url, "sec-api-1", "hei")
    status, text = http("GET", f"{stack.rasa_url}/conversations/sec-api-1/tracker{token}")
    assert status == 200 and '"sec-api-1"' in text
    event = {"event": "slot", "name": "language", "value": "en"}
    status, text = http("POST", f"{stack.rasa_url}/conversations/sec-api-1/tracker/events{token}", event)
    assert status == 200 and '"language"' in text
    # Past the authentication: a model file that is not there is a bad request, not a refusal
    # (a real model file would replace the session's model).
    status, text = http("PUT", f"{stack.rasa_url}/model{token}", {"model_file": "/nonexistent/model.tar.gz"})
    assert status == 400, (status, text[:300])


def test_stack_api_token_is_random_per_stack():
    first, second = Stack(api=True, extra_env={"RASA_API_TOKEN": ""}), Stack(api=True, extra_env={"RASA_API_TOKEN": ""})
    try:
        assert first.api_token and second.api_token and first.api_token != second.api_token
        assert len(first.api_token) >= 32
        assert Stack(extra_env={"RASA_API_TOKEN": ""}).api_token is None
    finally:
        for stack in (first, second):
            shutil.rmtree(stack.work_dir, ignore_errors=True)


@pytest.mark.parametrize("env, arguments, described", [
    ({}, [], "HTTP API: off"),
    ({"RASA_API_TOKEN": ""}, [], "HTTP API: off"),
    ({"RASA_API_TOKEN": "t0k"}, ["--enable-api", "--auth-token", "t0k"], "HTTP API: on, token auth"),
    ({"RASA_JWT_SECRET": "s3c"}, ["--enable-api", "--jwt-secret", "s3c", "--jwt-method", "HS256"], "HTTP API: on, JWT auth"),
    ({"RASA_JWT_SECRET": "s3c", "RASA_JWT_METHOD": "HS512"},
     ["--enable-api", "--jwt-secret", "s3c", "--jwt-method", "HS512"], "HTTP API: on, JWT auth"),
])
def test_the_api_is_on_only_with_a_secret(env, arguments, described):
    assert rasa_server.api_arguments(env) == arguments
    assert rasa_server.describe_api(env) == described
    assert "t0k" not in described and "s3c" not in described


# ------------------------------------------------------------------ command lines

def _commands(stack: Stack) -> List[List[str]]:
    try:
        return [stack.rasa_command(), stack.actions_command()]
    finally:
        shutil.rmtree(stack.work_dir, ignore_errors=True)


def test_no_command_line_allows_every_origin_or_carries_a_secret(tmp_path):
    credentials = tmp_path / "credentials.yml"
    channels = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    channels["channels.socketio.SocketIOInput"]["cors_allowed_origins"] = ["*", "https://www.example.org"]
    credentials.write_text(yaml.safe_dump(channels), encoding="utf-8")
    secret_env = {"RASA_API_TOKEN": "api-secret-123", "ACTIONS_TOKEN": "actions-secret-456"}
    for stack in (Stack(web_port=8000), Stack(credentials=credentials, extra_env=secret_env), Stack(api=True)):
        rasa, actions = _commands(stack)
        for command in (rasa, actions):
            assert "*" not in command and "--enable-api" not in command and "--auth-token" not in command
            assert not any("secret-" in part for part in command)
            assert "--interface" in command and command[command.index("--interface") + 1] == "127.0.0.1"
        if "--cors" in rasa:
            origins = rasa[rasa.index("--cors") + 1:]
            origins = origins[: next((i for i, a in enumerate(origins) if a.startswith("--")), len(origins))]
            assert origins and all(o.startswith(("http://", "https://")) for o in origins)
    rasa, _ = _commands(Stack(web_port=8000))
    assert rasa[rasa.index("--cors") + 1:][:2] == ["http://localhost:8000", "http://127.0.0.1:8000"]


def test_the_mail_workers_rasa_gets_no_cors():
    rasa, _ = _commands(Stack(api=True, cors=[]))
    assert "--cors" not in rasa


def test_the_endpoints_file_names_the_action_secret_but_does_not_contain_it():
    stack = Stack(extra_env={"ACTIONS_TOKEN": "actions-secret-789"})
    try:
        text = stack.endpoints.read_text(encoding="utf-8")
        assert "actions-secret-789" not in text
        headers = yaml.safe_load(text)["action_endpoint"]["headers"]
        assert headers == {"Authorization": "Bearer ${ACTIONS_TOKEN}"}
    finally:
        shutil.rmtree(stack.work_dir, ignore_errors=True)


# ------------------------------------------------------------------ listening sockets

def _descendants(pid: int) -> Set[int]:
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            todo += [int(child) for child in children if int(child) not in found]
    return found


def _socket_inodes(pids: Set[int]) -> Set[str]:
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue  # closed meanwhile
            if target.startswith("socket:["):
                inodes.add(target[len("socket:["):-1])
    return inodes


def _listening(inodes: Set[str]) -> List[tuple]:
    """(address, port) of the TCP sockets in LISTEN state (0A) among `inodes`."""
    found = []
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:
                continue
            address, port = local.split(":")
            raw = bytes.fromhex(address)
            # /proc/net/tcp* print the address as host-order 32-bit words.
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found.append((socket.inet_ntop(family, raw), int(port, 16)))
    return found


def test_every_server_listens_on_loopback_only(closed_stack):
    pids: Set[int] = set()
    for process in closed_stack.processes:
        pids |= _descendants(process.pid)
    listening = _listening(_socket_inodes(pids))
    ports = {port for _, port in listening}
    assert {closed_stack.rasa_port, closed_stack.actions_port, closed_stack.web_port} <= ports, listening
    assert all(address in ("127.0.0.1", "::1") for address, _ in listening), listening


# ------------------------------------------------------------------ action server

def _action_call(name: str) -> Dict:
    return {"next_action": name, "sender_id": "sec-x", "version": "3.6.2",
            "tracker": {"sender_id": "sec-x", "slots": {}, "latest_message": {}, "events": []}, "domain": {}}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "not-even-bearer"}])
def test_the_action_server_refuses_a_call_without_its_secret(closed_stack, headers):
    status, text = http("POST", closed_stack.actions_url + "/webhook", _action_call("action_handover"), headers)
    assert status == 401, text[:200]
    assert http("GET", closed_stack.actions_url + "/actions", None, headers)[0] == 401


def test_the_action_server_answers_with_its_secret_and_health_is_open(closed_stack):
    assert http("GET", closed_stack.actions_url + "/health")[0] == 200
    secret = {"Authorization": f"Bearer {closed_stack.env[ACTIONS_TOKEN]}"}
    # Past the check: an action that does not exist is the executor's 404, not a refusal.
    status, text = http("POST", closed_stack.actions_url + "/webhook", _action_call("no_such_action"), secret)
    assert status == 404 and "no_such_action" in text


def test_rasa_sends_the_secret_so_custom_actions_run(closed_stack):
    # The hand-over and the session start are custom actions in the action server.
    reply = " ".join(m.get("text") or "" for m in rest_say(closed_stack.rasa_url, "sec-actions-1",
                                                              "what's the best pizza place in trondheim?"))
    assert "studier@iv.ntnu.no" in reply  # with a refused call Rasa would not answer at all


@pytest.mark.parametrize("header, expected", [
    ("Bearer abc", True), ("Bearer abcd", False), ("bearer abc", False), ("abc", False), ("", False), ("Bearer ", False),
])
def test_authorised(header, expected):
    assert authorised(header, "abc") is expected
