"""The end-of-day audit of a chaos day: the kiosks' journals (what citizens were shown)
against the centre's database, the kiosks' lease stores and outboxes.

A ticket shown to a citizen must be on the centre exactly once (online ones by the id the
centre answered, offline ones by ``client_ref`` = the issue key), with the same number and
day, and an issue time inside the interval in which the kiosk was issuing it (so the
centre's order is the order in which citizens got their numbers). Everything else on the
centre, and every hole in a prefix's numbering, needs an explanation from the logs:

- a centre ticket nobody was shown: its issue key is the last attempt of a kiosk process
  that was killed before showing it, or the centre's answer was lost and the kiosk showed
  an offline number for the same attempt instead (a *ghost*, called and not answered);
- every ghost must be cancelled with reason ``replaced_by_offline`` (the offline ticket
  names the attempt it replaces), and no ticket nobody holds may still wait or be called;
- the ticket of an attempt a ``kill -9`` cut short (or one refused at the kiosk: no
  offline number left) must be cancelled with reason ``attempt_abandoned`` by the end of
  the day: the restarted kiosk voids the attempts it had recorded. The one exception,
  counted apart as ``unheld_returned``: the kill came after ``issue()`` had returned and
  forgotten the attempt (the kiosk's own ticket log has it) but before the journal line,
  i.e. between the answer and the screen;
- the ticket of a booking check-in that ended without a ticket on the screen (its answer
  lost: the citizen was told ``checkin_offline``) must be cancelled with reason
  ``attempt_abandoned``: the kiosk voided it at once (``unheld_checkin`` otherwise);
- bookings: see :mod:`tests.chaos.booking_audit`;
- a hole in a leased block: the kiosk never took that number (its lease store says so),
  never learned of the block (the lease answer was lost), or took it in an attempt that
  was killed before the number was shown (at most one number per such kill);
- a hole below the centre's online cursor and outside every leased block is never
  explained (online numbering has no holes); above the cursor it is just not used yet.
"""
from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.chaos.booking_audit import BookingReport, audit_bookings, read_bookings

ORDER_TOLERANCE_S = 0.01
REPLACED = "replaced_by_offline"   # the history's reason on a cancelled ghost (centre.replaced)
ABANDONED = "attempt_abandoned"    # ... on the ticket of an attempt a kiosk voided after a kill
OPEN_STATES = frozenset({"created", "waiting", "called", "serving", "held", "transferred"})


@dataclass
class Shown:
    kiosk: str
    key: str
    client_key: str
    number: str
    prefix: str
    day: str
    offline: bool
    centre_id: int | None
    t_key: float
    t_shown: float
    booking: str = ""               # a citizen with a booking (see tests.chaos.booking_audit)
    via: str = ""                   # ... got this ticket by: checkin, claim, walk_in
    after: str = ""                 # ... after the last check-in said: answered, too_early, a message key
    appointment: str = ""           # Ticket.appointment as shown
    checkin_keys: tuple[str, ...] = ()   # the keys of the check-in that made it


@dataclass
class KioskJournal:
    kiosk: str
    shown: list[Shown] = field(default_factory=list)
    printed: set[str] = field(default_factory=set)
    killed_keys: set[str] = field(default_factory=set)   # issue attempts cut short by a kill
    refused_keys: set[str] = field(default_factory=set)  # issue() raised: no number shown
    returned_keys: set[str] = field(default_factory=set)  # in the kiosk's ticket log: issue() got an answer
    checkins: list[dict[str, Any]] = field(default_factory=list)   # check-ins that showed no ticket
    voided_keys: set[str] = field(default_factory=set)   # ... their keys: the kiosk voids what they made
    refused: int = 0
    segments: int = 0
    unfinished_segments: int = 0


def read_journal(kiosk: str, path: Path) -> KioskJournal:
    """Parse one kiosk's journal; a segment (process) without ``exit`` was killed."""
    j = KioskJournal(kiosk)
    key_time: dict[str, float] = {}
    pending = ""
    finished = True

    def end_segment() -> None:
        nonlocal pending
        if not finished:
            j.unfinished_segments += 1
            if pending:
                j.killed_keys.add(pending)
        pending = ""

    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            e = json.loads(line)
        except ValueError:   # a line torn by kill -9: nothing after it was written
            continue
        ev = e["ev"]
        if ev == "start":
            end_segment()
            j.segments += 1
            finished = False
        elif ev == "exit":
            finished = True
        elif ev == "key" and e["role"] == "issue":
            key_time[e["key"]] = e["t"]
            pending = e["key"]
        elif ev == "shown":
            j.shown.append(Shown(kiosk, e["key"], e["client_key"], e["number"], e["prefix"], e["day"],
                                 e["offline"], e["centre_id"], key_time[e["key"]], e["t"], e.get("booking", ""),
                                 e.get("via", ""), e.get("after", ""), e.get("appointment", ""),
                                 tuple(e.get("checkin_keys", ()))))
            pending = ""
        elif ev == "checkin":   # settled before the line: refused, or its void queued
            j.checkins.append(e)
            j.voided_keys.update(e["keys"])
            pending = ""
        elif ev == "refused":
            j.refused += 1
            j.refused_keys.add(e.get("key", ""))
            pending = ""
        elif ev == "printed":
            j.printed.add(e["client_key"])
    end_segment()
    return j


