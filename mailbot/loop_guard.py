"""Mail that is never answered: auto-replies, bounces, mailing lists, no-reply senders, ourselves.

RFC 3834 (Auto-Submitted), RFC 2369/2919 (List-*), Precedence: bulk/list/junk, delivery
status reports, null return paths, and the usual "Out of office" / "Undeliverable" subjects.
Our own replies carry `Auto-Submitted: auto-replied` and X-Mailbot, so two bots never ping-pong.
"""
from __future__ import annotations

import re
from email.message import Message
from email.utils import parseaddr
from typing import Iterable, Optional

from mailbot.decode import address, header, patterns

OWN_HEADER = "X-Mailbot"


def skip_reason(msg: Message, own_addresses: Iterable[str] = ()) -> Optional[str]:
    """Why this message must not be answered, or None when it may be."""
    p = patterns()["loop_guard"]
    if msg.get(OWN_HEADER):
        return "our own message"
    auto = header(msg, "Auto-Submitted").lower()
    if auto and auto != "no":
        return "auto-submitted"  # not the value: it is the sender's text, and reasons are logged
    for name in p["auto_headers"]:
        if msg.get(name) is not None and header(msg, name).lower() not in ("no", "false", "0"):
            return f"auto-reply header {name}"
    precedence = header(msg, "Precedence").lower()
    if re.match(p["precedence"], precedence):
        return f"precedence: {precedence}"
    for name in p["list_headers"]:
        if msg.get(name) is not None:
            return f"mailing list ({name})"
    if msg.get_content_type() == "multipart/report" or "delivery-status" in str(msg.get_params(header="content-type")):
        return "delivery status report (bounce)"
    return_path = msg.get("Return-Path")
    if return_path is not None and parseaddr(str(return_path))[1] == "" and "<>" in str(return_path):
        return "null return path (bounce)"
    own = {a.strip().lower() for a in own_addresses if a}
    no_reply = re.compile(p["no_reply_sender"], re.IGNORECASE)
    for name in ("From", "Reply-To", "Sender"):
        found = address(msg, name)[1].lower()
        if found and no_reply.search(found):
            return f"no-reply sender ({name})"
        if found and name == "From" and found in own:
            return "sent from our own address"
    subject = header(msg, "Subject")
    if re.search(p["auto_subject"], subject, re.IGNORECASE):
        return "automatic subject"
    return None
