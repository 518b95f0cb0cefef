"""Demo data for the centre ``make run`` starts beside the kiosk (``kiosk.mode = demo``):
the demo citizens' applications, with a status timeline, and today's bookings, so that a
newcomer can look up a status and check in an appointment at once.

The data go in through the national systems' import files and the real ``centre import``
command (the path a province's data take), made from ``assets/demo/centre.json`` with dates
relative to today. Applications are imported once a day (each one's steps in turn, which
builds its timeline); bookings at every start, their slot a quarter of an hour ahead, so a
check-in is accepted for the next half hour or so (the centre's early/late rule applies).
None of it is real: the citizens are the fictional demo cards.
"""
from __future__ import annotations

import csv
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "assets" / "demo" / "centre.json"
CITIZENS = ROOT / "assets" / "demo" / "citizens"
APPLICATION_COLUMNS = ("MaHoSo", "MaTTHC", "SoBienNhan", "SoDinhDanh", "NgayTiepNhan", "NgayHenTra",
                       "TrangThaiHoSo", "NgayTra", "DonViXuLy")
BOOKING_COLUMNS = ("MaLichHen", "MaDichVu", "NgayHen", "GioHen", "SoDinhDanh")
SLOT_AHEAD_MIN = 15


@dataclass(frozen=True)
class DemoCodes:
    """What the developer panel scans (F7, F8) and the start-up banner names."""

    booking: str        # today's booking without an ID number: check in by its QR
    card_booking: str   # today's booking of a demo card: check in by tapping it
    dossier: str        # an application being processed (the first demo card's)
    card_key: str = "F1"   # the developer panel's key that puts that card on the reader

    def banner(self) -> str:
        return (f"  demo data:       booking {self.booking} (F7 scans its QR), booking {self.card_booking} "
                f"(tap card {self.card_key}, 'I have an appointment today'), application {self.dossier} (F8)")


def _template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text(encoding="utf-8"))


def _id_number(citizen: str) -> str:
    if not citizen:
        return ""
    data = json.loads((CITIZENS / f"{citizen}.json").read_text(encoding="utf-8"))
    return str(data.get("citizen", data)["id_number"])


def _dossier_code(agency: str, received: date, serial: int) -> str:
    return f"{agency}-{received:%y%m%d}-{serial:04d}"


def booking_code(today: date, number: int) -> str:
    """A booking code the kiosk's default pattern recognises (letters and digits)."""
    return f"LH{today:%y%m%d}{number:02d}"


def application_rows(today: date) -> list[dict[str, str]]:
    """The applications file: one row per step of each dossier, oldest step first."""
    t = _template()
    rows = []
    for app in t["applications"]:
        received = today - timedelta(days=app["received_days_ago"])
        returned = today - timedelta(days=app["returned_days_ago"]) if "returned_days_ago" in app else None
        code = _dossier_code(t["agency"], received, app["serial"])
        for status in app["steps"]:
            rows.append({"MaHoSo": code, "MaTTHC": app["MaTTHC"], "SoBienNhan": "",
                         "SoDinhDanh": _id_number(app["citizen"]), "NgayTiepNhan": f"{received:%d/%m/%Y}",
                         "NgayHenTra": "", "TrangThaiHoSo": str(status),
                         "NgayTra": f"{returned:%d/%m/%Y}" if returned and status == 10 else "",
                         "DonViXuLy": app["DonViXuLy"]})
    return rows


def booking_rows(now: datetime) -> list[dict[str, str]]:
    """Today's bookings, their slot a quarter of an hour from ``now`` (to the minute)."""
    slot = (now + timedelta(minutes=SLOT_AHEAD_MIN)).replace(second=0, microsecond=0)
    if slot.date() != now.date():   # just before midnight: the last minute of today
        slot = now.replace(hour=23, minute=59, second=0, microsecond=0)
    return [{"MaLichHen": booking_code(now.date(), b["number"]), "MaDichVu": b["service"],
             "NgayHen": f"{now:%d/%m/%Y}", "GioHen": f"{slot:%H:%M}", "SoDinhDanh": _id_number(b["citizen"])}
            for b in _template()["bookings"]]


def demo_codes(today: date) -> DemoCodes:
    t = _template()
    by_id = {b["citizen"]: b["number"] for b in t["bookings"]}
    card = next(c for c in by_id if c)
    first = t["applications"][0]
    # the panel's F1-F4 follow the sorted demo card files (screens.kiosk_app)
    cards = sorted(p.stem for p in CITIZENS.glob("*.json"))
    return DemoCodes(booking=booking_code(today, by_id[""]), card_booking=booking_code(today, by_id[card]),
                     dossier=_dossier_code(t["agency"], today - timedelta(days=first["received_days_ago"]),
                                           first["serial"]),
                     card_key=f"F{cards.index(card) + 1}")


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)   # ID numbers (fictional)
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        w.writerows(rows)


def seed(centre_dir: Path, run_import: Callable[[str, Path], dict[str, Any]],
         now: datetime | None = None) -> DemoCodes:
    """Import the demo data through ``run_import(kind, file)`` (``centre import KIND FILE
    --json``, its report returned). Applications once a day (``demo-seeded`` remembers the
    day); bookings at every start (a booking already checked in today is refused, as any
    re-import of a used booking is, and stays as it is)."""
    now = now or datetime.now()
    stamp = centre_dir / "demo-seeded"
    with tempfile.TemporaryDirectory(dir=centre_dir) as tmp:
        if not stamp.exists() or stamp.read_text().strip() != now.date().isoformat():
            path = Path(tmp) / "applications.csv"
            _write_csv(path, APPLICATION_COLUMNS, application_rows(now.date()))
            run_import("applications", path)
            stamp.write_text(now.date().isoformat())
        path = Path(tmp) / "appointments.csv"
        _write_csv(path, BOOKING_COLUMNS, booking_rows(now))
        run_import("appointments", path)
    return demo_codes(now.date())
