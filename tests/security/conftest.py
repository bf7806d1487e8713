"""A `make run`-like assistant for the security tests: action server, Rasa server and the
demo web server, started the default way (no API secret, no *_INTERFACE variables), so
whatever it exposes is what `make run` exposes."""
from __future__ import annotations

from typing import Any, Dict, Iterator, Optional, Tuple
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import json

import pytest

from scripts.stack import MODEL, Stack, free_port
from webchat.server import DIST

# What a developer's shell may set that would open things up: cleared for this stack.
OPENERS = {"RASA_API_TOKEN": "", "RASA_JWT_SECRET": "", "RASA_INTERFACE": "", "ACTIONS_INTERFACE": "",
           "WEB_INTERFACE": "", "WEB_HOST": ""}


def http(method: str, url: str, body: Any = None, headers: Optional[Dict[str, str]] = None) -> Tuple[int, str]:
    """(status, body text) of one request; an HTTP error status is an answer, not an error."""
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode("utf-8"))
    request = Request(url, data=data, method=method, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urlopen(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


@pytest.fixture(scope="package")
def closed_stack(tmp_path_factory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does)")
    if not (DIST / "webchat.js").is_file():
        pytest.fail("the chat widget is not built: run `cd webchat && npm ci && npm run build`")
    with Stack(web_port=free_port(), extra_env=OPENERS, log_dir=tmp_path_factory.mktemp("closed-stack-logs")) as running:
        yield running
