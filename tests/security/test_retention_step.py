"""Stack.start_retention: `python -m privacy daily` next to the servers, when privacy/ is there."""
from __future__ import annotations

import json
import shutil
import time

import scripts.stack as stack_module
from scripts.stack import Stack

FAKE_PRIVACY = '''
import json, os, signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
with open(os.environ["RETENTION_PROBE"], "w") as out:
    json.dump({"argv": sys.argv[1:], "TRACKER_DB": os.environ.get("TRACKER_DB"),
               "ENDPOINTS": os.environ.get("ENDPOINTS"), "LOG_DIR": os.environ.get("LOG_DIR")}, out)
while True:
    time.sleep(1)
'''


def test_retention_runs_with_the_tracker_and_endpoints_and_stops_with_the_stack(tmp_path, monkeypatch):
    root = tmp_path / "root"
    (root / "privacy").mkdir(parents=True)
    (root / "privacy" / "__init__.py").write_text("")
    (root / "privacy" / "__main__.py").write_text(FAKE_PRIVACY)
    shutil.copy(stack_module.ROOT / "endpoints.yml", root / "endpoints.yml")
    monkeypatch.setattr(stack_module, "ROOT", root)  # cwd of the child: its privacy/ is found first
    probe = tmp_path / "probe.json"
    stack = Stack(tracker_db=tmp_path / "conversations.db", log_dir=tmp_path, extra_env={"RETENTION_PROBE": str(probe)})
    try:
        stack.start_retention()
        [process] = stack.processes
        deadline = time.monotonic() + 30
        while not probe.exists() and time.monotonic() < deadline:
            assert process.poll() is None, (tmp_path / "retention.log").read_text()
            time.sleep(0.2)
        seen = json.loads(probe.read_text())
        assert seen == {"argv": ["daily"], "TRACKER_DB": str(tmp_path / "conversations.db"),
                        "ENDPOINTS": str(stack.endpoints), "LOG_DIR": str(tmp_path)}
    finally:
        stack.stop()
        shutil.rmtree(stack.work_dir, ignore_errors=True)
    assert process.returncode == 0  # SIGTERM: a clean exit


def test_no_retention_process_without_the_privacy_module(tmp_path, monkeypatch):
    monkeypatch.setattr(stack_module, "ROOT", tmp_path)
    stack = Stack(log_dir=tmp_path)
    try:
        stack.start_retention()
        assert stack.processes == []
    finally:
        shutil.rmtree(stack.work_dir, ignore_errors=True)
