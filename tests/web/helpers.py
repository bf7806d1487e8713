"""Helpers of the web chat tests: viewports and Rasa's HTTP API."""
from __future__ import annotations

import json
from typing import Any, Dict, List
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from scripts.stack import Stack

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def rasa_api(stack: Stack, method: str, path: str, body: Any = None) -> Any:
    """Calls Rasa's HTTP API (on in the test stack: Stack(api=True)) with the stack's
    token and returns the JSON answer."""
    if not stack.api_token:
        raise RuntimeError("the stack runs without the HTTP API: start it with Stack(api=True)")
    url = f"{stack.rasa_url}{path}"
    url += ("&" if "?" in url else "?") + urlencode({"token": stack.api_token})
    data = None if body is None else json.dumps(body).encode("utf-8")
    request = Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def user_events(stack: Stack, session_id: str) -> List[Dict[str, Any]]:
    tracker = rasa_api(stack, "GET", f"/conversations/{session_id}/tracker?include_events=ALL")
    return [event for event in tracker["events"] if event["event"] == "user"]
