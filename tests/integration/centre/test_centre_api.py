"""The centre's HTTP API against the real server on loopback, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta

import requests

from centre.store.db import Database
from tests.fixtures.centre_server import Api, CentreProcess
from tests.integration.centre.conftest import signed_in

T = "/api/v1"


def kiosk(proc: CentreProcess, name: str = "kiosk-01") -> Api:
    return Api(proc.url, proc.tokens[name])


def test_migrations_run_from_an_empty_database_to_head(centre_proc: CentreProcess) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect, text

    from centre.store.db import MIGRATIONS
    from tests.fixtures.centre_server import open_centre
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    c = open_centre(centre_proc.data_dir, centre_proc.database_url)
    with c.db.read() as conn:
        assert head == "0002"
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head
        tables = set(inspect(conn).get_table_names())
    assert {"ticket", "ticket_history", "event", "handover", "application", "appointment",
            "api_token", "officer", "offline_lease", "idempotency", "waiting_count"} <= tables
    c.db.dispose()


def test_tokens_roles_and_no_token(centre_proc: CentreProcess) -> None:
    anon = Api(centre_proc.url)
    assert anon.post(f"{T}/tickets", {"service": "cccd_new"})[0] == 401
    assert Api(centre_proc.url, "not-a-token").post(f"{T}/tickets", {"service": "cccd_new"})[0] == 401
    status, body = Api(centre_proc.url, centre_proc.tokens["hall"]).post(f"{T}/tickets", {"service": "cccd_new"})
    assert status == 403 and body["error"] == "wrong_role"
    # a kiosk cannot call tickets
    status, body = kiosk(centre_proc).post(f"{T}/counter/call-next")
    assert status == 403


def test_revoked_token_gets_401(centre_proc: CentreProcess) -> None:
    from centre import access
    from tests.fixtures.centre_server import open_centre
    assert kiosk(centre_proc, "kiosk-02").post(f"{T}/tickets", {"service": "vneid"})[0] == 201
    c = open_centre(centre_proc.data_dir, centre_proc.database_url)
    with c.db.write() as conn:
        access.revoke_token(conn, "kiosk-02", time.time())
    c.db.dispose()
    assert kiosk(centre_proc, "kiosk-02").post(f"{T}/tickets", {"service": "vneid"})[0] == 401


def test_idempotent_issue_returns_the_first_answer(centre_proc: CentreProcess) -> None:
    k = kiosk(centre_proc)
    s1, t1 = k.post(f"{T}/tickets", {"service": "cccd_new"}, **{"Idempotency-Key": "k-1"})
    s2, t2 = k.post(f"{T}/tickets", {"service": "cccd_new"}, **{"Idempotency-Key": "k-1"})
    s3, t3 = k.post(f"{T}/tickets", {"service": "cccd_new"}, **{"Idempotency-Key": "k-2"})
    assert (s1, s2, s3) == (201, 201, 201)
    assert t1 == t2 and t1["number"] == "A001" and t3["number"] == "A002"
    status, body = k.post(f"{T}/tickets", {"service": "vneid"}, **{"Idempotency-Key": "k-1"})
    assert status == 409 and body["error"] == "idempotency_key_reused"


def test_bad_input_gets_clear_4xx_never_500(centre_proc: CentreProcess) -> None:
    k = kiosk(centre_proc)
    for body in ({}, {"service": ""}, {"service": "nope"}, {"service": "cccd_new", "priority_group": "vip"},
                 {"service": "cccd_new", "extra": 1}, {"service": 12}, [], "x"):
        status, resp = k.post(f"{T}/tickets", body)
        assert 400 <= status < 500, (body, status, resp)
        assert "detail" in resp
    status, resp = k.post(f"{T}/applications/lookup", {"id_number": "001090012345x"})
    assert status == 422 and "001090012345x" not in json.dumps(resp)   # input never echoed


def test_counter_day_every_action(centre_proc: CentreProcess) -> None:
    k = kiosk(centre_proc)
    a1 = k.post(f"{T}/tickets", {"service": "cccd_new"})[1]
    a2 = k.post(f"{T}/tickets", {"service": "cccd_new", "priority_group": "elderly"})[1]
    a3 = k.post(f"{T}/tickets", {"service": "cccd_new"})[1]
    assert a3["people_ahead"] == 2 and a2["people_ahead"] == 0
    c3 = signed_in(centre_proc, 3, ["cccd_new"])
    status, called = c3.post(f"{T}/counter/call-next")
    assert status == 200 and called["number"] == a2["number"] and called["counter"] == 3   # strict priority
    status, body = c3.post(f"{T}/counter/call-next")
    assert status == 409 and body["error"] == "counter_busy"
    status, body = c3.post(f"{T}/counter/tickets/{a2['id']}/no-show")
    assert status == 409 and body["error"] == "too_few_calls"
    assert c3.post(f"{T}/counter/tickets/{a2['id']}/recall")[1]["calls"] == 2
    assert c3.post(f"{T}/counter/tickets/{a2['id']}/no-show")[1]["state"] == "no_show"
    t = c3.post(f"{T}/counter/call-next")[1]
    assert t["id"] == a1["id"]
    assert c3.post(f"{T}/counter/tickets/{t['id']}/start")[1]["state"] == "serving"
    assert c3.post(f"{T}/counter/tickets/{t['id']}/hold")[1]["state"] == "held"
    assert c3.post(f"{T}/counter/tickets/{t['id']}/resume")[1]["state"] == "called"
    assert c3.post(f"{T}/counter/tickets/{t['id']}/start")[1]["state"] == "serving"
    assert c3.post(f"{T}/counter/tickets/{t['id']}/finish")[1]["state"] == "done"
    assert c3.post(f"{T}/counter/tickets/{t['id']}/rating", {"score": 5})[0] == 200
    assert c3.post(f"{T}/counter/tickets/{t['id']}/rating", {"score": 4})[0] == 409
    # transfer a3 to counter 4 for another service; counter 3 no longer sees it
    assert c3.post(f"{T}/counter/tickets/{a3['id']}/call")[0] == 200
    status, moved = c3.post(f"{T}/counter/tickets/{a3['id']}/transfer", {"service": "vneid", "counter": 4})
    assert status == 200 and moved["state"] == "waiting" and moved["service"] == "vneid"
    c4 = signed_in(centre_proc, 4, ["vneid"], token="counter-4", officer="minh", pin="1357")
    assert c4.post(f"{T}/counter/call-next")[1]["id"] == a3["id"]
    # counter 3 cannot act on counter 4's ticket
    assert c3.post(f"{T}/counter/tickets/{a3['id']}/start")[0] == 403
    history = kiosk(centre_proc).get(f"{T}/tickets/{a3['id']}")[1]["history"]
    assert [h["state"] for h in history] == ["created", "waiting", "called", "transferred", "waiting", "called"]
    queue = c3.get(f"{T}/counter/queue")[1]
    assert queue["stats"]["served"] == 1 and queue["stats"]["no_shows"] == 1
    assert queue["stats"]["median_service_s"] is not None


def test_pin_lockout(centre_proc: CentreProcess) -> None:
    api = Api(centre_proc.url, centre_proc.tokens["counter-3"])
    body = {"counter": 3, "services": ["cccd_new"], "officer": "lan", "pin": "0000"}
    codes = [api.post(f"{T}/counter/signin", body)[0] for _ in range(5)]
    assert codes == [401] * 5
    status, resp = api.post(f"{T}/counter/signin", {**body, "pin": "2468"})
    assert status == 423 and resp["error"] == "pin_locked"


def test_handover_encrypted_and_only_for_the_calling_counter(centre_proc: CentreProcess) -> None:
    k = kiosk(centre_proc)
    t = k.post(f"{T}/tickets", {"service": "cccd_new"})[1]
    handover = {"chip": {"full_name": "Nguyễn Thị Handover", "id_number": "001090012345"},
                "passive_auth": {"code": "verified"}, "flagged": ["address"],
                "corrections": {"address": "Số 1 Tràng Tiền"}, "priority_reason": "", "source": "card"}
    assert k.call("PUT", f"{T}/tickets/{t['id']}/handover", handover)[0] == 200
    # another kiosk may not attach to it
    assert kiosk(centre_proc, "kiosk-02").call("PUT", f"{T}/tickets/{t['id']}/handover", handover)[0] == 403
    c3 = signed_in(centre_proc, 3, ["cccd_new"])
    assert c3.get(f"{T}/counter/tickets/{t['id']}/handover")[0] == 403      # not called yet
    c3.post(f"{T}/counter/call-next")
    status, got = c3.get(f"{T}/counter/tickets/{t['id']}/handover")
    assert status == 200 and got["chip"]["full_name"] == "Nguyễn Thị Handover"
    assert got["corrections"] == {"address": "Số 1 Tràng Tiền"}
    c4 = signed_in(centre_proc, 4, ["cccd_new"], token="counter-4", officer="minh", pin="1357")
    assert c4.get(f"{T}/counter/tickets/{t['id']}/handover")[0] == 403
    assert Api(centre_proc.url, centre_proc.tokens["hall"]).get(f"{T}/counter/tickets/{t['id']}/handover")[0] == 403
    # at rest: nothing readable in the database
    db = Database(centre_proc.database_url or f"sqlite:///{centre_proc.data_dir / 'centre.sqlite3'}")
    from sqlalchemy import select

    from centre.store.schema import handover as ht, idempotency
    with db.read() as conn:
        blob = conn.execute(select(ht.c.blob)).scalar_one()
        idem = [r.body for r in conn.execute(select(idempotency))]
    db.dispose()
    assert b"Handover" not in blob and "001090012345".encode() not in blob
    assert all("Handover" not in b for b in idem)
    # the server log holds none of it either
    log = (centre_proc.data_dir.parent / f"centre-{centre_proc.port}.log").read_text()
    assert "Handover" not in log and "001090012345" not in log


def test_offline_lease_and_ticket_accepted_once_in_issue_order(centre_proc: CentreProcess) -> None:
    k = kiosk(centre_proc)
    status, leases = k.post(f"{T}/leases", {"prefixes": ["A"]})
    assert status == 200 and len(leases) == 1
    lo, hi = leases[0]["lo"], leases[0]["hi"]
    assert lo >= 500 and hi - lo + 1 == 20
    # asking again returns the same block; another kiosk gets a different one
    assert k.post(f"{T}/leases", {"prefixes": ["A"]})[1] == leases
    other = kiosk(centre_proc, "kiosk-02").post(f"{T}/leases", {"prefixes": ["A"]})[1][0]
    assert other["lo"] > hi
    first = k.post(f"{T}/tickets", {"service": "cccd_new"})[1]
    issued = datetime.now().astimezone() - timedelta(minutes=5)   # issued before `first`, while offline
    body = {"service": "cccd_new", "seq": lo, "issued_at": issued.isoformat(), "client_ref": "kiosk-01/1"}
    s1, off1 = k.post(f"{T}/tickets/offline", body, **{"Idempotency-Key": "off-1"})
    s2, off2 = k.post(f"{T}/tickets/offline", body)     # a replay without the key: same ticket
    assert s1 == s2 == 201 and off1["id"] == off2["id"] and off1["offline"] is True
    assert off1["number"] == f"A{lo:03d}"
    # the number is this kiosk's alone
    status, resp = kiosk(centre_proc, "kiosk-02").post(f"{T}/tickets/offline", {**body, "client_ref": "x"})
    assert status == 409 and resp["error"] == "not_leased"
    status, resp = k.post(f"{T}/tickets/offline", {**body, "client_ref": "kiosk-01/2"})
    assert status == 409 and resp["error"] == "number_taken"
    # queued at its original issue time: ahead of the online ticket issued later
    c3 = signed_in(centre_proc, 3, ["cccd_new"])
    assert c3.post(f"{T}/counter/call-next")[1]["id"] == off1["id"]
    admin = Api(centre_proc.url, centre_proc.tokens["it"])
    numbers = [t["number"] for t in admin.get(f"{T}/tickets")[1]]
    assert numbers == [f"A{lo:03d}", first["number"]]


def test_events_resume_after_reconnect_without_loss(centre_proc: CentreProcess) -> None:
    hall = centre_proc.tokens["hall"]
    k = kiosk(centre_proc)
    got: list[int] = []

    def read(after: int | None, n: int) -> list[dict]:
        headers = {"Authorization": f"Bearer {hall}"}
        if after is not None:
            headers["Last-Event-ID"] = str(after)
        out = []
        with requests.get(f"{centre_proc.url}{T}/events", headers=headers, stream=True, timeout=20) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            ev: dict = {}
            for line in r.iter_lines(decode_unicode=True):
                if line.startswith("id: "):
                    ev["id"] = int(line[4:])
                elif line.startswith("data: ") and "id" in ev:
                    ev["data"] = json.loads(line[6:])
                elif line == "" and "id" in ev:
                    out.append(ev)
                    ev = {}
                    if len(out) == n:
                        return out
        return out

    first = {}
    reader = threading.Thread(target=lambda: first.update(events=read(0, 3)))
    reader.start()
    for _ in range(3):
        k.post(f"{T}/tickets", {"service": "vneid"})
    reader.join(20)
    got = [e["id"] for e in first["events"]]
    assert got == [1, 2, 3]
    # disconnected; meanwhile three more tickets
    for _ in range(3):
        k.post(f"{T}/tickets", {"service": "vneid"})
    resumed = read(got[-1], 3)
    assert [e["id"] for e in resumed] == [4, 5, 6]
    assert [e["data"]["ticket"]["number"] for e in resumed] == ["C004", "C005", "C006"]


def test_import_status_and_lookup_by_id(centre_proc: CentreProcess, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from tests.fixtures.centre_server import ROOT, centre_env
    csv1 = tmp_path / "apps.csv"
    csv1.write_text(
        "MaHoSo,MaTTHC,SoBienNhan,SoDinhDanh,NgayTiepNhan,NgayHenTra,TrangThaiHoSo,NgayTra,DonViXuLy\n"
        "000.17.22.H56-251204-0001,1.001,BN-1,001090012345,04/12/2025,,2,,Công an tỉnh\n"
        "000.17.22.H56-251204-0002,1.001,BN-2,12345,04/12/2025,,2,,Công an tỉnh\n"
        "000.17.22.H56-251204-0003,1.001,BN-3,,2025-12-04,,11,,\n"
        ",1.001,BN-4,,2025-12-04,,4,,\n", encoding="utf-8")
    db = ["--data-dir", str(centre_proc.data_dir)] + (
        ["--database-url", centre_proc.database_url] if centre_proc.database_url else [])

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "kiosk", "centre", *args, *db], cwd=ROOT,
                              env=centre_env(), capture_output=True, text=True, timeout=60)
    r = cli("import", "applications", str(csv1), "--json")
    report = json.loads(r.stdout)
    assert report["accepted"] == 1 and report["rejected"] == 3
    assert [x["row"] for x in report["rejected_rows"]] == [2, 3, 4]
    assert "SoDinhDanh" in report["rejected_rows"][0]["reason"]
    assert "1-10" in report["rejected_rows"][1]["reason"]
    assert "12345" not in r.stdout + r.stderr
    # a newer status of the same dossier extends its timeline (JSON export this time)
    js = tmp_path / "apps.json"
    js.write_text(json.dumps([{"MaHoSo": "000.17.22.H56-251204-0001", "SoDinhDanh": "001090012345",
                               "NgayTiepNhan": "04/12/2025", "TrangThaiHoSo": 9, "SoBienNhan": "BN-1",
                               "MaTTHC": "1.001", "DonViXuLy": "Công an tỉnh"}]), encoding="utf-8")
    assert json.loads(cli("import", "applications", str(js), "--json").stdout)["accepted"] == 1
    status = json.loads(cli("status", "000.17.22.H56-251204-0001", "--json").stdout)
    assert [e["status"] for e in status["timeline"]] == [2, 9]
    assert status["due_on"] == "2025-12-15"       # 7 working days
    assert status["collect_vi"]                   # ready: where to collect
    assert status["overdue"] is False             # ready: nothing is late
    # received a year ago and still at 2 (received): past its due date, the next step says so
    s, late = kiosk(centre_proc).get(f"{T}/applications/BN-5")
    assert s == 404
    csv2 = tmp_path / "late.csv"
    csv2.write_text("MaHoSo,SoBienNhan,NgayTiepNhan,TrangThaiHoSo\n000.17.22.H56-251204-0005,BN-5,04/12/2025,4\n",
                    encoding="utf-8")
    assert json.loads(cli("import", "applications", str(csv2), "--json").stdout)["accepted"] == 1
    s, late = kiosk(centre_proc).get(f"{T}/applications/BN-5")
    assert s == 200 and late["overdue"] is True and "quá ngày hẹn trả" in late["next_step_vi"]
    assert "OVERDUE" in cli("status", "BN-5").stdout
    k = kiosk(centre_proc)
    s, found = k.post(f"{T}/applications/lookup", {"id_number": "001090012345"})
    assert s == 200 and [a["code"] for a in found] == ["000.17.22.H56-251204-0001"]
    s, by_receipt = k.get(f"{T}/applications/BN-1")
    assert s == 200 and by_receipt["status"] == 9 and by_receipt["next_step_en"]
    assert k.get(f"{T}/applications/BN-404")[0] == 404
    text = cli("tickets").stdout
    assert "ticket(s)" in text


def _import_bookings(centre_proc: CentreProcess, tmp_path, plan: dict[str, int],  # type: ignore[no-untyped-def]
                     extra: tuple[str, ...] = ()):
    """Import bookings of 001090012345 whose slot is ``plan[code]`` minutes before now at the
    centre (Asia/Ho_Chi_Minh), plus ``extra`` CSV rows; the import report, or None when some
    slot would fall on another day there (too close to midnight; the unit tests cover it)."""
    from zoneinfo import ZoneInfo

    from centre.importers import import_appointments
    from tests.fixtures.centre_server import open_centre
    base = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).replace(second=0, microsecond=0)
    rows = ["MaLichHen,MaDichVu,NgayHen,GioHen,SoDinhDanh"]
    for code, ago in plan.items():
        t = base - timedelta(minutes=ago)
        if t.date() != base.date():
            return None
        rows.append(f"{code},cccd_new,{t:%d/%m/%Y},{t:%H:%M},001090012345")
    f = tmp_path / "bookings.csv"
    f.write_text("\n".join([*rows, *extra]) + "\n", encoding="utf-8")
    c = open_centre(centre_proc.data_dir, centre_proc.database_url)
    try:
        return import_appointments(c, f)
    finally:
        c.db.dispose()


def test_booking_check_in_rules(centre_proc: CentreProcess, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # ON_TIME slot 5 min ago, EARLY slot in 20 min, LATE 40 min ago
    report = _import_bookings(centre_proc, tmp_path, {"BK-ONTIME": 5, "BK-EARLY": -20, "BK-LATE": 40,
                                                      "BK-MISMATCH": 0}, ("BK-BAD,nope,01/01/2026,08:00,",))
    if report is None:
        return  # too close to midnight at the centre for same-day slots; covered by the unit tests
    assert report.accepted == 4 and [r["row"] for r in report.rejected] == [5]
    k = kiosk(centre_proc)
    s, ontime = k.post(f"{T}/appointments/checkin", {"code": "BK-ONTIME", "id_number": "001090012345"})
    assert s == 200 and ontime["checked_in"] and ontime["ticket"]["appointment"] and ontime["identity_checked"]
    s, early = k.post(f"{T}/appointments/checkin", {"code": "BK-EARLY", "id_number": "001090012345"})
    assert early["rule"]["arrival"] == "early" and early["checked_in"]
    s, late = k.post(f"{T}/appointments/checkin", {"code": "BK-LATE", "id_number": "001090012345"})
    assert late["rule"]["arrival"] == "late" and not late["checked_in"] and late["ticket"]["appointment"] is False
    s, mism = k.post(f"{T}/appointments/checkin", {"code": "BK-MISMATCH", "id_number": "079190000001"})
    assert s == 403 and mism["error"] == "identity_mismatch"
    assert k.post(f"{T}/appointments/checkin", {"code": "BK-ONTIME"})[1]["error"] == "booking_used"
    # the checked-in booking is called before an earlier walk-in
    c3 = signed_in(centre_proc, 3, ["cccd_new"])
    assert c3.post(f"{T}/counter/call-next")[1]["id"] == ontime["ticket"]["id"]


def test_a_card_tap_checks_in_the_booking_due_now_not_one_missed_earlier(  # type: ignore[no-untyped-def]
        centre_proc: CentreProcess, tmp_path) -> None:
    """Two bookings today: one missed two hours ago, one in ten minutes. Tapping the card (no
    code) checks in the one in ten minutes; before, the missed one was taken and lapsed."""
    report = _import_bookings(centre_proc, tmp_path, {"BK-MISSED": 120, "BK-NOW": -10})
    if report is None:
        return  # too close to midnight at the centre for same-day slots; covered by the unit tests
    assert report.accepted == 2
    k = kiosk(centre_proc)
    s, tap = k.post(f"{T}/appointments/checkin", {"code": "", "id_number": "001090012345"})
    assert s == 200 and tap["checked_in"] and tap["rule"]["arrival"] == "early"
    assert k.post(f"{T}/appointments/checkin", {"code": "BK-NOW"})[1]["error"] == "booking_used"
    s, missed = k.post(f"{T}/appointments/checkin", {"code": "BK-MISSED", "id_number": "001090012345"})
    assert s == 200 and missed["rule"]["arrival"] == "late"     # still open, and lapsed
