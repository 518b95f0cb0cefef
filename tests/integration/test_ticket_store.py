"""Local ticket numbering on a real SQLite file: per prefix, daily reset, survives restarts."""
from __future__ import annotations

import threading
from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk.config import DEFAULT_PRIORITY_GROUPS, DEFAULT_SERVICES
from kiosk.ticketing import LocalTicketIssuer, ServiceCatalog, TicketError
from offline_cache.db import StoreError
from offline_cache.status_cache import StatusCache
from offline_cache.ticket_store import TicketStore


def test_numbers_per_prefix_and_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "k.sqlite3"
    store = TicketStore(db)
    assert [store.next_ticket("A", "cccd_new").number for _ in range(3)] == ["A001", "A002", "A003"]
    assert store.next_ticket("B", "cccd_renew").number == "B001"
    store.close()
    store = TicketStore(db)  # kiosk restarted
    assert store.next_ticket("A", "cccd_new").number == "A004"
    assert store.count_today() == 5 and store.count_today("A") == 4


def test_daily_reset(tmp_path: Path) -> None:
    day = [date(2026, 11, 23)]
    store = TicketStore(tmp_path / "k.sqlite3", today=lambda: day[0])
    store.next_ticket("A", "x")
    store.next_ticket("A", "x")
    day[0] = date(2026, 11, 24)
    assert store.next_ticket("A", "x").number == "A001"


def test_concurrent_issuing_never_repeats_a_number(tmp_path: Path) -> None:
    store = TicketStore(tmp_path / "k.sqlite3")
    got: list[str] = []
    lock = threading.Lock()

    def issue() -> None:
        for _ in range(25):
            n = store.next_ticket("A", "x").number
            with lock:
                got.append(n)

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(got) == [f"A{i:03d}" for i in range(1, 101)]


def test_print_outcome_and_last_ticket(tmp_path: Path) -> None:
    store = TicketStore(tmp_path / "k.sqlite3")
    store.next_ticket("A", "x")
    store.next_ticket("C", "vneid", "elderly")
    store.mark_printed("C001", "paper_out")
    last = store.last_ticket()
    assert last is not None and (last.number, last.priority_group, last.print_state) == \
        ("C001", "elderly", "failed:paper_out")


def test_unwritable_store_is_a_typed_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError):
        TicketStore(blocker / "k.sqlite3")


def test_issuer_uses_the_service_prefix(tmp_path: Path) -> None:
    store = TicketStore(tmp_path / "k.sqlite3", now=lambda: datetime(2026, 11, 23, 9, 30))
    issuer = LocalTicketIssuer(ServiceCatalog(DEFAULT_SERVICES, DEFAULT_PRIORITY_GROUPS), store, "kiosk-07")
    t = issuer.issue("vneid", "pregnant")
    assert t.number == "C001" and t.service.vi.startswith("Đăng ký")
    assert t.follow_code == "kiosk-07/20261123/C001"
    with pytest.raises(TicketError):
        issuer.issue("no_such_service")


def test_status_cache(tmp_path: Path) -> None:
    cache = StatusCache(tmp_path / "k.sqlite3")
    n = cache.seed_from_json(Path(__file__).resolve().parents[2] / "assets/demo/applications.json")
    assert n == 3
    r = cache.lookup(" g01.987.654.321 ")
    assert r.found and "quầy số 5" in r.status_vi and r.text("en").startswith("Ready")
    assert not cache.lookup("NOPE").found
