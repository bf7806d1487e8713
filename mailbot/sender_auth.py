"""Is the sender who the From header says? The receiving server's DMARC verdict (RFC 8601).

A reply is sent automatically only when our own mail server (authserv-id MAIL_AUTHSERV_ID)
wrote `dmarc=pass` with `header.from=` equal to the From address's domain. Only the topmost
group of Authentication-Results headers counts: the first one with our authserv-id and the
ones directly below it (mail filters add one header each, next to each other). Anything a
sender wrote into the message itself sits lower, below our server's own headers, and is
ignored; so is every header with another authserv-id. Any dmarc result in that group other
than a pass for the From domain, or no dmarc result, means "not verified".

The parser is a single pass over the header value (comments, quoted strings, `;` and `=`),
so a hostile header costs time linear in its length; maintained parsers (authres) were not
needed for this one property and would add a dependency.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from email.message import Message
from typing import Dict, List, Optional, Tuple

HEADER = "Authentication-Results"
MAX_VALUE_CHARS = 8000  # longer values are cut: a real one is a few hundred characters


@dataclass
class Result:
    method: str  # "dmarc", "dkim", "spf" ... (lower case, without a /version)
    result: str  # "pass", "fail", "none" ... (lower case)
    properties: Dict[str, str] = field(default_factory=dict)  # "header.from" -> "example.com"


@dataclass
class AuthResults:
    authserv_id: str
    results: List[Result] = field(default_factory=list)


def _tokens(value: str) -> List[str]:
    """Words (quoted strings unquoted), ";" and "="; comments and white space dropped."""
    tokens: List[str] = []
    word: List[str] = []
    depth = 0  # inside (comments (may nest))
    quoted = False
    escaped = False

    def flush() -> None:
        if word:
            tokens.append("".join(word))
            word.clear()

    for ch in value[:MAX_VALUE_CHARS]:
        if escaped:
            escaped = False
            if quoted:
                word.append(ch)
        elif ch == "\\" and (quoted or depth):
            escaped = True
        elif quoted:
            if ch == '"':
                quoted = False
            else:
                word.append(ch)
        elif depth:
            depth += {"(": 1, ")": -1}.get(ch, 0)
        elif ch == "(":
            flush()
            depth = 1
        elif ch == '"':
            quoted = True
        elif ch in ";=":
            flush()
            tokens.append(ch)
        elif ch.isspace():
            flush()
        else:
            word.append(ch)
    flush()
    return tokens


def parse_authentication_results(value: str) -> Optional[AuthResults]:
    """One header's value -> its authserv-id and results; None if it has no authserv-id."""
    segments: List[List[str]] = [[]]
    for token in _tokens(value):
        if token == ";":
            segments.append([])
        else:
            segments[-1].append(token)
    head = segments[0]
    if not head or head[0] == "=":
        return None
    parsed = AuthResults(head[0].lower())
    for segment in segments[1:]:
        # method=result, then reason=... and ptype.property=value pairs
        if len(segment) < 3 or segment[1] != "=" or segment[0] == "=" or segment[2] == "=":
            continue
        result = Result(segment[0].split("/", 1)[0].lower(), segment[2].lower())
        rest = segment[3:]
        for i in range(0, len(rest) - 2, 3):
            name, equals, prop_value = rest[i:i + 3]
            if equals == "=" and name != "=" and prop_value != "=":
                result.properties.setdefault(name.lower(), prop_value)
        parsed.results.append(result)
    return parsed


def topmost_group(msg: Message, authserv_id: str) -> List[AuthResults]:
    """Our server's Authentication-Results: the first with our authserv-id and the ones
    directly below it. Headers with other ids above it (an internal relay's) are passed over."""
    wanted = authserv_id.strip().lower()
    group: List[AuthResults] = []
    for name, value in msg.raw_items():
        parsed = parse_authentication_results(str(value)) if name.lower() == HEADER.lower() else None
        ours = parsed is not None and parsed.authserv_id == wanted
        if ours:
            group.append(parsed)
        elif group:
            break  # the group ended: anything below may be the sender's own text
    return group


def dmarc_verdict(msg: Message, from_domain: str, authserv_id: str) -> Tuple[bool, str]:
    """(True, "dmarc=pass") when our server's DMARC check passed for `from_domain`;
    else (False, why), the why without any of the message's text."""
    if not from_domain:
        return False, "no From domain"
    group = topmost_group(msg, authserv_id)
    if not group:
        return False, "no Authentication-Results from our server"
    dmarc = [r for results in group for r in results.results if r.method == "dmarc"]
    if not dmarc:
        return False, "no dmarc result"
    for result in dmarc:
        if result.result != "pass":
            return False, f"dmarc={result.result[:20]}"
        if result.properties.get("header.from", "").strip().rstrip(".").lower() != from_domain.lower():
            return False, "dmarc pass for another domain"
    return True, "dmarc=pass"
