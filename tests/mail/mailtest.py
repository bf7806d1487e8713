"""Helpers for the mail worker's tests: real mail servers on loopback, test messages.

- IMAP: Dovecot with a throw-away configuration (maildir in a temp dir, passwd-file users,
  plaintext login on 127.0.0.1 without TLS, a free port), run as `dovecot -F -c <conf>`.
  As root, Dovecot's login processes must not run as root: they run as `dovenull` and the
  mail processes as `dovecot` (both users come with the Debian package); as another user,
  everything runs as that user. Each test gets a fresh mailbox (a new user).
- SMTP: aiosmtpd on a free port, keeping every message it receives.
"""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import List, Optional

import pytest
from imap_tools import MailBoxUnencrypted

from mailbot.config import Config

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "secret-for-tests"
BOT = "studier-bot@example.org"
MAX_USERS = 200

DOVECOT_CONF = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
mail_location = maildir:{root}/mail/%u
namespace inbox {{
  inbox = yes
  mailbox Drafts {{
    special_use = \\Drafts
    auto = create
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dovecot:
    def __init__(self) -> None:
        if not os.path.exists(DOVECOT):
            pytest.fail("Dovecot is not installed: run `bash scripts/system-deps.sh` (make test does)")
        # Short path (unix sockets), readable by the unprivileged login user.
        self.root = Path(tempfile.mkdtemp(prefix="dovecot-", dir="/tmp"))
        self.root.chmod(0o755)
        self.port = free_port()
        # Mailboxes for the whole session, written before Dovecot reads the file.
        self.users = iter([f"user{i}@example.org" for i in range(1, MAX_USERS + 1)])
        (self.root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{PASSWORD}\n" for u in self.users))
        self.users = iter([f"user{i}@example.org" for i in range(1, MAX_USERS + 1)])
        (self.root / "mail").mkdir()
        me = pwd.getpwuid(os.getuid()).pw_name
        if os.getuid() == 0:
            internal, login, mail = "dovecot", "dovenull", "dovecot"
            shutil.chown(self.root / "mail", mail, mail)
        else:
            internal = login = mail = me
        (self.root / "dovecot.conf").write_text(DOVECOT_CONF.format(
            root=self.root, port=self.port, internal_user=internal, internal_group=internal,
            login_user=login, mail_user=mail, mail_group=mail))
        self.process: Optional[subprocess.Popen] = None

    def start(self) -> "Dovecot":
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(self.root / "dovecot.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, start_new_session=True)
        user = self.new_user()
        deadline = time.monotonic() + 20
        while True:
            try:
                with MailBoxUnencrypted("127.0.0.1", self.port, timeout=5).login(user, PASSWORD):
                    return self
            except Exception:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"Dovecot did not start: {self.log()[-2000:]}")
                time.sleep(0.2)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def new_user(self) -> str:
        """A new, empty mailbox."""
        return next(self.users)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


class Captured:
    """aiosmtpd handler: keeps every accepted message."""

    def __init__(self) -> None:
        self.messages: List[dict] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "data": envelope.original_content or envelope.content})
        return "250 Message accepted for delivery"


def make_mail(body: str = "", subject: str = "Question", sender: str = "Kari Nordmann <kari@example.com>",
              html: Optional[str] = None, charset: str = "utf-8", **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = BOT
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = headers.pop("message_id", None) or make_msgid(domain="example.com")
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    if html is not None and not body:
        msg.set_content(html, subtype="html", charset=charset)
    else:
        msg.set_content(body, charset=charset)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


def deliver(config: Config, *messages: bytes, folder: str = "INBOX") -> None:
    """Put messages into the test user's INBOX (or another folder), as a mail server would."""
    with MailBoxUnencrypted(config.imap_host, config.imap_port).login(config.user, config.password) as mb:
        for raw in messages:
            mb.append(raw, folder)


def folder(config: Config, name: str) -> list:
    """(flags, message) for every message in a folder, without marking anything seen."""
    with MailBoxUnencrypted(config.imap_host, config.imap_port).login(config.user, config.password) as mb:
        mb.folder.set(name)
        return [(set(m.flags), m) for m in mb.fetch(mark_seen=False, bulk=True)]
