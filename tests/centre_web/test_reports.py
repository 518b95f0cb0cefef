"""``python -m kiosk centre report``: a day played through the centre's own operations
(on a real SQLite file, with a clock we move), then the CLI's CSV and PNG checked."""
from __future__ import annotations

import csv
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image

from centre import access
from centre.domain.tickets import Action
from centre.principals import Principal
from tests.fixtures.centre_server import ROOT, centre_env, open_centre

START = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")).timestamp()


def test_report_of_a_day(tmp_path: Path) -> None:
    now = [START]
    centre = open_centre(tmp_path / "data", clock=lambda: now[0])
    kiosk = Principal(0, "kiosk-01", "kiosk")

    def at(offset: float) -> None:
        now[0] = START + offset

    with centre.db.write() as conn:
        c1 = access.add_token(conn, "counter", "c1", START)
        access.add_officer(conn, "lan", "2468", START)
        tok = access.authenticate(conn, c1)
        _, s1 = access.sign_in(conn, centre.settings, tok, counter=1, services=["cccd_new", "cccd_renew"],
                               officer_name="lan", pin="2468", now=START)
        a1 = centre.issue(conn, kiosk, "cccd_new")
        at(60)
        a2 = centre.issue(conn, kiosk, "cccd_new")
        at(3700)                                   # 09:01: an hour later, another arrival
        b1 = centre.issue(conn, kiosk, "cccd_renew")
        at(300)
        assert centre.call_next(conn, s1)["number"] == "A001"          # waited 300 s
        at(320)
        centre.act(conn, s1, a1["id"], Action.START)
        at(620)
        centre.act(conn, s1, a1["id"], Action.FINISH)                  # served 300 s
        centre.rate(conn, s1, a1["id"], 2, ["wait", "guidance"])
        at(700)
        assert centre.call_next(conn, s1)["number"] == "A002"          # waited 640 s
        at(760)
        centre.act(conn, s1, a2["id"], Action.RECALL)
        at(820)
        centre.act(conn, s1, a2["id"], Action.NO_SHOW)
        at(3800)
        assert centre.call_next(conn, s1)["number"] == "B001"          # waited 100 s
        at(3810)
        centre.act(conn, s1, b1["id"], Action.START)
        at(4410)
        centre.act(conn, s1, b1["id"], Action.FINISH)                  # served 600 s
        centre.rate(conn, s1, b1["id"], 5, [])
    centre.db.dispose()

    out = tmp_path / "report"
    res = subprocess.run([sys.executable, "-m", "kiosk", "centre", "report", "--date", "2026-03-02",
                          "--out", str(out), "--data-dir", str(tmp_path / "data")],
                         cwd=ROOT, env=centre_env(), capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == "2026-03-02: 3 ticket(s), 2 served, 1 no-show(s), 2 rating(s)"

    def rows(name: str) -> dict[str, dict[str, str]]:
        with (out / f"2026-03-02-{name}.csv").open(encoding="utf-8") as f:
            return {r["key"]: r for r in csv.DictReader(f)}

    svc = rows("services")
    a = svc["cccd_new"]
    assert (a["tickets"], a["served"], a["no_shows"], a["still_open"]) == ("2", "1", "1", "0")
    assert a["wait_median_min"] == f"{(300 + 640) / 2 / 60:.1f}" and a["wait_p90_min"] == f"{640 / 60:.1f}"
    assert a["service_median_min"] == "5.0" and a["rating_mean"] == "2.00"
    b = svc["cccd_renew"]
    assert (b["tickets"], b["served"], b["wait_median_min"], b["service_median_min"]) == ("1", "1", "1.7", "10.0")
    assert svc["vneid"]["tickets"] == "0" and svc["vneid"]["wait_median_min"] == ""
    counters = rows("counters")
    assert list(counters) == ["1"]
    assert (counters["1"]["served"], counters["1"]["no_shows"], counters["1"]["ratings"]) == ("2", "1", "2")
    assert counters["1"]["rating_mean"] == "3.50" and counters["1"]["service_median_min"] == "7.5"
    hours = (out / "2026-03-02-hours.csv").read_text().split()
    assert hours == ["hour,tickets", "8,2", "9,1"]
    ratings = (out / "2026-03-02-ratings.csv").read_text().splitlines()
    assert ratings[1:6] == ["1,0", "2,1", "3,0", "4,0", "5,1"]
    assert set(ratings[-2:]) == {"wait,1", "guidance,1"}
    with Image.open(out / "2026-03-02-chart.png") as img:
        assert img.size == (1300, 850)
        # a drawn chart, not an empty canvas: many colours
        assert len(img.convert("RGB").getcolors(1_000_000)) > 50


def test_report_refuses_a_bad_date(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-m", "kiosk", "centre", "report", "--date", "2-3-2026",
                          "--out", str(tmp_path), "--data-dir", str(tmp_path / "data")],
                         cwd=ROOT, env=centre_env(), capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "YYYY-MM-DD" in res.stderr
