"""Log files: rotation by copy-and-truncate, deletion after the retention, redaction of
personal data from log records, and the daily process's clean exit."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest

from privacy_helpers import ROOT
from privacy import log_files
from privacy.log_redaction import EMAIL, mask_emails, redact_message

TODAY = dt.date(2026, 12, 1)
SECRET = "my name is Zorblax Quintana, zq@example.org"


def test_rotation_keeps_the_writers_file_handle(tmp_path):
    log = tmp_path / "rasa.log"
    writer = open(log, "ab")  # as scripts/stack.py opens the servers' logs
    writer.write(b"before rotation\n")
    writer.flush()
    assert log_files.rotate(tmp_path, TODAY) == 1
    writer.write(b"after rotation\n")
    writer.flush()
    writer.close()
    assert (tmp_path / "rasa.log.2026-12-01").read_bytes() == b"before rotation\n"
    assert log.read_bytes() == b"after rotation\n"  # the same file, written at its new end
    assert log_files.rotate(tmp_path, TODAY) == 1  # a second rotation on one day appends
    assert (tmp_path / "rasa.log.2026-12-01").read_bytes() == b"before rotation\nafter rotation\n"
    assert log_files.rotate(tmp_path, TODAY) == 0  # empty logs are left alone


def test_rotated_files_older_than_the_retention_are_deleted(tmp_path):
    for day in ("2026-08-01", "2026-09-01", "2026-09-02", "2026-11-30"):
        (tmp_path / f"rasa.log.{day}").write_text("x")
    (tmp_path / "notes.txt").write_text("not a log")
    (tmp_path / "rasa.log.2026-13-45").write_text("not a date: kept")
    assert log_files.delete_older_than(tmp_path, 90, TODAY) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt", "rasa.log.2026-09-02", "rasa.log.2026-11-30", "rasa.log.2026-13-45"]


def test_structlog_lines_lose_their_personal_keys():
    line = ('{"text": "%s", "sender_id": "abc123", "event": "rest.message.received.failure", '
            '"exception": [{"frames": [{"name": "handle", "locals": {"text": "%s"}}]}]}' % (SECRET, SECRET))
    redacted = redact_message(line)
    assert "Zorblax" not in redacted and "zq@example.org" not in redacted
    assert "abc123" in redacted and "rest.message.received.failure" in redacted  # ids and events stay
    assert redact_message("from zq@example.org, id 42") == "from [e-mail], id 42"
    assert redact_message({"not": "a string"}) == {"not": "a string"}


def test_the_email_pattern_runs_in_linear_time():
    for hostile in ("a" * 100_000, "a@" * 50_000, "a." * 50_000 + "@", ("a" * 60 + "@b.") * 2000):
        start = time.perf_counter()
        mask_emails(hostile)
        assert time.perf_counter() - start < 1.0, hostile[:20]
    assert EMAIL.findall("write to studier@iv.ntnu.no or zq@example.org.") == ["studier@iv.ntnu.no", "zq@example.org"]


STRUCTLOG_AS_RASA = """
import logging, sys
from rasa.utils.common import configure_logging_and_warnings
import rasa.utils.io
from rasa.utils.log_utils import configure_structlog
# What `rasa run --logging-config-file ...` does, in this order (rasa/__main__.py).
configure_logging_and_warnings(None, sys.argv[1] if len(sys.argv) > 1 else None)
rasa.utils.io.configure_colored_logging(None)
configure_structlog(None)
import structlog
log = structlog.get_logger()
def handle(text):
    raise RuntimeError("failed")
try:
    handle(%(secret)r)
except Exception:
    log.exception("rest.message.received.failure", text=%(secret)r)
log.error("rest.message.received.timeout", text=%(secret)r)
logging.getLogger("actions.fees").info("for %%s", "zq@example.org")
""" % {"secret": SECRET}


@pytest.mark.parametrize("config", [None, "logging.yml"])
def test_rasa_logging_with_and_without_the_config(config, tmp_path):
    script = tmp_path / "log_as_rasa.py"
    script.write_text(STRUCTLOG_AS_RASA)
    result = subprocess.run([sys.executable, str(script), *([str(ROOT / config)] if config else [])], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    logged = result.stdout + result.stderr
    assert "rest.message.received.failure" in logged and "rest.message.received.timeout" in logged
    if config is None:
        assert "Zorblax" in logged  # what Rasa 3.6 does by itself: the message is in the log
    else:
        assert "Zorblax" not in logged and "zq@example.org" not in logged
        assert '"text": "[redacted]"' in logged and "[e-mail]" in logged


def test_daily_purges_then_exits_cleanly_on_sigterm_and_sigint(tmp_path):
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "rasa.log").write_text("a line\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRACKER_DB": str(tmp_path / "absent.db"), "ENDPOINTS": "",
           "MAIL_STATE_DB": str(tmp_path / "absent-mail.db"), "LOG_DIR": str(tmp_path / "logs")}
    for stop in (signal.SIGTERM, signal.SIGINT):
        process = subprocess.Popen([sys.executable, "-m", "privacy", "daily"], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            lines = []
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any("log files" in line for line in lines):
                lines.append(process.stdout.readline())
            assert any("privacy: log files" in line for line in lines), lines
            process.send_signal(stop)
            assert process.wait(timeout=15) == 0
            assert "privacy: stopped" in process.stdout.read()
        finally:
            if process.poll() is None:
                process.kill()
    assert (tmp_path / "logs" / "rasa.log").read_text() == ""
    assert list((tmp_path / "logs").glob("rasa.log.*"))
