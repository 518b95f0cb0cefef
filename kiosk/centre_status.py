"""Application status from the centre, answered from this kiosk's encrypted snapshots
("as of HH:MM") when the centre cannot be reached."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import datetime
from typing import Any, Callable

from kiosk.centre_client import CentrePort, CentreRejected, CentreUnreachable
from offline_cache.sealed import StoreSealer
from offline_cache.status_cache import StatusCache, StatusResult


def _ddmmyyyy(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return ""


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    return datetime.fromisoformat(iso).strftime("%d/%m/%Y %H:%M")


def result_from(code: str, data: dict[str, Any], *, source: str, as_of: datetime | None = None) -> StatusResult:
    """The centre's application view as the kiosk shows it."""
    updated = datetime.fromisoformat(data["updated_at"]).replace(tzinfo=None) if data.get("updated_at") else None
    return StatusResult(
        code=code, found=True, status_vi=data["status_vi"], status_en=data["status_en"], updated_at=updated,
        source=source, timeline=tuple((e["vi"], e["en"], _when(e.get("at"))) for e in data.get("timeline", [])),
        next_step_vi=data.get("next_step_vi", ""), next_step_en=data.get("next_step_en", ""),
        due_on=_ddmmyyyy(data.get("due_on")), received_on=_ddmmyyyy(data.get("received_on")),
        overdue=bool(data.get("overdue")), collect_vi=data.get("collect_vi", ""),
        collect_en=data.get("collect_en", ""), as_of=as_of)


class CentreStatusLookup:
    """``lookup(code)``: a dossier / receipt code, or a 12-digit ID number (newest application)."""

    def __init__(self, centre: CentrePort, cache: StatusCache, sealer: StoreSealer, key: bytes,
                 *, retention_s: float = 7 * 24 * 3600.0, clock: Callable[[], float] = time.time) -> None:
        self.centre = centre
        self.cache = cache
        self.sealer = sealer
        self._hkey = hmac.new(key, b"kiosk status snapshot v1", hashlib.sha256).digest()
        self.retention_s = retention_s
        self.clock = clock

    def _hash(self, code: str) -> str:
        return hmac.new(self._hkey, code.encode(), hashlib.sha256).hexdigest()

    def __call__(self, code: str) -> StatusResult:
        code = code.strip().upper()
        try:
            if code.isdigit() and len(code) == 12:
                found = self.centre.applications_of(code)
                data = found[0] if found else None
            else:
                data = self.centre.application(code)
        except CentreRejected as exc:
            if exc.status == 404:
                return StatusResult(code, False, source="centre")
            raise
        except CentreUnreachable:
            return self._offline(code)
        if data is None:
            return StatusResult(code, False, source="centre")
        now = self.clock()
        self.cache.put_snapshot(self._hash(code), self.sealer.seal(json.dumps(data).encode()), now)
        self.cache.purge_snapshots(now - self.retention_s)
        return result_from(code, data, source="centre")

    def _offline(self, code: str) -> StatusResult:
        snap = self.cache.snapshot(self._hash(code))
        if snap is None or snap[1] < self.clock() - self.retention_s:
            raise CentreUnreachable("no snapshot of this application")
        data = json.loads(self.sealer.open(snap[0]))
        return result_from(code, data, source="cache", as_of=datetime.fromtimestamp(snap[1]))
