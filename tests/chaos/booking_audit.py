"""The chaos day's audit of bookings: what each citizen with a booking was shown against the
centre's ``appointment`` rows (part of :func:`tests.chaos.audit.audit`).

For every booking the day planned (``bookings.json`` in each kiosk's folder):

- the citizen was shown exactly one ticket (the journal's ``shown`` line naming the booking);
- checked in at the kiosk (``via`` ``checkin``): the booking is ``checked_in`` and tied to
  exactly that ticket (the ticket is the appointment's), or ``lapsed`` and tied to it when
  the centre judged the arrival late;
- a ticket that claimed the booking (``via`` ``claim``: the check-in could not reach the
  centre): the centre's flag on that ticket says how it judged the claim; ``checked_in`` and
  ``late`` must leave the booking tied to that ticket (checked in / lapsed); any other
  verdict (``booking_used``: the citizen's own lost check-in still held it, ...) is a finding,
  unless the booking is tied to a ticket of an attempt a kill cut short after the kiosk had
  the answer (``used_after_kill``, as below);
- a walk-in instead: after a too-early answer the booking is still open; after
  ``checkin_pending`` too often, open again once the kiosk's void went; after
  ``booking_used`` (by card: ``no_booking_today``), the booking must be tied to a ticket of
  an attempt a kill cut short after the kiosk had the answer (the citizen's own, never
  shown); anything else is a finding;
- never: a booking tied to a cancelled ticket, or with more than one live ticket of its own
  (checked in twice).
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

CLAIM = "appointment.claim."


@dataclass
class BookingReport:
    bookings: int = 0
    checked_in: int = 0            # checked in at the kiosk, the ticket shown
    checkin_late: int = 0          # checked in late: a walk-in ticket, the booking lapsed
    claimed_offline: int = 0       # the offline ticket carried it; checked in on arrival
    claimed_online: int = 0        # an online ticket carried it (the centre answered again)
    claim_late: int = 0            # ... judged late at the ticket's issue time: lapsed
    too_early_walk_in: int = 0     # told to come back later; took a walk-in, booking still open
    used_after_kill: int = 0       # booking_used: their own check-in, answered just before a kill
    pending_gave_up: int = 0       # checkin_pending every time: walk-in, booking open again
    checkin_offline: int = 0       # check-ins whose answer was lost (or never came)
    checkin_pending: int = 0       # "your earlier check-in is still being cancelled"
    checkin_retried: int = 0       # booking_used, own void delivered at once, checked in anew
    reopened: int = 0              # booking.reopened events (a voided check-in's booking)
    unlinked: int = 0              # finding: the booking is not tied to the ticket shown as its own
    on_cancelled: int = 0          # finding: tied to a cancelled ticket
    twice: int = 0                 # finding: more than one live ticket of its own
    claim_not_taken: int = 0       # finding: a claim the centre did not take
    refused_unexplained: int = 0   # finding: a refusal the day cannot explain
    not_shown: int = 0             # finding: the citizen never got a ticket
    refusals: Counter[str] = field(default_factory=Counter)   # every check-in outcome without a ticket

    @property
    def ok(self) -> bool:
        return not (self.unlinked or self.on_cancelled or self.twice or self.claim_not_taken
                    or self.refused_unexplained or self.not_shown)

    def counts(self) -> dict[str, int]:
        out = {f"booking_{k}" if k != "bookings" else k: v for k, v in self.__dict__.items() if isinstance(v, int)}
        return {**out, **{f"checkin_said_{k}": v for k, v in sorted(self.refusals.items())}}


def read_bookings(kiosk_dirs: dict[str, Path]) -> dict[str, str]:
    """``{booking code: kiosk}`` of the day's plan (no file: a day without bookings)."""
    out: dict[str, str] = {}
    for kiosk, d in kiosk_dirs.items():
        path = d / "bookings.json"
        if path.exists():
            out.update({b["code"]: kiosk for b in json.loads(path.read_text(encoding="utf-8"))})
    return out


