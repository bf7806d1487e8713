"""The custom actions' server (rasa-sdk 3.6), on loopback, answering only Rasa.

    ACTIONS_TOKEN=... python -m scripts.action_server --port 5055 [--interface 127.0.0.1]

`rasa run actions` listens on every interface (rasa-sdk reads SANIC_HOST, default
0.0.0.0), allows CORS from any site and runs any action for anyone who can reach it. This
launcher builds the same app (rasa_sdk.endpoint.create_app) and changes three things:

- it binds to `--interface` (ACTIONS_INTERFACE, default 127.0.0.1);
- no CORS: only the Rasa server calls it, never a browser;
- every request except GET /health must carry `Authorization: Bearer <ACTIONS_TOKEN>`;
  Rasa sends it (scripts/stack.py puts the header into the endpoints file it gives Rasa),
  anything else gets 401.
"""
from __future__ import annotations

import argparse
import hmac
import logging
import os
from typing import Optional

from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

TOKEN_VARIABLE = "ACTIONS_TOKEN"
HEADER = "Authorization"
SCHEME = "Bearer "
OPEN_PATHS = frozenset({"/health"})  # readiness checks need no secret; it tells nothing

logger = logging.getLogger(__name__)


def authorised(header: str, token: str) -> bool:
    """Whether an Authorization header carries the token (compared in constant time)."""
    if not header.startswith(SCHEME):
        return False
    return hmac.compare_digest(header[len(SCHEME):].encode("utf-8"), token.encode("utf-8"))


def create_app(actions: str, token: str) -> Sanic:
    """rasa-sdk's app for the `actions` package, without CORS, closed without the token."""
    if not token:
        raise ValueError(f"the action server needs a secret: set {TOKEN_VARIABLE}")
    from rasa_sdk.endpoint import create_app as sdk_app

    app = sdk_app(actions, cors_origins=None)

    @app.middleware("request")
    async def require_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS and request.method == "GET":
            return None
        if authorised(request.headers.get(HEADER, ""), token):
            return None
        logger.warning("action server: refused a %s request without the right token", request.method)
        return response.json({"error": "not authorised"}, status=401)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", default="actions", help="the package with the custom actions")
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTIONS_PORT", 5055)))
    parser.add_argument("--interface", default=os.environ.get("ACTIONS_INTERFACE") or "127.0.0.1")
    parser.add_argument("--logging-config-file", help="as `rasa run actions --logging-config-file`")
    args = parser.parse_args()
    token = os.environ.get(TOKEN_VARIABLE, "")
    if not token:
        raise SystemExit(f"{TOKEN_VARIABLE} is not set: the action server refuses to run without a secret")

    from rasa_sdk import utils
    from rasa_sdk.plugin import plugin_manager

    utils.configure_colored_logging("INFO")
    if args.logging_config_file:
        utils.configure_file_logging(logging.getLogger("rasa_sdk"), None, logging.INFO, args.logging_config_file)
    utils.update_sanic_log_level()
    app = create_app(args.actions, token)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    logger.info("Action server on http://%s:%d", args.interface, args.port)
    app.run(args.interface, args.port, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()
