"""Shared fixtures: the real assistant (action server + Rasa server) on free ports."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.request import Request, urlopen

import pytest
from hypothesis import settings

from scripts.stack import MODEL, Stack

# Property tests: no per-example deadline (a loaded 2-core machine is slow), and in CI the
# same examples every run, so a red CI always means a change, never a lucky draw.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

ROOT = Path(__file__).resolve().parents[1]


def rest_say(rasa_url: str, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
    """Send one message over the REST channel and return the bot's messages."""
    body: Dict[str, Any] = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    request = Request(
        f"{rasa_url}/webhooks/rest/webhook",
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json"},
    )
    with urlopen(request, timeout=60) as response:
        return json.loads(response.read())


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The whole assistant, started once per test session from the trained model, with
    Rasa's HTTP API on and a random token (`stack.api_token`) for the tests that read
    trackers or parse (the mail worker)."""
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does)")
    with Stack(log_dir=tmp_path_factory.mktemp("stack-logs"), api=True) as running:
        yield running
