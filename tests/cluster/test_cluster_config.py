"""make cluster's pieces that need no Rasa: settings, the generated nginx configuration and its
honest answer when no Rasa server answers, the start-up check of PostgreSQL and Redis, the
apology's language. Quick: nginx and closed ports only."""
from __future__ import annotations

import os
import subprocess
import time

import pytest
import requests

from scripts.cluster import LOCATIONS, NGINX, ClusterError, Settings, nginx_site, write_nginx
from scripts.cluster_guard import APOLOGY, BILINGUAL_APOLOGY, apology
from scripts.stack import ROOT, VENV_BIN, free_port


def test_settings_from_the_environment():
    settings = Settings.from_env({"CLUSTER_RASA": "3", "CLUSTER_PORT": "9090",
                                  "CLUSTER_PG_URL": "postgresql://rasa:pw@db.example.org:6543/chat", "REDIS_DB": "4"})
    assert (settings.size, settings.port, settings.redis_db) == (3, 9090, 4)
    assert (settings.pg_host, settings.pg_port, settings.pg_user, settings.pg_password, settings.pg_db) == (
        "db.example.org", 6543, "rasa", "pw", "chat")
    assert Settings.from_env({}) == Settings()  # 2 servers, 8080, 127.0.0.1:5432 ie_assistant, :6379 db 1


@pytest.mark.parametrize("env, message", [
    ({"CLUSTER_RASA": "two"}, "CLUSTER_RASA must be a whole number"),
    ({"CLUSTER_RASA": "0"}, "between 1 and 16"),
    ({"REDIS_DB": "99"}, "between 0 and 15"),
    ({"CLUSTER_PG_DB": "x; DROP DATABASE postgres"}, "letters, digits and _"),
])
def test_bad_settings_are_a_clear_error(env, message):
    with pytest.raises(ClusterError, match=message):
        Settings.from_env(env)


def start_nginx(tmp_path, rasa_ports, web_port):
    port = free_port()
    conf = write_nginx(tmp_path / "nginx", nginx_site(port, rasa_ports, web_port), tmp_path)
    command = [str(NGINX), "-p", str(tmp_path / "nginx"), "-c", str(conf), "-e", str(tmp_path / "nginx-error.log")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/nb", timeout=2, allow_redirects=False)
            return process, f"http://127.0.0.1:{port}"
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    pytest.fail("nginx did not start")


def test_no_rasa_answering_gets_the_honest_reply_through_nginx(tmp_path):
    assert NGINX.exists(), "run `bash scripts/system-deps.sh` (as root)"
    process, url = start_nginx(tmp_path, [free_port(), free_port(), free_port()], free_port())  # nothing listens
    try:
        started = time.monotonic()
        response = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": "x", "message": "hei"}, timeout=30)
        assert time.monotonic() - started < 10
        assert response.status_code == 503
        assert response.headers["Content-Type"].startswith("application/json")
        # REST's format, the same text as the Rasa-side apology, with the contact.
        assert response.json() == [{"recipient_id": "", "text": BILINGUAL_APOLOGY}]
        assert "studier@iv.ntnu.no" in BILINGUAL_APOLOGY
        # The rest of deploy/'s rules still hold in the generated configuration.
        assert requests.get(f"{url}/webhooks/rest/webhook", timeout=30).status_code == 405
        assert requests.get(f"{url}/conversations/x/tracker", timeout=30).status_code == 404
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_the_snippet_is_the_one_deploy_ships():
    site = nginx_site(8080, [5001, 5002], 8000)
    assert f"include snippets/{LOCATIONS.name};" in site
    assert site.count("server 127.0.0.1:5001 max_fails=1 fail_timeout=10s;") == 2  # REST and socket.io upstreams
    assert "hash $remote_addr consistent;" in site.split("upstream ie_assistant_socketio")[1].split("}")[0]


def run_cluster(env_changes):
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env_changes}
    return subprocess.run([str(VENV_BIN / "python"), "-m", "scripts.cluster"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_no_postgresql_says_how_to_start_one():
    result = run_cluster({"PGPORT": str(free_port()), "CLUSTER_PORT": str(free_port())})
    assert result.returncode == 2, result.stderr[-2000:]
    assert "PostgreSQL on 127.0.0.1" in result.stderr and "service postgresql start" in result.stderr


def test_no_redis_says_how_to_start_one():
    result = run_cluster({"REDIS_PORT": str(free_port()), "CLUSTER_PORT": str(free_port())})
    assert result.returncode == 2, result.stderr[-2000:]
    assert "Redis on 127.0.0.1" in result.stderr and "apt-get install redis-server" in result.stderr


def test_the_apology_speaks_the_message_s_language():
    assert apology("Trenger jeg matte for å bli tatt opp?") == APOLOGY["nb"]
    assert apology("Do I need mathematics to be admitted?") == APOLOGY["en"]
    assert apology("ok") == BILINGUAL_APOLOGY  # undecided: both
    assert apology("ok", {"language": "nb"}) == APOLOGY["nb"]  # the channel's hint
    assert apology(None) == BILINGUAL_APOLOGY
    for text in APOLOGY.values():
        assert "studier@iv.ntnu.no" in text and "+47 73 59 37 00" in text