def audit_bookings(rep: BookingReport, planned: dict[str, str], appointments: list[Any], tickets: list[Any],
                   journals: dict[str, Any], shown_rows: dict[str, Any], killed_returned: set[int],
                   reopened: int, problem: Callable[[str], None]) -> None:
    """Check every planned booking (see the module's docstring). ``shown_rows``: the centre's
    ticket row of each shown ticket by its client key; ``killed_returned``: ids of tickets of
    attempts killed after the kiosk had the answer (never shown)."""
    rep.bookings = len(planned)
    rep.reopened = reopened
    by_code = {a["code"]: a for a in appointments}
    by_id = {t["id"]: t for t in tickets}
    live_of: Counter[int] = Counter(t["appointment_id"] for t in tickets
                                    if t["appointment_id"] is not None and t["state"] != "cancelled")
    shown = {s.booking: s for j in journals.values() for s in j.shown if s.booking}
    for j in journals.values():
        for e in j.checkins:
            rep.refusals[e["outcome"]] += 1
            rep.checkin_offline += e["outcome"] == "checkin_offline"
            rep.checkin_pending += e["outcome"] == "checkin_pending"
        rep.checkin_retried += sum(len(s.checkin_keys) > 1 for s in j.shown if s.via == "checkin")
    for code, kiosk in sorted(planned.items()):
        a, s = by_code.get(code), shown.get(code)
        if a is None or s is None:
            rep.not_shown += 1
            problem(f"booking {code} of {kiosk}: {'not on the centre' if a is None else 'no ticket shown'}")
            continue
        tied = by_id.get(a["ticket_id"]) if a["ticket_id"] is not None else None
        if tied is not None and tied["state"] == "cancelled":
            rep.on_cancelled += 1
            problem(f"booking {code} is {a['state']} with cancelled ticket {tied['number']}")
        if live_of[a["id"]] > 1:
            rep.twice += 1
            problem(f"booking {code} has {live_of[a['id']]} live tickets")
        row = shown_rows.get(s.client_key)
        if row is None:
            continue   # the shown ticket itself is missing: already a finding ("lost")
        _judge(rep, code, a, s, row, tied, killed_returned, problem)


def _judge(rep: BookingReport, code: str, a: Any, s: Any, row: Any, tied: Any, killed_returned: set[int],
           problem: Callable[[str], None]) -> None:
    """The booking ``a`` against the ticket ``row`` its citizen was shown (``s``)."""
    def tied_to_shown(state: str) -> bool:
        if a["state"] == state and a["ticket_id"] == row["id"] \
                and (state != "checked_in" or row["appointment_id"] == a["id"]):
            return True
        rep.unlinked += 1
        problem(f"booking {code}: {a['state']} with ticket id {a['ticket_id']}, but its citizen holds "
                f"{row['number']} (id {row['id']}, {s.via}, expected {state})")
        return False

    if s.via == "checkin":
        late = s.appointment == "late"
        if tied_to_shown("lapsed" if late else "checked_in"):
            rep.checkin_late += late
            rep.checked_in += not late
        return
    if s.via == "claim":
        verdicts = [f[len(CLAIM):] for f in (row["flags"] or "").split() if f.startswith(CLAIM)]
        verdict = verdicts[0] if len(verdicts) == 1 else ",".join(verdicts) or "none"
        if verdict in ("checked_in", "late"):
            if tied_to_shown("checked_in" if verdict == "checked_in" else "lapsed"):
                rep.claim_late += verdict == "late"
                rep.claimed_offline += verdict == "checked_in" and s.offline
                rep.claimed_online += verdict == "checked_in" and not s.offline
            return
        if verdict in ("booking_used", "no_booking") and tied is not None and tied["id"] in killed_returned:
            rep.used_after_kill += 1   # their own check-in's ticket holds it, as for a walk-in below
            return
        rep.claim_not_taken += 1
        problem(f"booking {code}: the ticket {row['number']} claimed it ({'offline' if s.offline else 'online'}), "
                f"judged {verdict}; the booking is {a['state']}")
        return
    if s.after in ("too_early", "checkin_pending") and a["state"] == "booked" and a["ticket_id"] is None:
        rep.too_early_walk_in += s.after == "too_early"
        rep.pending_gave_up += s.after == "checkin_pending"
        return
    if s.after in ("booking_used", "no_booking_today") and tied is not None and tied["id"] in killed_returned:
        # by code "used", by card "no open booking": held by their own check-in's ticket
        rep.used_after_kill += 1
        return
    rep.refused_unexplained += 1
    problem(f"booking {code}: told {s.after}, took walk-in {row['number']}; the booking is {a['state']}"
            f" with ticket id {a['ticket_id']}")
