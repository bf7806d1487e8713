"""deploy/nginx: the configuration passes `nginx -t`, and nginx running it in front of a real
assistant passes the webhooks, socket.io, health and the demo pages, and nothing else."""
from __future__ import annotations

import datetime
import shutil
import subprocess
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

import pytest
import requests
import urllib3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from scripts.stack import ROOT, Stack, free_port

NGINX = Path("/usr/sbin/nginx")
DEPLOY = ROOT / "deploy" / "nginx"
SITE = DEPLOY / "ie-assistant.conf"
LOCATIONS = DEPLOY / "snippets" / "ie-assistant-locations.conf"
CERTS = "/etc/letsencrypt/live/chat.example.org/"

urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)  # the test's own certificate


def self_signed(directory: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "chat.example.org")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    directory.mkdir(parents=True)
    (directory / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "privkey.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def replace(text: str, old: str, new: str) -> str:
    assert old in text, f"{SITE.name} no longer contains {old!r}: update this test"
    return text.replace(old, new)


class Proxy:
    """nginx with deploy/nginx's files under a temporary prefix, as Debian includes them
    (the site inside http { }, the snippet from snippets/), on free loopback ports."""

    def __init__(self, prefix: Path, rasa_port: int = 5005, web_port: int = 8000) -> None:
        if not NGINX.exists():
            pytest.fail(f"{NGINX} is missing: run `bash scripts/system-deps.sh` (as root)")
        self.prefix, self.process = prefix, None
        self.https_port, self.http_port = free_port(), free_port()
        self_signed(prefix / "certs")
        (prefix / "snippets").mkdir()
        shutil.copy(LOCATIONS, prefix / "snippets" / LOCATIONS.name)
        site = SITE.read_text(encoding="utf-8")
        for old, new in [
            ("listen 443 ssl http2;", f"listen 127.0.0.1:{self.https_port} ssl http2;"), ("listen [::]:443 ssl http2;", ""),
            ("listen 80;", f"listen 127.0.0.1:{self.http_port};"), ("listen [::]:80;", ""),
            (CERTS, f"{prefix}/certs/"),
            ("server 127.0.0.1:5005;", f"server 127.0.0.1:{rasa_port};"),
            ("server 127.0.0.1:8000;", f"server 127.0.0.1:{web_port};"),
        ]:
            site = replace(site, old, new)
        (prefix / "ie-assistant.conf").write_text(site, encoding="utf-8")
        temp = "\n".join(f"    {kind}_temp_path {prefix}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (prefix / "nginx.conf").write_text(f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {prefix}/access.log;
{temp}
    include ie-assistant.conf;
}}
""", encoding="utf-8")

    def command(self, *extra: str) -> list:
        return [str(NGINX), "-p", str(self.prefix), "-c", str(self.prefix / "nginx.conf"), "-e", str(self.prefix / "error.log"), *extra]

    def test_config(self) -> subprocess.CompletedProcess:
        return subprocess.run(self.command("-t"), capture_output=True, text=True, timeout=30)

    def start(self) -> "Proxy":
        self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.process.stderr.read().decode()}")
            try:
                requests.get(self.url + "/", verify=False, timeout=2)
                return self
            except requests.ConnectionError:
                time.sleep(0.2)
        raise TimeoutError("nginx did not answer")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM to the master: it stops its workers
            self.process.wait(timeout=20)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.url + path, verify=False, timeout=60, allow_redirects=False, **kwargs)


def test_the_configuration_passes_nginx_t(tmp_path):
    result = Proxy(tmp_path).test_config()
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr and "test is successful" in result.stderr


@pytest.fixture(scope="module")
def proxy(closed_stack, tmp_path_factory) -> Iterator[Proxy]:
    running = Proxy(tmp_path_factory.mktemp("nginx"), closed_stack.rasa_port, closed_stack.web_port).start()
    yield running
    running.stop()


def test_the_rest_webhook_works_through_the_proxy(proxy):
    response = requests.post(proxy.url + "/webhooks/rest/webhook", json={"sender": "sec-proxy-1", "message": "do I need maths?"},
                             verify=False, timeout=60)
    assert response.status_code == 200
    assert "7.5 ECTS" in " ".join(m.get("text") or "" for m in response.json())


def test_health_socketio_and_pages_pass(proxy):
    assert proxy.get("/").text.startswith("Hello from Rasa")
    assert proxy.get("/webhooks/rest/").json() == {"status": "ok"}
    polling = proxy.get("/socket.io/?EIO=4&transport=polling")
    assert polling.status_code == 200 and '"sid"' in polling.text  # socket.io's open packet
    for path in ("/index.html", "/nb/", "/webchat/webchat.js", "/assets/site.css"):
        assert proxy.get(path).status_code == 200, path


def test_the_websocket_upgrade_is_passed_on(proxy):
    import socket
    import ssl

    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", proxy.https_port), timeout=30) as raw, \
            context.wrap_socket(raw, server_hostname="chat.example.org") as tls:
        tls.sendall(b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: chat.example.org\r\n"
                    b"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
        assert tls.recv(4096).split(b"\r\n")[0] == b"HTTP/1.1 101 Switching Protocols"


@pytest.mark.parametrize("method, path", [
    ("GET", "/conversations/x/tracker"), ("PUT", "/model"), ("POST", "/conversations/x/tracker/events"),
    ("GET", "/status"), ("GET", "/domain"), ("GET", "/version"), ("POST", "/model/parse"),
    ("GET", "/webhooks/telegram/set_webhook"), ("GET", "/nb/../conversations/x/tracker"),
    ("GET", "/nb/%2e%2e/conversations/x/tracker"), ("GET", "//conversations/x/tracker"),
    ("GET", "/webhooks/rest/webhook/../../../status"), ("GET", "/server.py"),
])
def test_everything_else_is_404(proxy, method, path):
    # requests would tidy the dot segments: send the path as it is
    session = requests.Session()
    request = requests.Request(method, proxy.url + "/", json={}).prepare()
    request.url = proxy.url + path
    assert session.send(request, verify=False, timeout=30).status_code == 404


@pytest.mark.parametrize("method, path", [("GET", "/webhooks/rest/webhook"), ("POST", "/"), ("DELETE", "/socket.io/"),
                                          ("POST", "/nb/")])
def test_a_method_a_route_does_not_need_is_405(proxy, method, path):
    assert requests.request(method, proxy.url + path, verify=False, timeout=30).status_code == 405


def test_plain_http_redirects_to_https(proxy):
    response = requests.get(f"http://127.0.0.1:{proxy.http_port}/webhooks/rest/webhook", allow_redirects=False, timeout=30)
    assert response.status_code == 301
    assert response.headers["Location"] == "https://chat.example.org/webhooks/rest/webhook"


def test_the_api_stays_behind_the_proxy_even_when_on(stack, tmp_path):
    running = Proxy(tmp_path, stack.rasa_port, free_port()).start()
    try:
        query = "?" + urlencode({"token": stack.api_token})
        assert requests.get(f"{stack.rasa_url}/conversations/x/tracker{query}", timeout=30).status_code == 200
        assert running.get(f"/conversations/x/tracker{query}").status_code == 404
        assert running.get(f"/status{query}").status_code == 404
    finally:
        running.stop()