@dataclass
class AuditReport:
    shown_online: int = 0
    shown_offline: int = 0
    refused: int = 0
    centre_tickets: int = 0
    lost: int = 0
    duplicates: int = 0
    out_of_order: int = 0
    prints_lost: int = 0
    unshown_killed: int = 0        # centre tickets of attempts killed before the number was shown
    unshown_ghost: int = 0         # online tickets whose answer was lost; shown offline instead
    ghosts_cancelled: int = 0      # ... cancelled as replaced_by_offline, as they must be
    ghosts_open: int = 0           # ... not cancelled that way (a finding)
    killed_voided: int = 0         # ... cancelled as attempt_abandoned after the kiosk restarted
    unshown_refused: int = 0       # centre tickets of attempts refused at the kiosk (voided at once)
    unheld_returned: int = 0       # open, of a kill between issue() returning and the journal line
    unheld_killed: int = 0         # open tickets nobody holds, of attempts cut short by a kill (a finding)
    unheld_unexplained: int = 0    # ... of anything else (a finding)
    unshown_checkin_lost: int = 0  # centre tickets of check-ins whose answer the kiosk lost
    checkin_lost_voided: int = 0   # ... cancelled as attempt_abandoned (the kiosk's void), as they must be
    unheld_checkin: int = 0        # ... still open (a finding)
    unshown_unexplained: int = 0
    gaps_unused_lease: int = 0
    gaps_orphan_lease: int = 0
    gaps_killed: int = 0
    gaps_unexplained: int = 0
    outbox_left: int = 0
    outbox_refused: int = 0
    booking: BookingReport = field(default_factory=BookingReport)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicates or self.out_of_order or self.prints_lost
                    or self.unshown_unexplained or self.gaps_unexplained or self.outbox_left
                    or self.outbox_refused or self.ghosts_open or self.unheld_unexplained
                    or self.unheld_killed or self.unheld_checkin or not self.booking.ok)

    def counts(self) -> dict[str, int]:
        return {**{k: v for k, v in self.__dict__.items() if isinstance(v, int)}, **self.booking.counts()}

    def problem(self, text: str) -> None:
        if len(self.problems) < 30:
            self.problems.append(text)


def _rows(db: Path | str, sql: str) -> list[Any]:
    """The rows of ``sql`` (each read by column name) from a SQLite file, read-only, or, for a
    URL (the centre on PostgreSQL), through SQLAlchemy Core: the SQL here is plain enough for both."""
    if isinstance(db, str):
        return _url_rows(db, sql)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return list(conn.execute(sql))
    finally:
        conn.close()


def _url_rows(url: str, sql: str) -> list[Any]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [dict(r) for r in conn.execute(text(sql)).mappings()]
    finally:
        engine.dispose()


