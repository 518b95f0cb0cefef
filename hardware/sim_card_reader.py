"""Simulated card reader: demo citizen profiles that can be "tapped" from a developer
panel, hotkeys or tests. Checks the access key like a real chip would."""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from hardware.base import BackendUnavailable, DeviceState, DeviceStatus
from hardware.card_reader import (CardInserted, CardReader, CardRemoved, CardRemovedDuringRead,
                                  NoCardPresent)
from hardware.shared_types import AccessKey, AuthVerdict, CardReadResult, Citizen, WrongAccessKey, nfc

_DATE_FIELDS = ("date_of_birth", "date_of_issue")


@dataclass(frozen=True)
class DemoProfile:
    """A simulated card: the citizen on it, an optional portrait and read timing."""

    profile_id: str
    citizen: Citizen
    portrait_jpeg: bytes | None = None
    read_delay_s: float = 0.4
    verdict: Any = None  # hardware.emrtd.verdict.AuthVerdict from "chip_verdict"; None: no chip check


def load_profile(path: Path) -> DemoProfile:
    """Read one profile JSON (``{"citizen": {...}, "portrait": "file.jpg", "read_delay_s": 0.4}``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    fields = dict(data["citizen"])
    for key in _DATE_FIELDS:
        if fields.get(key):
            fields[key] = date.fromisoformat(fields[key])
    fields = {k: (nfc(v) if isinstance(v, str) else v) for k, v in fields.items()}
    portrait = None
    if data.get("portrait"):
        portrait = (path.parent / data["portrait"]).read_bytes()
    verdict = None
    if data.get("chip_verdict"):  # demo of a chip check outcome: {"code": ..., "reason": ...}
        verdict = AuthVerdict.from_dict(data["chip_verdict"])
    return DemoProfile(path.stem, Citizen(**fields), portrait, float(data.get("read_delay_s", 0.4)), verdict)


def load_profiles(folder: Path) -> dict[str, DemoProfile]:
    return {p.stem: load_profile(p) for p in sorted(folder.glob("*.json"))}


class SimulatedCardReader(CardReader):
    """A reader with no hardware: :meth:`tap` puts a demo card on it, :meth:`remove` takes it off."""

    backend = "simulated"

    def __init__(self, profiles_dir: str = "assets/demo/citizens",
                 profiles: dict[str, DemoProfile] | None = None) -> None:
        super().__init__()
        self._profiles_dir = Path(profiles_dir)
        self.profiles: dict[str, DemoProfile] = dict(profiles or {})
        self._card: DemoProfile | None = None
        self._lock = threading.Lock()
        self._removed = threading.Event()
        self.reads = 0
        self.fail_next: Exception | None = None  # fault injection for tests and demos

    def open(self) -> None:
        if not self.profiles:
            if not self._profiles_dir.is_dir():
                raise BackendUnavailable(f"simulated card reader: no profiles folder {self._profiles_dir}")
            self.profiles = load_profiles(self._profiles_dir)
        self._open = True

    def close(self) -> None:
        self._open = False
        self._card = None

    def status(self) -> DeviceStatus:
        if not self._open:
            return DeviceStatus(DeviceState.CLOSED, "closed")
        return DeviceStatus(DeviceState.READY, f"simulated, {len(self.profiles)} demo cards",
                            {"card_present": self._card is not None})

    # -- simulation controls ---------------------------------------------------------
    def tap(self, profile_id: str) -> None:
        """Put demo card ``profile_id`` on the reader (replacing any card there)."""
        self._require_open()
        profile = self.profiles[profile_id]
        with self._lock:
            had_card = self._card is not None
            self._card = profile
            self._removed.clear()
        if had_card:
            self._emit(CardRemoved("simulated"))
        self._emit(CardInserted("simulated", b"\x3b\x88\x80\x01"))

    def remove(self) -> None:
        """Take the card off the reader (an ongoing read fails with CardRemovedDuringRead)."""
        with self._lock:
            had_card = self._card is not None
            self._card = None
            self._removed.set()
        if had_card:
            self._emit(CardRemoved("simulated"))

    @property
    def current_profile(self) -> DemoProfile | None:
        return self._card

    # -- port ------------------------------------------------------------------------
    def card_present(self) -> bool:
        return self._card is not None

    def read_card(self, key: AccessKey) -> CardReadResult:
        self._require_open()
        card = self._card
        if card is None:
            raise NoCardPresent("no card on the simulated reader")
        started = time.monotonic()
        if self.fail_next is not None:
            exc, self.fail_next = self.fail_next, None
            raise exc
        method = self._authenticate(card.citizen, key)
        if self._removed.wait(card.read_delay_s):  # the card left during the "read"
            raise CardRemovedDuringRead("card removed during the simulated read")
        self.reads += 1
        return CardReadResult(
            citizen=card.citizen,
            access_method=method,
            portrait_jpeg=card.portrait_jpeg,
            passive_auth_ok=None,
            passive_auth_summary="simulated card: no passive authentication",
            duration_s=time.monotonic() - started,
            verdict=card.verdict,
        )

    @staticmethod
    def _authenticate(citizen: Citizen, key: AccessKey) -> str:
        if key.can is not None and key.can == citizen.can:
            return "PACE-CAN (simulated)"
        bac = key.bac  # the simulated chip checks document number and DOB, not the expiry
        if bac is not None and bac.document_number == citizen.id_number[-9:] and citizen.date_of_birth \
                and bac.date_of_birth == citizen.date_of_birth.strftime("%y%m%d"):
            return "BAC (simulated)"
        raise WrongAccessKey("access key does not fit the simulated card")
