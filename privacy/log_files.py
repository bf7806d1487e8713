"""The servers' log files (`logs/*.log`): rotated by day, rotated files deleted after the
retention period.

Rotation copies the file and then truncates it in place (copy-and-truncate), so the writing
processes keep their file handles; they open their logs for appending, so they go on writing
at the new end. A line written between the copy and the truncation is lost: the window is the
copy's duration.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path
from typing import Dict, Optional

# name.log.YYYY-MM-DD: fixed shape, linear time.
ROTATED = re.compile(r"^(?P<base>[^/]{1,200}\.log)\.(?P<day>\d{4}-\d{2}-\d{2})$")


def rotate(log_dir: Path, today: Optional[dt.date] = None) -> int:
    """Moves the content of every non-empty `*.log` to `*.log.<today>`; returns how many."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    rotated = 0
    if not log_dir.is_dir():
        return 0
    for log in sorted(log_dir.glob("*.log")):
        if not log.is_file() or log.is_symlink() or log.stat().st_size == 0:
            continue
        target = log.with_name(f"{log.name}.{today.isoformat()}")
        with open(log, "r+b") as source:
            with open(target, "ab") as copy:  # a second rotation the same day appends
                shutil.copyfileobj(source, copy)
            source.truncate(0)
        rotated += 1
    return rotated


def delete_older_than(log_dir: Path, days: float, today: Optional[dt.date] = None) -> int:
    """Deletes rotated files whose day is more than `days` before today; returns how many."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    oldest_kept = today - dt.timedelta(days=days)
    removed = 0
    if not log_dir.is_dir():
        return 0
    for path in log_dir.iterdir():
        match = ROTATED.match(path.name)
        if not match or not path.is_file():
            continue
        try:
            day = dt.date.fromisoformat(match.group("day"))
        except ValueError:
            continue
        if day < oldest_kept:
            path.unlink()
            removed += 1
    return removed


def purge(log_dir: Path, days: float, today: Optional[dt.date] = None) -> Dict[str, int]:
    return {"rotated": rotate(log_dir, today), "deleted": delete_older_than(log_dir, days, today)}
