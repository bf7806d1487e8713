"""python -m privacy purge | daily | export WHO | erase WHO

  purge         delete everything older than RETENTION_DAYS (default 90) once; prints counts
  daily         purge now and then every 24 h, until SIGTERM or SIGINT
  export WHO    print, as JSON, everything stored about WHO (a conversation's sender id or
                an e-mail address): tracker events of that sender id, mail state records
  erase WHO     delete all of that, and print what was removed

Settings (environment): RETENTION_DAYS, ENDPOINTS (endpoints.yml), TRACKER_DB, MAIL_STATE_DB
(mail-state.db), LOG_DIR (logs). Exit codes: 0 done, 1 a store failed, 2 bad usage or settings.
"""
from __future__ import annotations

import json
import signal
import sys
import threading
import time
from typing import Any, Callable, Dict, List, Optional

from privacy import log_files, mail_state
from privacy.settings import Settings, SettingsError, load
from privacy.tracker_store import TrackerStore, Unavailable, database_url, describe

DAY_SECONDS = 24 * 3600
MAX_WHO = 255  # Rasa's sender_id column is VARCHAR(255)
USAGE = "usage: python -m privacy purge | daily | export WHO | erase WHO   (make export WHO=<sender id or e-mail address>)"


def _stamp(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))


def _attempt(errors: List[str], store: str, work: Callable[[], Any]) -> Any:
    """Runs one store's work; a failure is reported and the other stores still run."""
    try:
        return work()
    except (Unavailable, mail_state.Unsupported) as error:
        errors.append(f"{store}: {error}")
    except Exception as error:  # noqa: BLE001 - one store's failure must not stop the others
        errors.append(f"{store}: {type(error).__name__}: {error}")
    return None


def _tracker(settings: Settings, work: Callable[[TrackerStore], Any]) -> Any:
    store = TrackerStore.open(settings)
    if store is None:
        return None
    try:
        return work(store)
    finally:
        store.close()


def purge(settings: Settings, out=print) -> int:
    """One purge of every store; prints one line per store. Returns the exit code."""
    now = time.time()
    cutoff = now - settings.retention_seconds
    errors: List[str] = []
    out(f"Retention {settings.retention_days:g} days: removing what is older than {_stamp(cutoff)}")

    label = _attempt(errors, "tracker store", lambda: describe(database_url(settings)))
    tracker = _attempt(errors, "tracker store", lambda: _tracker(settings, lambda s: s.purge_before(cutoff)))
    if tracker is not None:
        out(f"tracker store ({label}): {tracker['events']} events removed, "
            f"{tracker['conversations']} conversations removed whole")
    elif label and not errors:
        out(f"tracker store ({label}): nothing stored")

    mail = _attempt(errors, "mail state",
                    lambda: mail_state.purge_older_than(settings.mail_state_db, settings.retention_seconds))
    if mail is not None:
        removed = f"{mail} records" if isinstance(mail, int) else json.dumps(mail, default=str, sort_keys=True)
        out(f"mail state ({settings.mail_state_db}): {removed} removed")
    elif not any(e.startswith("mail state") for e in errors):
        out(f"mail state ({settings.mail_state_db}): no database, nothing stored")

    logs = _attempt(errors, "log files", lambda: log_files.purge(settings.log_dir, settings.retention_days))
    if logs is not None:
        out(f"log files ({settings.log_dir}/): {logs['rotated']} rotated, {logs['deleted']} old rotated files deleted")

    for error in errors:
        print(f"error: {error}", file=sys.stderr, flush=True)
    return 1 if errors else 0


def export(settings: Settings, who: str) -> Dict[str, Any]:
    errors: List[str] = []
    result: Dict[str, Any] = {"who": who}
    events = _attempt(errors, "tracker store", lambda: _tracker(
        settings, lambda s: {"store": s.label, "sender_id": who, "events": s.export(who)}))
    result["tracker_store"] = events if events is not None else {"sender_id": who, "events": []}
    result["mail_state"] = _attempt(errors, "mail state", lambda: mail_state.export_for(settings.mail_state_db, who))
    result["errors"] = errors
    return result


def erase(settings: Settings, who: str) -> Dict[str, Any]:
    errors: List[str] = []
    result: Dict[str, Any] = {"who": who}
    removed = _attempt(errors, "tracker store",
                       lambda: _tracker(settings, lambda s: {"store": s.label, **s.erase(who)}))
    result["tracker_store"] = removed if removed is not None else {"sender_id": who, "events": 0}
    result["mail_state"] = _attempt(errors, "mail state", lambda: mail_state.erase_for(settings.mail_state_db, who))
    result["errors"] = errors
    return result


def daily(settings: Settings, interval: float = DAY_SECONDS) -> int:
    """Purges now and then every `interval` seconds until SIGTERM/SIGINT; exits 0."""
    stop = threading.Event()

    def request_stop(signum, _frame) -> None:
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, request_stop)
    print(f"privacy: daily purge, every {interval / 3600:g} h (retention {settings.retention_days:g} days)", flush=True)
    while not stop.is_set():
        purge(settings, out=lambda line: print(f"privacy: {line}", flush=True))
        stop.wait(interval)
    print("privacy: stopped", flush=True)
    return 0


def _who(args: List[str]) -> Optional[str]:
    who = args[1].strip() if len(args) == 2 else ""
    if not who:
        return None
    if len(who) > MAX_WHO or any(ord(c) < 32 for c in who):
        raise SettingsError(f"WHO must be a sender id or e-mail address of at most {MAX_WHO} printable characters")
    return who


def main(argv: Optional[List[str]] = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else ""
    try:
        if command in ("-h", "--help", "help"):
            print(__doc__)
            sys.exit(0)
        known = command in ("purge", "daily", "export", "erase")
        if not known or (command in ("purge", "daily") and len(args) != 1):
            print(USAGE, file=sys.stderr)
            sys.exit(2)
        settings = load()
        if command == "purge":
            sys.exit(purge(settings))
        if command == "daily":
            sys.exit(daily(settings))
        who = _who(args)
        if who is None:
            print(f"{command}: say whose data, e.g. make {command} WHO=<sender id or e-mail address>\n{USAGE}",
                  file=sys.stderr)
            sys.exit(2)
        result = export(settings, who) if command == "export" else erase(settings, who)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    for error in result["errors"]:
        print(f"error: {error}", file=sys.stderr)
    sys.exit(1 if result["errors"] else 0)
