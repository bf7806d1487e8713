"""The worker's settings, from environment variables and an optional `.env` file.

Real environment variables win over `.env` (path: MAIL_ENV_FILE, default ./.env in the
project root). See .env.example for every variable and its default.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Mapping, Optional

ROOT = Path(__file__).resolve().parents[1]
MODES = ("auto", "draft", "dry-run")
SECURITY = ("tls", "starttls", "plain")


def read_env_file(path: Path) -> Dict[str, str]:
    """KEY=VALUE lines; blank lines, `#` comments and an `export ` prefix are ignored."""
    values: Dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def _bool(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


@dataclass
class Config:
    imap_host: str = "localhost"
    imap_port: int = 993
    imap_security: str = "tls"  # tls (IMAPS), starttls, plain (local tests only)
    user: str = ""
    password: str = field(default="", repr=False)
    smtp_host: str = "localhost"
    smtp_port: int = 465
    smtp_security: str = "tls"
    smtp_user: str = ""  # defaults to MAIL_USER
    smtp_password: str = field(default="", repr=False)
    mail_from: str = ""  # defaults to MAIL_USER
    mode: str = "auto"
    threshold: float = 0.8
    inbox: str = "INBOX"
    drafts: str = "Drafts"
    sent: str = "Sent"
    save_sent: bool = True  # APPEND a copy of each sent reply to the Sent folder
    since: str = ""  # only mail on/after this date (IMAP SINCE, e.g. 01-Sep-2025); empty = all
    state_db: Path = ROOT / "mail-state.db"
    poll_seconds: float = 60.0
    max_attempts: int = 5  # transient failures (assistant down...) before handing over
    max_replies_per_sender: int = 3  # automatic replies per recipient and 24 h, then drafts
    max_replies_per_hour: int = 30  # automatic replies in all per hour, then drafts
    max_bytes: int = 200_000  # a larger message is never downloaded whole: a draft says so
    authserv_id: str = ""  # our mail server's Authentication-Results id; empty: no DMARC check
    rasa_url: str = "http://localhost:5005"
    rasa_token: str = field(default="", repr=False)
    start_rasa: bool = True  # start the assistant (scripts.stack.Stack) if RASA_URL does not answer
    timeout: float = 30.0

    @classmethod
    def load(cls, environ: Optional[Mapping[str, str]] = None, env_file: Optional[Path] = None) -> "Config":
        if environ is None:
            path = env_file or Path(os.environ.get("MAIL_ENV_FILE", ROOT / ".env"))
            environ = {**read_env_file(path), **os.environ}
        e = environ.get
        user = e("MAIL_USER", "")
        config = cls(
            imap_host=e("MAIL_IMAP_HOST", cls.imap_host),
            imap_security=e("MAIL_IMAP_SECURITY", cls.imap_security).lower(),
            user=user,
            password=e("MAIL_PASSWORD", ""),
            smtp_host=e("MAIL_SMTP_HOST", cls.smtp_host),
            smtp_security=e("MAIL_SMTP_SECURITY", cls.smtp_security).lower(),
            smtp_user=e("MAIL_SMTP_USER", user),
            smtp_password=e("MAIL_SMTP_PASSWORD", e("MAIL_PASSWORD", "")),
            mail_from=e("MAIL_FROM", user),
            mode=e("MAIL_MODE", cls.mode).lower(),
            threshold=float(e("MAIL_CONFIDENCE_THRESHOLD", cls.threshold)),
            inbox=e("MAIL_FOLDER_INBOX", cls.inbox),
            drafts=e("MAIL_FOLDER_DRAFTS", cls.drafts),
            sent=e("MAIL_FOLDER_SENT", cls.sent),
            save_sent=_bool(e("MAIL_SAVE_SENT", "true")),
            since=e("MAIL_SINCE", ""),
            state_db=Path(e("MAIL_STATE_DB", str(cls.state_db))),
            poll_seconds=float(e("MAIL_POLL_SECONDS", cls.poll_seconds)),
            max_attempts=int(e("MAIL_MAX_ATTEMPTS", cls.max_attempts)),
            max_replies_per_sender=int(e("MAIL_MAX_REPLIES_PER_SENDER", cls.max_replies_per_sender)),
            max_replies_per_hour=int(e("MAIL_MAX_REPLIES_PER_HOUR", cls.max_replies_per_hour)),
            max_bytes=int(e("MAIL_MAX_BYTES", cls.max_bytes)),
            authserv_id=e("MAIL_AUTHSERV_ID", "").strip(),
            rasa_url=e("RASA_URL", cls.rasa_url).rstrip("/"),
            rasa_token=e("RASA_API_TOKEN", ""),
            start_rasa=_bool(e("MAIL_START_RASA", "true")),
        )
        if not config.state_db.is_absolute():
            config.state_db = ROOT / config.state_db
        default_ports = {"tls": 993, "starttls": 143, "plain": 143}
        config.imap_port = int(e("MAIL_IMAP_PORT", default_ports.get(config.imap_security, 993)))
        smtp_ports = {"tls": 465, "starttls": 587, "plain": 25}
        config.smtp_port = int(e("MAIL_SMTP_PORT", smtp_ports.get(config.smtp_security, 465)))
        config.validate()
        return config

    def validate(self) -> None:
        problems = []
        if self.mode not in MODES:
            problems.append(f"MAIL_MODE must be one of {', '.join(MODES)}, not {self.mode!r}")
        for name in ("imap_security", "smtp_security"):
            if getattr(self, name) not in SECURITY:
                problems.append(f"MAIL_{name.upper()} must be one of {', '.join(SECURITY)}")
        if not 0.0 < self.threshold <= 1.0:
            problems.append("MAIL_CONFIDENCE_THRESHOLD must be in (0, 1]")
        if self.max_bytes < 1000:
            problems.append("MAIL_MAX_BYTES must be at least 1000")
        if self.max_replies_per_hour < 0 or self.max_replies_per_sender < 0:
            problems.append("MAIL_MAX_REPLIES_PER_HOUR and MAIL_MAX_REPLIES_PER_SENDER must not be negative")
        if problems:
            raise ValueError("; ".join(problems))

    def require_mailbox(self) -> None:
        missing = [n for n, v in (("MAIL_IMAP_HOST", self.imap_host), ("MAIL_USER", self.user),
                                  ("MAIL_FROM", self.mail_from)) if not v]
        if missing:
            raise ValueError("missing settings: " + ", ".join(missing) + " (see .env.example)")
