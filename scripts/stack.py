"""Start and stop the assistant's processes: the action server and the Rasa server.

`make run` and `make shell` use it from the command line; the test fixtures use the
`Stack` class to run the real servers on free loopback ports.
"""
from __future__ import annotations

import argparse
import os
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


def runtime_endpoints(actions_port: int, tracker_db: Path, directory: Path) -> Path:
    """endpoints.yml with the action server's port and the tracker database filled in."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["action_endpoint"]["url"] = f"http://127.0.0.1:{actions_port}/webhook"
    if endpoints.get("tracker_store", {}).get("dialect") == "sqlite":
        endpoints["tracker_store"]["db"] = str(tracker_db)
    path = directory / "endpoints.runtime.yml"
    path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    return path


def web_origins(web_port: int) -> List[str]:
    return [f"http://localhost:{web_port}", f"http://127.0.0.1:{web_port}"]


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
    """The action server and the Rasa server, as child processes.

    With `web_port`, also the demo pages with the chat widget (webchat/server.py); the
    socket.io channel and the HTTP API (CORS) then accept those pages' origins next to
    the sites listed in credentials.yml, and no others.
    """

    def __init__(
        self,
        rasa_port: Optional[int] = None,
        actions_port: Optional[int] = None,
        credentials: Path = ROOT / "credentials.yml",
        tracker_db: Optional[Path] = None,
        model: Path = MODEL,
        log_dir: Optional[Path] = None,
        cors: str = "*",
        extra_env: Optional[Dict[str, str]] = None,
        web_port: Optional[int] = None,
    ) -> None:
        self.rasa_port = rasa_port or free_port()
        self.actions_port = actions_port or free_port()
        self.credentials = credentials
        self.model = model
        self.cors = cors
        self.work_dir = Path(tempfile.mkdtemp(prefix="ie-assistant-"))
        self.log_dir = log_dir or self.work_dir
        self.tracker_db = tracker_db or (self.work_dir / "conversations.db")
        self.env = {**os.environ, **QUIET_ENV, **(extra_env or {})}
        self.processes: List[subprocess.Popen] = []
        self.channels: List[str] = []  # credentials.channels.yml channels turned on
        self.web_port = web_port

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def _spawn(self, name: str, args: List[str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")
        process = subprocess.Popen(
            args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append(process)
        return process

    def start_actions(self) -> None:
        process = self._spawn(
            "actions", [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(self.actions_port), "--actions", "actions"]
        )
        wait_for(f"http://127.0.0.1:{self.actions_port}/health", 120, process)

    def start_rasa(self) -> None:
        endpoints = runtime_endpoints(self.actions_port, self.tracker_db, self.work_dir)
        credentials, cors = self.credentials, [self.cors]
        if self.web_port:
            credentials, cors = runtime_credentials(self.credentials, web_origins(self.web_port), self.work_dir)
        # Teams, Slack, Telegram: on when their variables are set (credentials.channels.yml).
        credentials, self.channels = with_channels(credentials, self.env, self.work_dir)
        args = [
            str(VENV_BIN / "rasa"), "run", "--model", str(self.model), "--port", str(self.rasa_port),
            "--interface", os.environ.get("RASA_INTERFACE", "127.0.0.1"), "--enable-api",
            "--credentials", str(credentials), "--endpoints", str(endpoints), "--cors", *cors,
        ]
        if os.environ.get("RASA_API_TOKEN"):
            args += ["--auth-token", os.environ["RASA_API_TOKEN"]]
        process = self._spawn("rasa", args)
        # /status names the model file only once the model is loaded.
        wait_for(f"{self.rasa_url}/status", 300, process, expect="model_file")

    def start_web(self) -> None:
        process = self._spawn(
            "web", [str(VENV_BIN / "python"), "-m", "webchat.server", "--port", str(self.web_port), "--rasa-url", self.rasa_url]
        )
        wait_for(f"{self.web_url}/", 30, process)

    def start(self) -> "Stack":
        try:
            self.start_actions()
            self.start_rasa()
            if self.web_port:
                self.start_web()
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
            endpoints = runtime_endpoints(actions_port, stack.tracker_db, stack.work_dir)
            subprocess.call(
                [str(VENV_BIN / "rasa"), "shell", "--model", str(stack.model), "--endpoints", str(endpoints)],
                cwd=ROOT, env=stack.env,
            )
            return
        print("Starting the Rasa server (loading the model)...", flush=True)
        stack.start_rasa()
        for name in stack.channels:
            print(f"Channel on: {name} (POST {stack.rasa_url}/webhooks/{name.split('.')[1]}/webhook)", flush=True)
        print("Starting the web server (demo pages with the chat)...", flush=True)
        stack.start_web()
        print(
            "\nThe assistant is running.\n"
            f"  Chat (English):   http://localhost:{web_port}/\n"
            f"  Chat (Norwegian): http://localhost:{web_port}/nb/\n"
            f"  REST:      POST {stack.rasa_url}/webhooks/rest/webhook  {{\"sender\": \"me\", \"message\": \"hei\"}}\n"
            f"  socket.io: {stack.rasa_url}/socket.io (web chat widget)\n"
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
