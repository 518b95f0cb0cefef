"""Audit log of the maintenance screen and staff commands: who, when, what.

One JSON object a line in ``<data_dir>/audit/maintenance.jsonl``, appended and flushed
per entry, never rotated away by the application log. Entries name staff actions and
their outcome only; citizen data never reach them (maintenance never sees any).
"""
from __future__ import annotations

import getpass
import json
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.logs import redact


class AuditLog:
    """Append-only staff audit trail (thread-safe)."""

    def __init__(self, path: Path, kiosk_id: str = "") -> None:
        self.path = path
        self.kiosk_id = kiosk_id
        self._lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path, kiosk_id: str = "") -> "AuditLog":
        return cls(Path(data_dir) / "audit" / "maintenance.jsonl", kiosk_id)

    def record(self, who: str, action: str, outcome: str = "ok", **detail: Any) -> None:
        """Append one entry; ``detail`` values are masked like log lines (defence in depth)."""
        entry = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 "kiosk": self.kiosk_id, "who": who, "action": action, "outcome": outcome}
        entry.update({k: redact(str(v)) for k, v in detail.items()})
        line = json.dumps(entry, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    def entries(self, last: int = 50) -> list[dict[str, Any]]:
        """The newest ``last`` entries (oldest first)."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()[-last:]
        return [json.loads(line) for line in lines if line.strip()]


def cli_actor() -> str:
    """Who runs a staff command on the kiosk PC: the operating-system account."""
    try:
        return "cli:" + getpass.getuser()
    except Exception:  # no user database entry (containers)
        return "cli:unknown"