def audit(centre_db: Path | str, kiosk_dirs: dict[str, Path]) -> AuditReport:
    """Check the day; ``centre_db``: the centre's SQLite file, or its database URL (PostgreSQL);
    ``kiosk_dirs`` maps kiosk id to its data folder (journal + offline_cache)."""
    rep = AuditReport()
    journals = {k: read_journal(k, d / "journal.jsonl") for k, d in kiosk_dirs.items()}
    tickets = _rows(centre_db, "SELECT id, day, prefix, seq, number, issued_at, kiosk, offline, client_ref,"
                               " print_state, state, flags, appointment_id FROM ticket ORDER BY id")
    rep.centre_tickets = len(tickets)
    by_id = {t["id"]: t for t in tickets}
    by_ref: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for t in tickets:
        if t["offline"]:
            by_ref[(t["kiosk"], t["client_ref"])].append(t)
    idem_key: dict[int, str] = {}
    for r in _rows(centre_db, "SELECT key, body FROM idempotency ORDER BY created_at, key"):
        body = json.loads(r["body"])
        if isinstance(body, dict) and "rule" in body and isinstance(body.get("ticket"), dict):
            body = body["ticket"]   # a check-in's answer names the ticket it made
        if isinstance(body, dict) and "id" in body and not r["key"].endswith(("/print", "/handover")):
            idem_key[int(body["id"])] = r["key"]
    matched: dict[int, Shown] = {}
    printed_ok: dict[str, Any] = {}
    for j in journals.values():
        rep.refused += j.refused
        for s in j.shown:
            rep.shown_offline += s.offline
            rep.shown_online += not s.offline
            found = by_ref.get((s.kiosk, s.client_key), []) if s.offline else (
                [by_id[s.centre_id]] if s.centre_id in by_id else [])
            found = [t for t in found if t["number"] == s.number and t["day"] == s.day and t["kiosk"] == s.kiosk]
            if not found:
                rep.lost += 1
                rep.problem(f"lost: {s.kiosk} showed {s.number} ({'offline' if s.offline else 'online'})")
                continue
            if len(found) > 1 or found[0]["id"] in matched:
                rep.duplicates += 1
                rep.problem(f"duplicate: {s.kiosk} {s.number} is on the centre more than once")
            row = found[0]
            matched[row["id"]] = s
            printed_ok[s.client_key] = row
            if not s.t_key - ORDER_TOLERANCE_S <= row["issued_at"] <= s.t_shown + ORDER_TOLERANCE_S:
                rep.out_of_order += 1
                rep.problem(f"order: {s.number} issued_at outside its issue() call")
        for ck in j.printed:
            row = printed_ok.get(ck)
            if row is not None and row["print_state"] != "printed":
                rep.prints_lost += 1
                rep.problem(f"print outcome lost for {row['number']}")
    seen = Counter((s.day, s.number) for j in journals.values() for s in j.shown)
    for (day, number), n in seen.items():
        if n > 1:
            rep.duplicates += n - 1
            rep.problem(f"duplicate: {number} of {day} shown to {n} citizens")
    replaced = _cancelled_as(centre_db, REPLACED)
    for k, d in kiosk_dirs.items():
        if k in journals and (d / "offline_cache" / "kiosk.sqlite3").exists():
            journals[k].returned_keys = {r["client_key"] for r in _rows(
                d / "offline_cache" / "kiosk.sqlite3", "SELECT client_key FROM ticket WHERE source = 'centre'")}
    returned = _check_unshown(rep, tickets, matched, idem_key, journals, replaced, _cancelled_as(centre_db, ABANDONED))
    audit_bookings(rep.booking, read_bookings(kiosk_dirs), _rows(centre_db, "SELECT * FROM appointment"), tickets,
                   journals, printed_ok, returned, _rows(centre_db, "SELECT COUNT(*) AS n FROM event WHERE"
                                                                    " kind = 'booking.reopened'")[0]["n"], rep.problem)
    _check_online_order(rep, tickets)
    _check_gaps(rep, centre_db, tickets, kiosk_dirs, journals)
    for k, d in kiosk_dirs.items():
        ob = d / "offline_cache" / "outbox.sqlite3"
        rep.outbox_left += _rows(ob, "SELECT COUNT(*) AS n FROM outbox")[0]["n"]
        for r in _rows(ob, "SELECT kind, outcome FROM outbox_log WHERE outcome != 'delivered'"):
            rep.outbox_refused += 1
            rep.problem(f"outbox of {k}: {r['kind']} {r['outcome']}")
    return rep


def _cancelled_as(centre_db: Path | str, reason: str) -> set[int]:
    """Ids of the tickets the centre cancelled with ``reason`` in their history."""
    return {r["ticket_id"] for r in _rows(centre_db, "SELECT ticket_id FROM ticket_history WHERE"
                                                     f" state = 'cancelled' AND detail = '{reason}'")}


