"""The shortcuts that spare the centre a scan of the queue agree with the whole queue,
after every kind of change, on SQLite and PostgreSQL: the walk-in counts the database
keeps by trigger (migration 0002; also for tickets already waiting when it ran), and the
few candidates a counter's next call is chosen from."""
from __future__ import annotations

import random
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import insert

from centre.domain.errors import CentreError
from centre.domain.ordering import OrderingRule, Policy, next_entry
from centre.domain.tickets import Action
from centre.principals import CounterSession, Principal
from centre.store import tickets as tq
from centre.store.db import MIGRATIONS, Database
from centre.store.events import lock_centre
from centre.store.schema import ticket
from tests.fixtures.centre_server import open_centre

ACTIONS = [Action.START, Action.FINISH, Action.HOLD, Action.RESUME, Action.NO_SHOW, Action.REQUEUE,
           Action.CANCEL, Action.RECALL]


RULES = [OrderingRule(Policy.STRICT), OrderingRule(Policy.INTERLEAVE, 2)]


def assert_counts_agree(centre, now: float, counters: list[CounterSession]) -> None:  # type: ignore[no-untyped-def]
    with centre.db.read() as conn:
        for s in centre.settings.services:
            assert tq.waiting_counts(conn, s.code, now) == tq.waiting_counts_scanned(conn, s.code, now), s.code
        since = tq.walk_in_counts(conn)
        for c in counters:
            for services in (list(c.services), list(c.services)[:1]):
                whole = tq.waiting_entries(conn, services)
                few = tq.call_candidates(conn, services, c.counter)
                for rule in RULES:
                    args = dict(counter=c.counter, services=services, now=now, rule=rule,
                                walk_ins_since_priority=since)
                    assert next_entry(few, **args) == next_entry(whole, **args)


def test_counts_and_call_candidates_match_the_whole_queue_after_random_changes(tmp_path: Path, database_url: str) -> None:
    clock = [1_780_000_000.0]
    centre = open_centre(tmp_path, database_url, clock=lambda: clock[0])
    rng = random.Random(9)
    kiosk = Principal(0, "kiosk-t", "kiosk")
    services = [s.code for s in centre.settings.services]
    groups = [""] * 3 + list(centre.settings.priority_groups)
    counters = [CounterSession(f"s{c.number}", c.number, 0, "t", tuple(services), 0)
                for c in centre.settings.counters[:3]]
    ids: list[int] = []
    applied = {"issue": 0, "call": 0, "act": 0, "transfer": 0, "booking": 0}
    for step in range(400):
        clock[0] += rng.uniform(1, 30)
        op = rng.choices(["issue", "booking", "call", "act", "transfer"], [4, 1, 2, 5, 1])[0]
        try:
            with centre.db.write() as conn:
                lock_centre(conn)
                if op == "issue":
                    ids.append(centre.issue(conn, kiosk, rng.choice(services), rng.choice(groups))["id"])
                elif op == "booking":
                    slot = clock[0] + rng.uniform(-1800, 1800)
                    ids.append(centre.issue(conn, kiosk, rng.choice(services), appointment_id=step,
                                            appointment_at=slot)["id"])
                elif op == "call":
                    centre.call_next(conn, rng.choice(counters))
                elif op == "act":
                    session = rng.choice(counters)
                    mine = [r.id for r in conn.execute(ticket.select().where(
                        ticket.c.counter == session.counter,
                        ticket.c.state.in_(["called", "serving", "held", "no_show"])))]
                    if not mine:
                        continue
                    centre.act(conn, session, rng.choice(mine), rng.choice(ACTIONS))
                elif op == "transfer" and ids:
                    to_counter = rng.choice([None, counters[0].counter])
                    centre.transfer(conn, rng.choice(counters), rng.choice(ids),
                                    to_service=rng.choice(services), to_counter=to_counter)
                else:
                    continue
            applied[op] += 1
        except CentreError:
            pass   # not allowed in the ticket's state: the transaction changed nothing
        assert_counts_agree(centre, clock[0], counters)
    assert all(n >= 10 for n in applied.values()), applied    # every kind of change was exercised
    with centre.db.read() as conn:
        total = sum(c.priority + c.normal for c in (tq.waiting_counts(conn, s, clock[0]) for s in services))
    assert total > 0
    centre.db.dispose()


def test_the_migration_counts_tickets_already_waiting(tmp_path: Path, database_url: str) -> None:
    url = database_url or f"sqlite:///{tmp_path / 'old.sqlite3'}"
    db = Database(url)
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with db.write() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        rows = [dict(day="2026-12-05", prefix="A", seq=i, number=f"A{i:03d}", service_code="vneid",
                     priority_group="elderly" if i % 3 == 0 else "", state="waiting" if i % 4 else "done",
                     issued_at=1.0 * i, kiosk="k", offline=False, client_ref="", flags="", calls=0,
                     print_state="pending", target_counter=2 if i == 5 else None) for i in range(1, 41)]
        conn.execute(insert(ticket), rows)
    db.migrate()
    with db.read() as conn:
        got = tq.waiting_counts(conn, "vneid", 100.0)
        assert got == tq.waiting_counts_scanned(conn, "vneid", 100.0)
    waiting = [r for r in rows if r["state"] == "waiting" and r["target_counter"] is None]
    assert got.priority == sum(1 for r in waiting if r["priority_group"])
    assert got.normal == sum(1 for r in waiting if not r["priority_group"])
    db.dispose()
