"""A small chaos day in CI: 3 kiosk processes issue 600 tickets through fault-injecting
proxies while the centre and the kiosks are killed (SIGKILL) and restarted; afterwards
every ticket a citizen was shown is on the centre exactly once, in issue-time order, and
every hole in the numbering is explained; every ghost (an online ticket whose answer was
lost, the citizen holding an offline number instead) is cancelled, and so is every ticket of an
attempt a kill cut short (the restarted kiosk voids it). 90 of the citizens booked online and
check in through the kiosk's controller (a lost check-in: the ticket claims the booking);
every booking ends tied to exactly the ticket its citizen holds, checked in once. The full
day (5,000 tickets, 500 of them bookings) is
``.venv/bin/python scripts/chaos_day.py --tickets 5000 --kiosks 3 --seed 1`` (``--postgres``:
the centre on PostgreSQL). The same audit holds for a smaller day with two centre processes
sharing one PostgreSQL database, each killed at random."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.chaos.audit import audit
from tests.chaos.day import DayPlan, DayResult, print_counts, run_day
from tests.chaos.proxy import FaultRates
from tests.fixtures.postgres import PostgresServer

RATES = FaultRates(refuse=0.03, drop_request=0.015, drop_response=0.015, delay=0.03)


@pytest.mark.timeout(240)
def test_a_small_chaos_day_loses_nothing_a_citizen_was_shown(tmp_path: Path) -> None:
    plan = DayPlan(tickets=600, kiosks=3, seed=7, centre_kills=2, kiosk_kills=4, partitions=2,
                   rates=RATES, pause_ms=10.0, timeout_s=200.0, bookings=90)
    _assert_nothing_lost(run_day(tmp_path, plan), plan)


@pytest.mark.timeout(240)
def test_a_chaos_day_on_postgresql_with_two_centres_loses_nothing(tmp_path: Path, pg_server: PostgresServer) -> None:
    """As a province runs it: two centre processes on one PostgreSQL database, the kiosks
    spread over them, each centre killed (SIGKILL) at random; the same audit, read from
    PostgreSQL."""
    plan = DayPlan(tickets=300, kiosks=3, seed=7, centre_kills=2, kiosk_kills=3, partitions=2, rates=RATES,
                   pause_ms=10.0, timeout_s=200.0, bookings=45, database_url=pg_server.new_database(), centres=2)
    _assert_nothing_lost(run_day(tmp_path, plan), plan)
    # the audit read the centre from PostgreSQL: no centre ever made its SQLite file
    assert not (tmp_path / "centre" / "centre.sqlite3").exists()


def _assert_nothing_lost(result: DayResult, plan: DayPlan) -> DayResult:
    """The audit's verdict on a chaos day run to ``plan``, and that the chaos happened."""
    print_counts(result)
    rep = result.report
    # the chaos happened, and both ways of issuing were exercised
    assert result.centre_restarts == plan.centre_kills and result.kiosk_kills >= 1
    assert result.faults.get("drop_request", 0) + result.faults.get("drop_response", 0) > 0
    assert rep.shown_online + rep.shown_offline == plan.tickets
    assert rep.shown_offline > 0 and rep.shown_online > 0
    # nothing lost, nothing twice, nothing out of order, nothing unexplained
    assert (rep.lost, rep.duplicates, rep.out_of_order, rep.prints_lost) == (0, 0, 0, 0), rep.problems
    assert (rep.unshown_unexplained, rep.gaps_unexplained) == (0, 0), rep.problems
    assert (rep.outbox_left, rep.outbox_refused, result.worker_crashes) == (0, 0, 0), rep.problems
    # every centre ticket nobody was shown is explained: a kill, a ghost, a refusal at the
    # kiosk, or a check-in whose answer was lost (voided at once; checked below)
    assert rep.centre_tickets == plan.tickets + rep.unshown_killed + rep.unshown_ghost + rep.unshown_refused \
        + rep.unshown_checkin_lost
    # every ghost (an online ticket whose answer was lost, shown offline instead) is cancelled
    # as replaced_by_offline, every ticket of an attempt cut short by kill -9 as
    # attempt_abandoned once the kiosk restarted: nothing nobody holds waits ...
    assert (rep.ghosts_open, rep.unheld_unexplained, rep.unheld_killed) == (0, 0, 0), rep.problems
    assert rep.ghosts_cancelled == rep.unshown_ghost
    # ... but a kill between issue() returning and the screen (microseconds; counted apart)
    assert rep.killed_voided + rep.unheld_returned == rep.unshown_killed
    # every booking is tied to the ticket its citizen holds (checked in at the kiosk, or claimed
    # by the ticket when the check-in could not reach the centre), never twice, never a cancelled one
    bk = rep.booking
    assert bk.bookings == plan.bookings and bk.ok, rep.problems
    assert (bk.unlinked, bk.on_cancelled, bk.twice, bk.claim_not_taken, bk.refused_unexplained) == (0, 0, 0, 0, 0)
    assert bk.checked_in > 0 and bk.checkin_offline > 0 and bk.claimed_offline + bk.claimed_online > 0
    assert bk.checked_in + bk.checkin_late + bk.claimed_offline + bk.claimed_online + bk.claim_late \
        + bk.too_early_walk_in + bk.used_after_kill + bk.pending_gave_up == plan.bookings
    # a check-in whose answer was lost made a ticket nobody holds: the kiosk voided it
    assert rep.unheld_checkin == 0 and rep.checkin_lost_voided == rep.unshown_checkin_lost
    print(f"ghosts: {rep.unshown_ghost} ({rep.ghosts_cancelled} cancelled as replaced_by_offline); "
          f"tickets of killed attempts: {rep.unshown_killed} ({rep.killed_voided} cancelled as "
          f"attempt_abandoned, {rep.unheld_returned} killed after issue() returned); "
          f"open tickets of killed attempts: {rep.unheld_killed}")
    return result