def _check_unshown(rep: AuditReport, tickets: list[Any], matched: dict[int, Shown], idem_key: dict[int, str],
                   journals: dict[str, KioskJournal], replaced: set[int], abandoned: set[int]) -> set[int]:
    """Every centre ticket nobody was shown is explained and ended; returns the ids of those
    a kill left open between the kiosk's answer and the screen (``unheld_returned``)."""
    fallback = {s.key for j in journals.values() for s in j.shown if s.offline}
    returned: set[int] = set()
    for t in tickets:
        if t["id"] in matched:
            continue
        key = t["client_ref"] if t["offline"] else idem_key.get(t["id"], "")
        attempt = key.removesuffix("/offline")
        j = journals.get(t["kiosk"])
        killed = False
        if not t["offline"] and attempt in fallback:
            rep.unshown_ghost += 1
            if t["state"] == "cancelled" and t["id"] in replaced:
                rep.ghosts_cancelled += 1
            else:
                rep.ghosts_open += 1
                rep.problem(f"ghost: {t['number']} of {t['kiosk']} is {t['state']}, not cancelled as {REPLACED}")
            continue
        elif j is not None and attempt in j.killed_keys:
            rep.unshown_killed += 1
            if t["id"] in abandoned and t["state"] == "cancelled":
                rep.killed_voided += 1
                continue
            if attempt in j.returned_keys and t["state"] in OPEN_STATES:
                rep.unheld_returned += 1   # the attempt was over; the kill beat the screen
                returned.add(t["id"])
                continue
            killed = True
        elif j is not None and attempt in j.voided_keys:
            rep.unshown_checkin_lost += 1   # the citizen was told the check-in failed
            if t["id"] in abandoned and t["state"] == "cancelled":
                rep.checkin_lost_voided += 1
            else:
                rep.unheld_checkin += 1
                rep.problem(f"unheld: check-in ticket {t['number']} of {t['kiosk']} is {t['state']}, "
                            f"not cancelled as {ABANDONED}")
            continue
        elif j is not None and attempt in j.refused_keys and t["id"] in abandoned and t["state"] == "cancelled":
            rep.unshown_refused += 1
            continue
        else:
            rep.unshown_unexplained += 1
            rep.problem(f"unexplained: {t['number']} of {t['kiosk']} on the centre, shown to nobody")
        if t["state"] in OPEN_STATES:   # a counter would call a number nobody holds
            if killed:
                rep.unheld_killed += 1
                rep.problem(f"unheld: {t['number']} of {t['kiosk']} (attempt killed) is {t['state']}, "
                            f"not cancelled as {ABANDONED}")
            else:
                rep.unheld_unexplained += 1
                rep.problem(f"unheld: {t['number']} of {t['kiosk']} is {t['state']} and nobody holds it")
    return returned


def _check_online_order(rep: AuditReport, tickets: list[Any]) -> None:
    """The centre's own numbers go up with its issue times (per day and prefix)."""
    online: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for t in tickets:
        if not t["offline"]:
            online[(t["day"], t["prefix"])].append(t)
    for rows in online.values():
        rows.sort(key=lambda t: t["seq"])
        for a, b in zip(rows, rows[1:]):
            if b["issued_at"] < a["issued_at"]:
                rep.out_of_order += 1
                rep.problem(f"order: {b['number']} was numbered after {a['number']} but issued before it")


def _check_gaps(rep: AuditReport, centre_db: Path | str, tickets: list[Any], kiosk_dirs: dict[str, Path],
                journals: dict[str, KioskJournal]) -> None:
    leases = _rows(centre_db, "SELECT day, prefix, kiosk, lo, hi FROM offline_lease")
    cursor = {(r["day"], r["prefix"]): r["next_online"]
              for r in _rows(centre_db, "SELECT day, prefix, next_online FROM day_counter")}
    kiosk_next: dict[tuple[str, str, str, int], int] = {}
    for k, d in kiosk_dirs.items():
        for r in _rows(d / "offline_cache" / "outbox.sqlite3", "SELECT day, prefix, lo, next FROM lease"):
            kiosk_next[(k, r["day"], r["prefix"], r["lo"])] = r["next"]
    used: dict[tuple[str, str], set[int]] = defaultdict(set)
    for t in tickets:
        used[(t["day"], t["prefix"])].add(t["seq"])
    taken_missing: Counter[str] = Counter()
    for (day, prefix), seqs in used.items():
        blocks = [b for b in leases if b["day"] == day and b["prefix"] == prefix]
        for n in range(1, max(seqs) + 1):
            if n in seqs:
                continue
            block = next((b for b in blocks if b["lo"] <= n <= b["hi"]), None)
            if block is None and n >= cursor.get((day, prefix), 1):
                continue   # between the online cursor and the leased blocks: not handed out yet
            if block is None:
                rep.gaps_unexplained += 1
                rep.problem(f"gap: {prefix}{n:03d} of {day} is missing and was never leased")
                continue
            nxt = kiosk_next.get((block["kiosk"], day, prefix, block["lo"]))
            if nxt is None:
                rep.gaps_orphan_lease += 1
            elif n >= nxt:
                rep.gaps_unused_lease += 1
            else:
                taken_missing[block["kiosk"]] += 1
    for kiosk, n in taken_missing.items():
        kills = len(journals[kiosk].killed_keys) if kiosk in journals else 0
        rep.gaps_killed += min(n, kills)
        if n > kills:
            rep.gaps_unexplained += n - kills
            rep.problem(f"gap: {kiosk} took {n} leased numbers never shown, with only {kills} killed attempts")
