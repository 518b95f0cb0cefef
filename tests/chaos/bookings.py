"""The chaos day's bookings: which citizens booked online, for which slot, and their import
into the centre through the centre's own command
(``python -m kiosk centre import appointments FILE``, the CSV of :mod:`centre.importers`).

The centre runs in a time zone where it is mid-morning (:func:`mid_morning_zone`), so every
slot of the day (two hours either side of now) is on the centre's today whenever the day
runs. Slots follow the citizens' arrival: a citizen ``i`` of ``q`` at a kiosk is expected
about ``i / q`` of the way through the day, and books a slot within a few minutes of that,
well inside the centre's rule (30 min early to 15 min late). A few book a slot long past
(``late``: the centre lapses the booking and gives a walk-in ticket) or hours ahead
(``too_early``: no ticket; the citizen takes a walk-in instead).
"""
from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.chaos.booking_visit import BookingCitizen, save_bookings
from tests.fixtures.centre_server import ROOT, centre_env, mid_morning_zone

__all__ = ["mid_morning_zone", "plan_bookings", "import_bookings"]

LATE_SHARE = 0.05
TOO_EARLY_SHARE = 0.05
MODES = (("code", 0.4), ("card_code", 0.4), ("card", 0.2))   # see tests.chaos.booking_visit


def _mode(rng: random.Random) -> str:
    x = rng.random()
    for mode, share in MODES:
        if x < share:
            return mode
        x -= share
    return MODES[-1][0]


def plan_bookings(n: int, quotas: dict[str, int], services: list[str], rng: random.Random, t0: float,
                  day_s: float) -> dict[str, list[tuple[BookingCitizen, float]]]:
    """``n`` booked citizens spread over the kiosks (in proportion to their quotas), each with
    the epoch of its slot; ``day_s``: about how long the day will run."""
    total = sum(quotas.values())
    out: dict[str, list[tuple[BookingCitizen, float]]] = {}
    left = n
    for k, (kiosk, quota) in enumerate(sorted(quotas.items())):
        share = left if k == len(quotas) - 1 else min(left, round(n * quota / total))
        left -= share
        rows = []
        for index in sorted(rng.sample(range(quota), min(share, quota))):
            x = rng.random()
            kind = "late" if x < LATE_SHARE else "too_early" if x < LATE_SHARE + TOO_EARLY_SHARE else "on_time"
            expected = t0 + day_s * index / max(1, quota)
            slot = {"late": t0 - 100 * 60, "too_early": expected + 150 * 60}.get(
                kind, expected + rng.uniform(-8, 8) * 60)
            b = BookingCitizen(index=index, code=f"BK-{kiosk}-{index:05d}", id_number=f"0{k + 1:02d}{index:09d}",
                               service=rng.choice(services), mode=_mode(rng), kind=kind)
            rows.append((b, slot))
        out[kiosk] = rows
    return out


def import_bookings(plan: dict[str, list[tuple[BookingCitizen, float]]], data_dir: Path, tz: str,
                    folders: dict[str, Path], database_url: str = "") -> int:
    """Import the plan into the centre's database in ``data_dir`` (or at ``database_url``: the
    centre's CLI, as staff would) and save each kiosk's citizens in its folder; returns the
    bookings accepted."""
    zone = ZoneInfo(tz)
    path = data_dir.parent / "bookings.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["MaLichHen", "MaDichVu", "NgayHen", "GioHen", "SoDinhDanh"])
        for rows in plan.values():
            for b, slot in rows:
                at = datetime.fromtimestamp(slot, zone)
                w.writerow([b.code, b.service, at.strftime("%d/%m/%Y"), at.strftime("%H:%M"), b.id_number])
    for kiosk, rows in plan.items():
        folders[kiosk].mkdir(parents=True, exist_ok=True)
        save_bookings(folders[kiosk] / "bookings.json", [b for b, _ in rows])
    done = subprocess.run([sys.executable, "-m", "kiosk", "centre", "import", "appointments", str(path),
                           "--data-dir", str(data_dir), "--json",
                           *(["--database-url", database_url] if database_url else [])], cwd=ROOT, capture_output=True, text=True,
                          env=centre_env({"KIOSK_CENTRE_SERVICE_TIMEZONE": tz}), timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"booking import failed ({done.returncode}): {done.stdout[-400:]} {done.stderr[-400:]}")
    return int(json.loads(done.stdout)["accepted"])