def test_the_audit_sees_a_shown_ticket_missing_from_the_centre(tmp_path: Path) -> None:
    """The audit itself: delete one shown ticket on the centre, add one nobody holds, and it
    must say so."""
    import sqlite3

    result = run_day(tmp_path / "day", DayPlan(tickets=30, kiosks=2, seed=3, centre_kills=0, kiosk_kills=0,
                                               partitions=0, rates=FaultRates(0, 0, 0, 0), pause_ms=0))
    assert result.report.ok and result.report.lost == 0
    db = tmp_path / "centre.sqlite3"
    conn = sqlite3.connect(db)
    src = sqlite3.connect(tmp_path / "day" / "centre" / "centre.sqlite3")   # with its WAL
    src.backup(conn)
    src.close()
    conn.execute("DELETE FROM ticket WHERE id = (SELECT MIN(id) FROM ticket)")
    # and a waiting ticket nobody holds (a number a counter would call in vain)
    conn.execute("INSERT INTO ticket (day, prefix, seq, number, service_code, priority_group, state, issued_at,"
                 " kiosk, offline, client_ref, flags, calls, print_state) SELECT day, prefix, 9999,"
                 " prefix || '9999', service_code, priority_group, 'waiting', issued_at, kiosk, 0, '', flags, 0,"
                 " print_state FROM ticket WHERE id = (SELECT MAX(id) FROM ticket)")
    conn.commit()
    conn.close()
    rep = audit(db, {f"kiosk-0{i}": tmp_path / "day" / f"kiosk-0{i}" for i in (1, 2)})
    assert rep.lost == 1 and rep.gaps_unexplained == 1 and not rep.ok
    assert (rep.unshown_unexplained, rep.unheld_unexplained, rep.unheld_killed) == (1, 1, 0)


def test_the_audit_sees_a_booking_tied_to_the_wrong_ticket(tmp_path: Path) -> None:
    """The booking audit itself: tie one checked-in booking to another citizen's ticket and
    cancel the ticket of another; it must say both."""
    import sqlite3

    result = run_day(tmp_path / "day", DayPlan(tickets=30, kiosks=2, seed=5, centre_kills=0, kiosk_kills=0,
                                               partitions=0, rates=FaultRates(0, 0, 0, 0), pause_ms=0, bookings=12))
    assert result.report.ok and result.report.booking.checked_in >= 2, result.report.problems
    db = tmp_path / "centre.sqlite3"
    conn = sqlite3.connect(db)
    src = sqlite3.connect(tmp_path / "day" / "centre" / "centre.sqlite3")
    src.backup(conn)
    src.close()
    first, second = [r[0] for r in conn.execute(
        "SELECT id FROM appointment WHERE state = 'checked_in' ORDER BY id LIMIT 2")]
    conn.execute("UPDATE appointment SET ticket_id = (SELECT MIN(id) FROM ticket WHERE appointment_id IS NULL)"
                 " WHERE id = ?", (first,))
    conn.execute("UPDATE ticket SET state = 'cancelled' WHERE id = (SELECT ticket_id FROM appointment WHERE id = ?)",
                 (second,))
    conn.commit()
    conn.close()
    rep = audit(db, {f"kiosk-0{i}": tmp_path / "day" / f"kiosk-0{i}" for i in (1, 2)})
    assert (rep.booking.unlinked, rep.booking.on_cancelled) == (1, 1) and not rep.ok
    assert any("holds" in p for p in rep.problems) and any("cancelled ticket" in p for p in rep.problems)


def test_the_audit_on_postgresql_sees_a_shown_ticket_missing(tmp_path: Path, pg_server: PostgresServer) -> None:
    """The audit's read of PostgreSQL: delete one shown ticket (and its history) on the centre's
    database and it must count it lost and its number as an unexplained gap."""
    import psycopg

    url = pg_server.new_database()
    dirs = {f"kiosk-0{i}": tmp_path / f"kiosk-0{i}" for i in (1, 2)}
    result = run_day(tmp_path, DayPlan(tickets=20, kiosks=2, seed=3, centre_kills=0, kiosk_kills=0, partitions=0,
                                       rates=FaultRates(0, 0, 0, 0), pause_ms=0, database_url=url))
    assert result.report.ok and result.report.centre_tickets == 20, result.report.problems
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        conn.execute("DELETE FROM ticket_history WHERE ticket_id = (SELECT MIN(id) FROM ticket)")
        conn.execute("DELETE FROM ticket WHERE id = (SELECT MIN(id) FROM ticket)")
    rep = audit(url, dirs)
    assert (rep.lost, rep.gaps_unexplained, rep.centre_tickets) == (1, 1, 19) and not rep.ok
