"""A citizen with a booking at a chaos-day kiosk, driven through the kiosk's own controller
(:class:`kiosk.controller.KioskController` with simulated devices, no Kivy): the real flow
(:mod:`kiosk.flow_visit`), the real effects (:func:`kiosk.visit.run_visit_effect`: check-in,
issue with the booking claimed), the real worker threads and dispatcher hand-off, and the
real printing path (print outcome into the outbox).

What the citizen does is what the screens offer (see ``docs`` of :mod:`kiosk.flow_visit`):

- scans the booking's QR (``code``), or identifies with the card's QR and then scans the
  booking (``card_code``) or says "I have an appointment" (``card``: the centre finds
  today's booking by the ID number);
- checked in: the ticket shows (``via`` ``checkin``; ``late``: a walk-in ticket, the booking lapsed);
- too early: takes a walk-in ticket instead (the booking stays open);
- ``checkin_offline``: takes the ticket that carries the booking (``via`` ``claim``);
- ``checkin_pending`` ("wait one minute, then try again"): waits and starts again, up to
  :data:`PENDING_TRIES` times, then takes a walk-in ticket and goes to the counter;
- any other refusal (``booking_used`` after a kill, say): a walk-in ticket, to the counter.

Each check-in that ends without a ticket on the screen is journalled as ``checkin`` with the
keys it made (the kiosk owes the centre a void for every one that made something).
"""
from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, Callable

from hardware.shared_types import AccessKey, Citizen
from hardware.sim_card_reader import SimulatedCardReader
from hardware.sim_printer import SimulatedPrinter
from hardware.sim_qr_scanner import SimulatedQrScanner
from kiosk import flow as f
from kiosk import visit_events as v
from kiosk.controller import KioskController
from kiosk.dispatch import QueueDispatcher
from kiosk.flow import Flow, State

PENDING_TRIES = 8          # "please wait one minute" this often, then the counter
PENDING_WAIT_S = (0.5, 2.0)   # the minute, scaled to the day
ANSWER_WAIT_S = 90.0       # a worker thread that hangs longer than this is a finding


class VisitStuck(Exception):
    """The kiosk did not answer the citizen in time (no ticket, no error): a hang."""


@dataclass(frozen=True)
class BookingCitizen:
    """One citizen of the day plan who booked online (see :func:`tests.chaos.bookings.plan_bookings`)."""

    index: int          # the kiosk's citizen number (0 = its first of the day)
    code: str
    id_number: str
    service: str
    mode: str           # "code", "card_code", "card"
    kind: str           # the slot against the day: "on_time", "late", "too_early"

    def citizen(self) -> Citizen:
        return Citizen(id_number=self.id_number, full_name=f"Công Dân {self.index}",
                       date_of_birth=date(1990, 1, 1), sex="M", date_of_expiry="01/01/2040")


def save_bookings(path: Any, citizens: list[BookingCitizen]) -> None:
    """One kiosk's booked citizens as the worker reads them (``--bookings``)."""
    path.write_text(json.dumps([asdict(b) for b in citizens]), encoding="utf-8")


def load_bookings(path: str) -> dict[int, BookingCitizen]:
    """``{citizen index: booked citizen}`` from :func:`save_bookings`."""
    with open(path, encoding="utf-8") as fh:
        return {b["index"]: BookingCitizen(**b) for b in json.load(fh)}


@dataclass
class VisitResult:
    """What the citizen ended with: ``ticket`` None when the kiosk could not issue one."""

    ticket: Any
    via: str            # "checkin", "claim", "walk_in"
    after: str          # the last check-in's outcome: "answered", "too_early" or a message key
    checkins: int       # check-ins tried (a pending retry starts a new one)
    keys: tuple[str, ...] = ()   # the keys the last check-in made (two: refused, void sent, tried again)


