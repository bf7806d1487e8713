"""The worker's two connections: the mailbox over IMAP (imap_tools) and SMTP (smtplib).

Nothing here deletes, moves or expunges: flags are set with UID STORE directly, because
imap_tools' `flag()` expunges the folder afterwards (which would remove messages someone
else marked \\Deleted). Messages are fetched with BODY.PEEK, so nothing is marked as read.

Sizes first: each batch's RFC822.SIZE is fetched alone, and a message larger than
MAIL_MAX_BYTES (or of unknown size) is never downloaded whole, only the first HEADER_BYTES
of its header; it is handed on with `too_large = True`.
"""
from __future__ import annotations

import re
import smtplib
import ssl
from datetime import date
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Dict, Iterable, Iterator, List, Optional

from imap_tools import AND, H, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage

from mailbot.config import Config

FETCH_BATCH = 50
HEADER_BYTES = 65536  # what is read of a too-large message: the start of its header
# On the server's FETCH lines (short, one per message): "12 (UID 34 RFC822.SIZE 5678)".
_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")
NOT_SENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


class SmtpNotSent(Exception):
    """The SMTP server certainly did not accept the message."""


class SmtpUnavailable(SmtpNotSent):
    """No connection to the SMTP server."""


def open_mailbox(config: Config):
    if config.imap_security == "tls":
        box = MailBox(config.imap_host, config.imap_port, timeout=config.timeout,
                      ssl_context=ssl.create_default_context())
    elif config.imap_security == "starttls":
        box = MailBoxStartTls(config.imap_host, config.imap_port, timeout=config.timeout,
                              ssl_context=ssl.create_default_context())
    else:
        box = MailBoxUnencrypted(config.imap_host, config.imap_port, timeout=config.timeout)
    return box.login(config.user, config.password, initial_folder=config.inbox)


class Mailbox:
    """The logged-in mailbox, with the inbox selected between operations."""

    def __init__(self, mb, inbox: str) -> None:
        self.mb, self.inbox = mb, inbox
        self.uidvalidity = int(mb.folder.status(inbox, ["UIDVALIDITY"])["UIDVALIDITY"])

    def ensure_folders(self, *folders: str) -> None:
        for folder in folders:
            if not self.mb.folder.exists(folder):
                self.mb.folder.create(folder)

    def uids_with_message_id(self, message_id: str) -> List[str]:
        return self.mb.uids(AND(header=H("Message-ID", message_id)))

    def found_in(self, folder: str, message_id: str) -> bool:
        try:
            self.mb.folder.set(folder, readonly=True)
            return bool(self.uids_with_message_id(message_id))
        finally:
            self.mb.folder.set(self.inbox)

    def append_once(self, folder: str, message: EmailMessage, flags: Iterable[str]) -> None:
        """APPEND unless a message with this Message-ID is already there (idempotent)."""
        if not self.found_in(folder, message["Message-ID"]):
            self.mb.append(message.as_bytes(), folder, flag_set=list(flags))

    def flag(self, uid: Optional[str], flag: str) -> None:
        if uid:
            typ, data = self.mb.client.uid("STORE", uid, "+FLAGS", f"({flag})")
            if typ != "OK":
                raise RuntimeError(f"could not set {flag} on UID {uid}: {data}")

    def sizes(self, uids: List[str]) -> Dict[str, int]:
        """UID -> RFC822.SIZE, asked for alone (no message data)."""
        typ, data = self.mb.client.uid("FETCH", ",".join(uids), "(UID RFC822.SIZE)")
        if typ != "OK":
            raise RuntimeError(f"could not fetch message sizes: {typ}")
        found: Dict[str, int] = {}
        for item in data or []:
            line = item[0] if isinstance(item, tuple) else item
            if not isinstance(line, bytes):
                continue
            uid, size = _UID.search(line[:500]), _SIZE.search(line[:500])
            if uid and size:
                found[uid.group(1).decode()] = int(size.group(1))
        return found

    def header_only(self, uid: str) -> Optional[MailMessage]:
        """The message with only the start of its header (a too-large message)."""
        typ, data = self.mb.client.uid("FETCH", uid, f"(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER]<0.{HEADER_BYTES}>)")
        if typ != "OK" or not data or data[0] is None:
            return None
        message = MailMessage(data)
        message.too_large = True
        return message

    def new_messages(self, since: str, done: Iterable[str], max_bytes: int) -> Iterator:
        """Inbox messages whose UID is not in `done`, oldest first, in batches; a message over
        `max_bytes` (or of unknown size) with its header only and `too_large` set."""
        criteria = "ALL"
        if since:
            criteria = AND(date_gte=date.fromisoformat(since)) if since[4:5] == "-" else f"SINCE {since}"
        finished = set(done)
        todo = [u for u in self.mb.uids(criteria) if u not in finished]
        for start in range(0, len(todo), FETCH_BATCH):
            batch = todo[start:start + FETCH_BATCH]
            sizes = self.sizes(batch)
            small = [u for u in batch if 0 < sizes.get(u, 0) <= max_bytes]
            fetched = {m.uid: m for m in self.mb.fetch(uid_list=small, mark_seen=False, bulk=True)} if small else {}
            for uid in batch:
                message = fetched.get(uid) if uid in small else self.header_only(uid)
                if message is not None:
                    if not hasattr(message, "too_large"):
                        message.too_large = False
                    yield message


class Smtp:
    """One SMTP connection per run, opened when the first reply is sent."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.connection: Optional[smtplib.SMTP] = None

    def _connect(self) -> smtplib.SMTP:
        if self.connection is not None:
            try:
                self.connection.noop()
                return self.connection
            except OSError:  # SMTPException is an OSError too: the connection went stale
                self.connection = None
        cfg = self.config
        try:
            if cfg.smtp_security == "tls":
                smtp = smtplib.SMTP_SSL(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=cfg.timeout)
                if cfg.smtp_security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
            if cfg.smtp_user and smtp.has_extn("auth"):
                smtp.login(cfg.smtp_user, cfg.smtp_password)
        except OSError as error:
            raise SmtpUnavailable(f"SMTP connection: {error}") from error
        self.connection = smtp
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Raises SmtpNotSent when the server refused; any other error: unknown whether it went out."""
        smtp = self._connect()
        try:
            smtp.send_message(message, from_addr=parseaddr(message["From"])[1],
                              to_addrs=[parseaddr(message["To"])[1]])
        except NOT_SENT as error:
            raise SmtpNotSent(f"SMTP refused: {error}") from error
        except BaseException:
            self.connection = None
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except OSError:
                pass
            self.connection = None
