"""`rasa run` with its HTTP API closed unless a secret is configured.

    python -m scripts.rasa_server run --model ... --port ... (any `rasa run` options)

Rasa's HTTP API (/conversations/..., /model, /status, /domain) reads and rewrites every
conversation and can replace the model, so it is off unless the environment holds a
secret for it:

- RASA_API_TOKEN: a shared token (`?token=` on each API call);
- RASA_JWT_SECRET (and RASA_JWT_METHOD, default HS256): JSON Web Tokens.

With neither, the server exposes only the channel webhooks (/webhooks/*), /socket.io and
the health route `/`. The secrets are added to Rasa's own arguments inside this process,
so they never appear on a command line (`ps` shows every process's command line to every
local user) or in scripts/stack.py's logs.
"""
from __future__ import annotations

import os
import sys
from typing import List, Mapping

TOKEN = "RASA_API_TOKEN"
JWT_SECRET = "RASA_JWT_SECRET"
JWT_METHOD = "RASA_JWT_METHOD"
SECRETS = (TOKEN, JWT_SECRET, JWT_METHOD)


def api_arguments(env: Mapping[str, str]) -> List[str]:
    """Rasa's options that turn the API on with authentication; [] keeps it off."""
    token, jwt_secret = env.get(TOKEN, ""), env.get(JWT_SECRET, "")
    if not token and not jwt_secret:
        return []
    arguments = ["--enable-api"]
    if token:
        arguments += ["--auth-token", token]
    if jwt_secret:
        arguments += ["--jwt-secret", jwt_secret, "--jwt-method", env.get(JWT_METHOD) or "HS256"]
    return arguments


def describe_api(env: Mapping[str, str]) -> str:
    """What `make run` prints about the API (never the secret itself)."""
    kinds = [name for name, variable in (("token", TOKEN), ("JWT", JWT_SECRET)) if env.get(variable)]
    return f"HTTP API: on, {' and '.join(kinds)} auth" if kinds else "HTTP API: off"


def main() -> None:
    if "--enable-api" in sys.argv or "--auth-token" in sys.argv:
        raise SystemExit("scripts.rasa_server decides about the HTTP API from RASA_API_TOKEN / RASA_JWT_SECRET")
    from rasa.__main__ import main as rasa_main

    sys.argv = [sys.argv[0], *sys.argv[1:], *api_arguments(os.environ)]
    rasa_main()


if __name__ == "__main__":
    main()
