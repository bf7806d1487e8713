"""`python -m mailbot once` (process the inbox once, print a summary) or `loop` (poll).

The worker needs the assistant's HTTP API (POST /model/parse). If RASA_URL does not answer
and MAIL_START_RASA is true (default), it starts a Rasa server itself (scripts.stack.Stack,
on a free loopback port, with the trained model models/ie-assistant.tar.gz and its HTTP API
on with a random token for this run, no CORS, logs in logs/; no action server, parsing needs
none) and stops it on exit.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import Optional

from mailbot.answer import RasaParser
from mailbot.config import ROOT, Config
from mailbot.worker import Worker, redact

log = logging.getLogger("mailbot")


def start_assistant(config: Config):
    """None if RASA_URL answers; else a started Stack (config.rasa_url then points to it)."""
    if RasaParser(config.rasa_url, config.rasa_token).available():
        return None
    if not config.start_rasa:
        raise SystemExit(f"the assistant does not answer at {config.rasa_url} (start it with `make run`)")
    from scripts.stack import MODEL, Stack
    if not MODEL.exists():
        raise SystemExit(f"no trained model at {MODEL}: run `make train`")
    logs = ROOT / "logs"
    logs.mkdir(exist_ok=True)
    log.info("the assistant does not answer at %s: starting it (logs in %s/)", config.rasa_url, logs)
    # Only the Rasa server: /model/parse needs no action server. No browser calls it: no CORS.
    stack = Stack(log_dir=logs, api=True, cors=[])
    try:
        stack.start_rasa()
    except BaseException:
        stack.stop()
        raise
    config.rasa_url, config.rasa_token = stack.rasa_url, stack.api_token
    return stack


def main(argv: Optional[list] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mailbot", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["once", "loop"])
    parser.add_argument("--mode", choices=["auto", "draft", "dry-run"], help="overrides MAIL_MODE")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = Config.load()
    if args.mode:
        config.mode = args.mode
    config.require_mailbox()
    stack = start_assistant(config)
    worker = Worker(config)
    signal.signal(signal.SIGTERM, lambda *_: setattr(worker, "stopping", True))
    try:
        if args.command == "loop":
            log.info("polling %s every %.0f s (mode %s)", config.inbox, config.poll_seconds, config.mode)
            worker.loop()
            return 0
        try:
            summary = worker.run_once()
        except Exception as error:
            log.error("run stopped early: %s", redact(error))
            print(f"{'[dry-run] ' if config.mode == 'dry-run' else ''}{worker.summary} (stopped early: {redact(error)})")
            return 1
        print(f"{'[dry-run] ' if config.mode == 'dry-run' else ''}{summary}")
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        if stack is not None:
            stack.stop()


if __name__ == "__main__":
    sys.exit(main())
