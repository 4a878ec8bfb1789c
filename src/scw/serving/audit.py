"""The serving audit log: who read or changed what, when, on which build.

One JSON object per line, appended with O_APPEND (a line is written whole
or not at all) to ``$SCW_AUDIT_LOG``, else ``serving/audit_log.jsonl`` beside
the published folder (``warehouse/serving/audit_log.jsonl`` for
``warehouse/published``).
Events: ``publish`` (scw publish), ``api_read`` (an API response that
carried a sensitive column: cost, margin or customer-identifying) and
``order_decision``. The PostgreSQL loader copies it into an append-only
table (``serving.audit_log``) that the serving roles can read and not change.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path


def audit_log_path(published_folder: Path) -> Path:
    """The audit log of the published folder ``published_folder``."""
    explicit = os.environ.get("SCW_AUDIT_LOG")
    return Path(explicit) if explicit else Path(published_folder).parent / "serving" / "audit_log.jsonl"


def record(published_folder: Path, event: str, who: str, what: str, version: str | None, **detail) -> None:
    """Append one event (``who`` did ``what`` on build ``version``) to the folder's log."""
    path = audit_log_path(published_folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {
            "at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "event": event,
            "who": who,
            "what": what,
            "version": version,
            **detail,
        },
        sort_keys=True,
        default=str,
    )
    handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(handle, (line + "\n").encode())
    finally:
        os.close(handle)


def read(published_folder: Path) -> list[dict]:
    """Every event of the folder's log, oldest first."""
    path = audit_log_path(published_folder)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
