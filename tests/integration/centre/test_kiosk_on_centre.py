"""The kiosk's centre link against the real centre on loopback: shared numbering, offline
tickets from the lease when the centre is down, the outbox draining exactly once on
reconnect, status with an offline snapshot, handover to the counter, retention purge."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pytest

from kiosk.centre_client import CentreUnreachable
from kiosk.centre_link import CentreLink, connect_centre
from kiosk.config import load_config
from kiosk.ticketing import ServiceCatalog
from offline_cache.status_cache import StatusCache
from offline_cache.ticket_store import TicketStore
from tests.fixtures.centre_server import Api, CentreProcess
from tests.integration.centre.conftest import signed_in

T = "/api/v1"


@pytest.fixture
def sqlite_centre(tmp_path: Path) -> Iterator[CentreProcess]:
    proc = CentreProcess(tmp_path / "centre")
    proc.data_dir.mkdir()
    for name in ("kiosk-01", "kiosk-02"):
        proc.add_token("kiosk", name)
    proc.add_token("counter", "counter-3")
    proc.add_token("admin", "it")
    proc.add_officer("lan", "2468")
    proc.start()
    yield proc
    proc.stop()


def make_link(proc: CentreProcess, tmp_path: Path, name: str) -> CentreLink:
    config = load_config(environ={**getattr(proc, "env", {}),   # the centre's time zone, if set
                                  "KIOSK_CENTRE_URL": proc.url, "KIOSK_CENTRE_TOKEN": proc.tokens[name],
                                  "KIOSK_KIOSK_ID": name})
    catalog = ServiceCatalog(config["services.list"], config["services.priority_groups"])
    d = tmp_path / name / "offline_cache"
    d.mkdir(parents=True)
    link = connect_centre(config, catalog, TicketStore(d / "kiosk.sqlite3"), StatusCache(d / "kiosk.sqlite3"),
                          d, start=False)
    link.issuer.centre.timeouts.connect_s = 0.5   # type: ignore[attr-defined]
    link.issuer.centre.timeouts.retries = 0       # type: ignore[attr-defined]
    return link


def test_two_kiosks_share_the_centres_numbering(sqlite_centre: CentreProcess, tmp_path: Path) -> None:
    a, b = make_link(sqlite_centre, tmp_path, "kiosk-01"), make_link(sqlite_centre, tmp_path, "kiosk-02")
    numbers = [link.issuer.issue("cccd_new").number for link in (a, b, a, b)]
    assert numbers == ["A001", "A002", "A003", "A004"]
    t = a.issuer.issue("cccd_new")
    assert t.waiting_ahead == 4 and t.centre_id is not None and not t.offline


def test_offline_tickets_drain_exactly_once_in_issue_order(sqlite_centre: CentreProcess, tmp_path: Path) -> None:
    link = make_link(sqlite_centre, tmp_path, "kiosk-01")
    link.drainer.refresh_leases()                 # leases while the centre is up
    online = link.issuer.issue("vneid")
    sqlite_centre.stop()                          # the centre goes away
    off = [link.issuer.issue("vneid"), link.issuer.issue("vneid")]
    assert all(t.offline for t in off) and off[0].number != off[1].number
    assert int(off[0].number[1:]) >= 500          # from the leased block
    link.issuer.record_print(off[0])
    link.issuer.attach_handover(off[0], {"chip": {"full_name": "Offline Person"}, "source": "card"})
    assert link.drainer.drain() == 0 and link.outbox.stats().backlog == 4
    sqlite_centre.start()                         # back on the same port and database
    # due again after the backoff; make every item due now
    link.outbox.retry_now()
    assert link.drainer.drain() == 4
    assert link.outbox.stats().backlog == 0
    # a replay of the same items (a crash before they were deleted) changes nothing
    admin = Api(sqlite_centre.url, sqlite_centre.tokens["it"])
    tickets = admin.get(f"{T}/tickets")[1]
    assert [t["number"] for t in tickets] == [online.number] + [t.number for t in off]
    assert [t["offline"] for t in tickets] == [False, True, True]
    assert tickets[1]["print_state"] == "printed"
    c3 = signed_in(sqlite_centre, 3, ["vneid"])
    first = c3.post(f"{T}/counter/call-next")[1]
    assert first["number"] == online.number
    c3.post(f"{T}/counter/tickets/{first['id']}/cancel")
    second = c3.post(f"{T}/counter/call-next")[1]
    assert second["number"] == off[0].number
    assert c3.get(f"{T}/counter/tickets/{second['id']}/handover")[1]["chip"]["full_name"] == "Offline Person"


def test_offline_without_a_lease_says_so(sqlite_centre: CentreProcess, tmp_path: Path) -> None:
    from kiosk.centre_tickets import NoOfflineNumbers
    link = make_link(sqlite_centre, tmp_path, "kiosk-01")
    sqlite_centre.stop()
    with pytest.raises(NoOfflineNumbers):
        link.issuer.issue("cccd_new")


def test_status_answers_offline_from_the_encrypted_snapshot(sqlite_centre: CentreProcess, tmp_path: Path) -> None:
    from centre.importers import import_applications
    from tests.fixtures.centre_server import open_centre
    f = tmp_path / "apps.csv"
    f.write_text("MaHoSo,SoDinhDanh,NgayTiepNhan,TrangThaiHoSo\n000.17.22.H56-251204-0009,001090012345,"
                 "04/12/2025,4\n", encoding="utf-8")
    c = open_centre(sqlite_centre.data_dir)
    import_applications(c, f)
    c.db.dispose()
    link = make_link(sqlite_centre, tmp_path, "kiosk-01")
    res = link.lookup("001090012345")
    assert res.found and res.source == "centre" and res.status_vi == "Đang xử lý" and res.due_on == "15/12/2025"
    assert res.next_step_en and res.timeline[0][0] == "Đang xử lý"
    assert not link.lookup("000.17.22.H56-999999-0001").found
    sqlite_centre.stop()
    cached = link.lookup("001090012345")
    assert cached.found and cached.source == "cache" and cached.as_of is not None
    with pytest.raises(CentreUnreachable):
        link.lookup("000.17.22.H56-251204-0010")      # never seen: no answer offline
    raw = (tmp_path / "kiosk-01" / "offline_cache" / "kiosk.sqlite3").read_bytes()
    assert b"001090012345" not in raw and "Đang xử lý".encode() not in raw


def test_outbox_purges_undelivered_items_after_retention(sqlite_centre: CentreProcess, tmp_path: Path) -> None:
    link = make_link(sqlite_centre, tmp_path, "kiosk-01")
    t = link.issuer.issue("vneid")
    sqlite_centre.stop()
    link.issuer.attach_handover(t, {"chip": {"full_name": "Purge Me"}})
    assert link.outbox.stats().backlog == 1
    assert link.outbox.purge(retention_s=3600) == 0
    time.sleep(0.05)
    assert link.outbox.purge(retention_s=0.01) == 1
    assert link.outbox.stats().backlog == 0
    assert ("handover", f"{t.client_key}/handover", "expired") == link.outbox.log()[-1][:3]
