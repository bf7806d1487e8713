"""Start and stop the assistant's processes: the action server, the Rasa server, the demo
web server and the retention job.

`make run` and `make shell` use it from the command line; the test fixtures use the
`Stack` class to run the real servers on free loopback ports.

Closed by default: every server binds to 127.0.0.1 (RASA_INTERFACE, ACTIONS_INTERFACE,
WEB_INTERFACE move them); Rasa's HTTP API is off unless RASA_API_TOKEN or RASA_JWT_SECRET
is set (scripts/rasa_server.py), or a tool asks for it with `Stack(api=True)`, which makes
a random token for that run (`stack.api_token`); the action server only answers requests
carrying a per-run secret (ACTIONS_TOKEN, scripts/action_server.py); CORS is allowed only
for the widget's configured sites, never "*". deploy/ has the reverse proxy for the public
side.
"""
from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.error import URLError
from urllib.request import urlopen

import yaml

from channels.credentials import with_channels
from scripts import rasa_server
from scripts.action_server import TOKEN_VARIABLE as ACTIONS_TOKEN

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "ie-assistant.tar.gz"
QUIET_ENV = {
    "PYTHONPATH": str(ROOT),
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONWARNINGS": "ignore",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float, process: Optional[subprocess.Popen] = None, expect: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with code {process.returncode}")
        try:
            with urlopen(url, timeout=2) as response:
                if expect in response.read().decode("utf-8", "replace"):
                    return
        except (URLError, OSError):
            pass
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


LOOPBACK = "127.0.0.1"
# Lines of Rasa's log that mean the server is up without a model (rasa/core/agent.py).
MODEL_NOT_LOADED = ("Could not load model", "No valid model found", "Agent loaded with no model")


def local_address(interface: str) -> str:
    """Where this machine reaches a server bound to `interface`."""
    return LOOPBACK if interface in ("", "0.0.0.0", "::") else interface