class BookingKiosk:
    """The kiosk's controller around ``issuer`` for citizens with a booking."""

    def __init__(self, issuer: Any, journal: Any, keys: Callable[[], list[str]],
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.disp = QueueDispatcher()
        self.printer = SimulatedPrinter()
        self.printer.open()
        self.ctl = KioskController(flow=Flow(), dispatcher=self.disp, card_reader=SimulatedCardReader(profiles={}),
                                   qr_scanner=SimulatedQrScanner(), printer=self.printer, issuer=issuer,
                                   lookup_status=lambda code: None, parse_qr=lambda *a: None)
        self.journal = journal
        self.keys = keys     # the issue-side keys made so far (the key journal's list)
        self.sleep = sleep

    def close(self) -> None:
        self.ctl.stop()

    def visit(self, b: BookingCitizen, rng: Any, shown: Callable[[VisitResult], None]) -> VisitResult:
        """One citizen from arrival to the printed ticket (or the kiosk out of service);
        ``shown`` is called as soon as the number is on the screen (before it prints)."""
        checkins = 0
        while True:
            checkins += 1
            mark = len(self.keys())
            flow = self._start(b)
            if flow.session.ticket is not None:
                return self._printed(VisitResult(flow.session.ticket, "checkin", "answered", checkins,
                                                 tuple(self.keys()[mark:])), shown)
            after = flow.error or ("too_early" if flow.session.checkin is not None else "no_answer")
            self.journal.write(ev="checkin", code=b.code, outcome=after, keys=self.keys()[mark:])
            if after == "checkin_pending" and checkins < PENDING_TRIES:
                self.sleep(rng.uniform(*PENDING_WAIT_S))
                continue
            via = "claim" if flow.session.booking_claim() is not None else "walk_in"
            return self._printed(VisitResult(self._ticket_instead(b), via, after, checkins), shown)

    # -- the screens ------------------------------------------------------------------------
    def _send(self, event: object) -> None:
        self.ctl.send(event)

    def _start(self, b: BookingCitizen) -> Flow:
        """A fresh session up to the centre's answer to the check-in."""
        self.ctl.flow = flow = Flow()   # the previous citizen's session is gone (late answers dropped)
        if b.mode == "code":
            self._send(v.BookingScanned(b.code))
            self._send(v.CheckInWithoutCard())
        else:
            citizen = b.citizen()
            self._send(f.KeyProvided(AccessKey.from_id(citizen.id_number), "qr", citizen))
            self._send(f.ContinueWithoutChip())
            self._send(f.Confirmed())
            self._send(v.BookingScanned(b.code) if b.mode == "card_code" else v.CheckInByCard())
        if flow.state != State.CHECKIN:
            raise VisitStuck(f"the check-in did not start ({flow.state.value})")
        self._pump(lambda: not flow.session.checkin_pending)
        return flow

    def _ticket_instead(self, b: BookingCitizen) -> Any:
        """The ticket the check-in screen offers instead (the booking goes with it when the
        centre could not be reached); without that offer, a walk-in from the start screen."""
        flow = self.ctl.flow
        self._send(v.WalkInInstead())
        if flow.state != State.SERVICE:     # e.g. identity_mismatch: staff, then a walk-in
            self.ctl.flow = flow = Flow()
            self._send(f.StartWalkIn())
        self._send(f.ServiceChosen(b.service))
        self._pump(lambda: flow.session.ticket is not None or flow.state == State.OUT_OF_SERVICE)
        return flow.session.ticket

    def _printed(self, result: VisitResult, shown: Callable[[VisitResult], None]) -> VisitResult:
        flow = self.ctl.flow
        if result.ticket is not None:
            shown(result)
            self._pump(lambda: flow.session.printed or bool(flow.session.print_error))
        self.printer.printed.clear()   # the rendered images: memory, not evidence
        return result

    def _pump(self, until: Callable[[], bool]) -> None:
        deadline = time.monotonic() + ANSWER_WAIT_S
        while not until():
            if time.monotonic() > deadline:
                raise VisitStuck("no answer from the kiosk's worker in time")
            self.disp.drain(timeout=0.02)
