"""Helpers of the web chat tests: viewports and Rasa's HTTP API."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List
from urllib.request import Request, urlopen

from scripts.stack import Stack

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def rasa_api(stack: Stack, method: str, path: str, body: Any = None) -> Any:
    """Calls Rasa's HTTP API (enabled by the stack) and returns the JSON answer."""
    url = f"{stack.rasa_url}{path}"
    if os.environ.get("RASA_API_TOKEN"):
        url += ("&" if "?" in url else "?") + "token=" + os.environ["RASA_API_TOKEN"]
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def user_events(stack: Stack, session_id: str) -> List[Dict[str, Any]]:
    tracker = rasa_api(stack, "GET", f"/conversations/{session_id}/tracker?include_events=ALL")
    return [event for event in tracker["events"] if event["event"] == "user"]