def runtime_endpoints(actions_url: str, tracker_db: Path, directory: Path) -> Path:
    """endpoints.yml with the action server's address, its secret and the tracker database.

    The secret is written as `${ACTIONS_TOKEN}`, which Rasa fills in from its environment
    when it reads the file: it is never on disk."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = f"{actions_url}/webhook"
    endpoints["action_endpoint"]["headers"] = {"Authorization": "Bearer ${%s}" % ACTIONS_TOKEN}
    if endpoints.get("tracker_store", {}).get("dialect") == "sqlite":
        endpoints["tracker_store"]["db"] = str(tracker_db)
    path = directory / "endpoints.runtime.yml"
    path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    return path


def web_origins(web_port: int) -> List[str]:
    return [f"http://localhost:{web_port}", f"http://127.0.0.1:{web_port}"]


def socketio_origins(credentials: Path) -> List[str]:
    """The sites allowed to embed the widget (the socket.io channel's cors_allowed_origins)."""
    channels = yaml.safe_load(credentials.read_text(encoding="utf-8")) or {}
    for name, settings in channels.items():
        if name.endswith("socketio.SocketIOInput") and isinstance(settings, dict):
            configured = settings.get("cors_allowed_origins") or []
            return [configured] if isinstance(configured, str) else list(configured)
    return []


def runtime_credentials(credentials: Path, origins: List[str], directory: Path) -> Tuple[Path, List[str]]:
    """credentials.yml with `origins` added to the socket.io channel's allowed origins.

    Returns the file and the channel's whole list of origins."""
    channels = yaml.safe_load(credentials.read_text(encoding="utf-8")) or {}
    allowed = list(origins)
    for name, settings in channels.items():
        if name.endswith("socketio.SocketIOInput") and isinstance(settings, dict):
            configured = settings.get("cors_allowed_origins") or []
            allowed = list(dict.fromkeys([*([configured] if isinstance(configured, str) else configured), *origins]))
            settings["cors_allowed_origins"] = allowed
    path = directory / "credentials.runtime.yml"
    path.write_text(yaml.safe_dump(channels, sort_keys=False), encoding="utf-8")
    return path, allowed


class Stack:
    """The action server, the Rasa server, the demo web server and the retention job, as
    child processes.

    With `web_port`, also the demo pages with the chat widget (webchat/server.py); the
    socket.io channel and CORS then accept those pages' origins next to the sites listed
    in credentials.yml, and no others. `cors`: the origins Rasa sends CORS headers for
    (default: the widget's sites; [] for none). `api=True`: Rasa's HTTP API on, with the
    token `api_token` (RASA_API_TOKEN if set, else a random one for this run).
    """

    def __init__(
        self,
        rasa_port: Optional[int] = None,
        actions_port: Optional[int] = None,
        credentials: Path = ROOT / "credentials.yml",
        tracker_db: Optional[Path] = None,
        model: Path = MODEL,
        log_dir: Optional[Path] = None,
        cors: Optional[List[str]] = None,
        extra_env: Optional[Dict[str, str]] = None,
        web_port: Optional[int] = None,
        api: bool = False,
    ) -> None:
        self.rasa_port = rasa_port or free_port()
        self.actions_port = actions_port or free_port()
        self.credentials = credentials
        self.model = model
        self.cors = cors
        self.work_dir = Path(tempfile.mkdtemp(prefix="ie-assistant-"))
        self.log_dir = log_dir or self.work_dir
        self.tracker_db = tracker_db or (self.work_dir / "conversations.db")
        env = {**os.environ, **QUIET_ENV, **(extra_env or {})}
        # The action server's secret: Rasa sends it, the action server checks it.
        env[ACTIONS_TOKEN] = env.get(ACTIONS_TOKEN) or secrets.token_urlsafe(32)
        # The API's secrets go to the Rasa process only (scripts/rasa_server.py reads them).
        self.rasa_env = dict(env)
        if api and not env.get(rasa_server.TOKEN):
            self.rasa_env[rasa_server.TOKEN] = secrets.token_urlsafe(32)
        self.api_token: Optional[str] = self.rasa_env.get(rasa_server.TOKEN) or None
        self.env = {k: v for k, v in env.items() if k not in rasa_server.SECRETS}
        self.interfaces = {name: env.get(f"{name.upper()}_INTERFACE") or LOOPBACK for name in ("rasa", "actions", "web")}
        self.processes: List[subprocess.Popen] = []
        self.channels: List[str] = []  # credentials.channels.yml channels turned on
        self.web_port = web_port

    def _url(self, server: str, port: Optional[int]) -> str:
        address = local_address(self.interfaces[server])
        return f"http://[{address}]:{port}" if ":" in address else f"http://{address}:{port}"

    @property
    def rasa_url(self) -> str:
        return self._url("rasa", self.rasa_port)

    @property
    def actions_url(self) -> str:
        return self._url("actions", self.actions_port)

    @property
    def web_url(self) -> str:
        return self._url("web", self.web_port)

    @property
    def api_status(self) -> str:
        """"HTTP API: off" or how it is protected (what `make run` prints)."""
        return rasa_server.describe_api(self.rasa_env)

    @property
    def endpoints(self) -> Path:
        """The endpoints file Rasa (and the retention job) get, written on first use."""
        path = self.work_dir / "endpoints.runtime.yml"
        if not path.exists():
            runtime_endpoints(self.actions_url, self.tracker_db, self.work_dir)
        return path

    def _spawn(self, name: str, args: List[str], env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")
        process = subprocess.Popen(
            args, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def actions_command(self) -> List[str]:
        logging_config = ROOT / "logging.yml"  # no message text in the logs (privacy/)
        return [
            str(VENV_BIN / "python"), "-m", "scripts.action_server", "--actions", "actions",
            "--port", str(self.actions_port), "--interface", self.interfaces["actions"],
            *(["--logging-config-file", str(logging_config)] if logging_config.exists() else []),
        ]

    def start_actions(self) -> None:
        process = self._spawn("actions", self.actions_command())
        wait_for(f"{self.actions_url}/health", 120, process)

    def rasa_command(self) -> List[str]:
        """`rasa run` (through scripts/rasa_server.py, which adds the API options)."""
        credentials, origins = self.credentials, socketio_origins(self.credentials)
        if self.web_port:
            credentials, origins = runtime_credentials(self.credentials, web_origins(self.web_port), self.work_dir)
        # Teams, Slack, Telegram: on when their variables are set (credentials.channels.yml).
        credentials, self.channels = with_channels(credentials, self.env, self.work_dir)
        # CORS for the widget's sites only: "*" would let any web site read the answers.
        cors = [origin for origin in (origins if self.cors is None else self.cors) if origin.strip() != "*"]
        return [
            str(VENV_BIN / "python"), "-m", "scripts.rasa_server", "run", "--model", str(self.model),
            "--port", str(self.rasa_port), "--interface", self.interfaces["rasa"],
            "--credentials", str(credentials), "--endpoints", str(self.endpoints),
            "--logging-config-file", str(ROOT / "logging.yml"),  # no message text in the logs (privacy/)
            *(["--cors", *cors] if cors else []),
        ]

    def start_rasa(self) -> None:
        if not self.model.exists():
            raise FileNotFoundError(f"no trained model at {self.model}: run `make train`")
        log = self.log_dir / "rasa.log"
        start = log.stat().st_size if log.exists() else 0
        process = self._spawn("rasa", self.rasa_command(), self.rasa_env)
        # Rasa loads the model in a before_server_start listener, and Sanic opens the port
        # only after those (sanic/server/runners.py): once / answers, loading is over. It
        # may have failed, though (Rasa then serves without a model): its log says so.
        wait_for(f"{self.rasa_url}/", 300, process, expect="Hello from Rasa")
        with open(log, "rb") as logged:
            logged.seek(start)
            text = logged.read().decode("utf-8", "replace")
        if any(line in text for line in MODEL_NOT_LOADED):
            raise RuntimeError(f"Rasa did not load the model {self.model} (see {log})")

    def start_web(self) -> None:
        process = self._spawn(
            "web", [str(VENV_BIN / "python"), "-m", "webchat.server", "--host", self.interfaces["web"],
                    "--port", str(self.web_port), "--rasa-url", self.rasa_url]
        )
        wait_for(f"{self.web_url}/", 30, process)

    def start_retention(self) -> None:
        """The daily purge of old conversations (privacy/, when that module is there).

        It opens no port, so there is nothing to wait for."""
        if not (ROOT / "privacy" / "__main__.py").exists():
            return
        env = {**self.env, "TRACKER_DB": str(self.tracker_db), "ENDPOINTS": str(self.endpoints), "LOG_DIR": str(self.log_dir)}
        self._spawn("retention", [str(VENV_BIN / "python"), "-m", "privacy", "daily"], env)

    def start(self) -> "Stack":
        try:
            self.start_actions()
            self.start_rasa()
            if self.web_port:
                self.start_web()
            self.start_retention()
        except Exception:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.processes.clear()

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("mode", choices=["run", "shell"])
    args = parser.parse_args()
    rasa_port = int(os.environ.get("RASA_PORT", 5005))
    actions_port = int(os.environ.get("ACTIONS_PORT", 5055))
    web_port = int(os.environ.get("WEB_PORT", 8000))
    logs = ROOT / "logs"
    logs.mkdir(exist_ok=True)
    stack = Stack(rasa_port, actions_port, tracker_db=ROOT / "conversations.db", log_dir=logs, web_port=web_port)
    for stop_signal in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop_signal, lambda *_: sys.exit(0))
    try:
        print("Starting the action server...", flush=True)
        stack.start_actions()
        if args.mode == "shell":
            subprocess.call(
                [str(VENV_BIN / "rasa"), "shell", "--model", str(stack.model), "--endpoints", str(stack.endpoints),
                 "--interface", stack.interfaces["rasa"], "--port", str(rasa_port)],
                cwd=ROOT, env=stack.env,
            )
            return
        print(f"Starting the Rasa server (loading the model)...\n{stack.api_status}", flush=True)
        stack.start_rasa()
        for name in stack.channels:
            print(f"Channel on: {name} (POST {stack.rasa_url}/webhooks/{name.split('.')[1]}/webhook)", flush=True)
        print("Starting the web server (demo pages with the chat)...", flush=True)
        stack.start_web()
        stack.start_retention()
        print(
            "\nThe assistant is running.\n"
            f"  Chat (English):   http://localhost:{web_port}/\n"
            f"  Chat (Norwegian): http://localhost:{web_port}/nb/\n"
            f"  REST:      POST {stack.rasa_url}/webhooks/rest/webhook  {{\"sender\": \"me\", \"message\": \"hei\"}}\n"
            f"  socket.io: {stack.rasa_url}/socket.io (web chat widget)\n"
            f"  {stack.api_status} (RASA_API_TOKEN or RASA_JWT_SECRET turns it on; deploy/ for the public side)\n"
            f"  Logs:      {logs}/\n"
            "Press Ctrl-C to stop.",
            flush=True,
        )
        while all(p.poll() is None for p in stack.processes):
            time.sleep(1)
        print("A server stopped unexpectedly; see the logs.", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        pass
    finally:
        try:
            print("\nStopping...", flush=True)
        except OSError:
            pass  # stdout may be a pipe that Ctrl-C already closed (make run | tee)
        stack.stop()


if __name__ == "__main__":
    main()
