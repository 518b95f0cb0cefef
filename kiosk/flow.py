"""The citizen flow as a pure state machine (no Kivy, no hardware, no clocks of its own).

``Flow.handle(event)`` and ``Flow.tick(now)`` change the state and return the *effects*
the controller must carry out (read the card, issue and print a ticket, look up a
status). Results come back as events. Time is passed in, so every timeout is testable.

States::

    attract -> identify -> reading -> confirm -> service -> ticket -> done -> attract
    service -> photo -> ticket (services that need a portrait: ``photo_services``)
    attract -> service (walk-in ticket)          attract -> status -> attract
    any state --exception/fault--> out_of_service --timeout--> attract

Idle handling: in every state where a citizen is being served, ``idle_timeout`` seconds
without a touch raise a warning ("Need more time?") for ``idle_warning`` seconds, then
the session is wiped and the attract screen returns.
"""
from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from hardware.shared_types import AccessKey, CardReadResult
from kiosk.identity.crosscheck import cross_check
from kiosk import flow_visit
from kiosk.flow_timers import CARD_BOUND, check_timers
from kiosk.session import Session, is_expired

from kiosk.flow_events import (  # noqa: F401 - re-exported: f.<Event> for every caller
    State, StartIdentify, StartWalkIn, StartStatus, CardPresent, CardGone, KeyProvided, QrRejected,
    IdDigitsEntered,
    ContinueWithoutChip, CardReadOk, CardReadFailed, Confirmed, CorrectionsRequested,
    ServiceChosen, PhotoAccepted, PhotoSkipped, TicketIssued, TicketIssueFailed, PrintFinished,
    StatusQuery, StatusAnswered, StatusFailed, DevicesChanged, Finish, Cancel, Back, UserActivity, SetLanguage, ToggleLargeText,
    Fault, ReadCard, IssueTicket, PrintTicket, LookupStatus, StartPhoto, StopPhoto, SessionWiped,
    Effect
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timeouts:
    """Seconds; see the ``session.*`` options in :mod:`kiosk.config`."""

    idle: float = 60.0
    idle_warning: float = 15.0
    card_removal_grace: float = 20.0
    identify: float = 90.0
    read: float = 30.0
    ticket_screen: float = 30.0
    done_screen: float = 8.0
    out_of_service: float = 20.0




@dataclass
class Flow:
    """The kiosk's citizen flow. Not thread-safe: call it from one thread (the UI's)."""

    timeouts: Timeouts = field(default_factory=Timeouts)
    default_language: str = "vi"
    now: float = 0.0
    state: State = State.ATTRACT
    session: Session = field(default_factory=Session)
    error: str = ""                  # message key of the last error shown on this state
    error_next_step: str = ""        # message key of its next step ("" = the error's own)
    card_present: bool = False
    idle_warning_until: float | None = None
    card_removed_at: float | None = None
    entered_at: float = 0.0
    last_activity: float = 0.0
    fault_reason: str = ""
    history: list[State] = field(default_factory=list)
    missing_devices: tuple[str, ...] = ()   # required devices unusable now (out of service)
    verifying: State | None = None   # a card came back: re-reading it before returning here
    status_asked_at: float | None = None  # a status lookup is pending since
    photo_services: frozenset[str] = frozenset()  # service codes that need a portrait
    on_change: Callable[["Flow"], None] | None = None
    today: Callable[[], date] = date.today  # calendar date, for the card's expiry

    def __post_init__(self) -> None:
        self.session = Session(language=self.default_language)

    # -- public API --------------------------------------------------------------------
    def handle(self, event: object, now: float | None = None) -> list[Effect]:
        """Apply ``event``; return the effects to carry out. Never raises."""
        if now is not None:
            self.now = now
        before = self.state
        try:
            if isinstance(event, IdDigitsEntered):   # intent -> the chip's access key
                event = KeyProvided(AccessKey.from_id(event.digits), "keypad")
            effects = self._dispatch(event) + flow_visit.after(self)  # check-in, status by card
            self._device_gate()
        except Exception as exc:  # failsafe: any bug ends in "out of service", not a crash
            log.exception("flow failed on %s in %s", type(event).__name__, self.state.value)
            effects = self._enter_fault(type(exc).__name__)
        self._changed()
        return self._photo_effects(before, effects)

    def tick(self, now: float) -> list[Effect]:
        """Advance time to ``now``: idle warning, wipe on idle, per-state timeouts."""
        self.now = now
        before = self.state
        try:
            effects = self._check_timers()
            if self._device_gate():
                self._changed()
        except Exception as exc:
            log.exception("flow timer failed in %s", self.state.value)
            effects = self._enter_fault(type(exc).__name__)
        return self._photo_effects(before, effects)

    @property
    def idle_warning_remaining(self) -> float | None:
        if self.idle_warning_until is None:
            return None
        return max(0.0, self.idle_warning_until - self.now)

    @property
    def card_removal_remaining(self) -> float | None:
        if self.card_removed_at is None:
            return None
        return max(0.0, self.card_removed_at + self.timeouts.card_removal_grace - self.now)

    # -- internals ---------------------------------------------------------------------
    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self)

    def _go(self, state: State, error: str = "") -> None:
        if state != self.state:
            self.history.append(self.state)
            del self.history[:-20]
        self.state = state
        self.error = error
        self.error_next_step = ""
        self.entered_at = self.now
        self.last_activity = self.now
        self.idle_warning_until = None

    def _photo_effects(self, before: State, effects: list[Effect]) -> list[Effect]:
        """Camera work follows the PHOTO state, however it is entered or left (one place,
        so no exit path - wipe, fault, back - can leave the camera running)."""
        if before == State.PHOTO and self.state != State.PHOTO:
            return [StopPhoto(), *effects]
        if before != State.PHOTO and self.state == State.PHOTO:
            return [*effects, StartPhoto()]
        return effects

    def _device_gate(self) -> bool:
        """Out of service while a required device is missing, between citizens only (a
        citizen being served finishes; the wipe after brings the kiosk here)."""
        if self.missing_devices and self.state == State.ATTRACT:
            self._go(State.OUT_OF_SERVICE)
            self.fault_reason = "device:" + ",".join(self.missing_devices)
            return True
        return False

    def _wipe(self) -> list[Effect]:
        self.session.wipe_photo()  # overwrite the pixels, not only drop the reference
        self.session = Session(language=self.default_language)
        self.card_removed_at = None
        self.idle_warning_until = None
        self.verifying = None
        self.status_asked_at = None
        self.history.clear()
        self._go(State.ATTRACT)
        return [SessionWiped()]

    def _enter_fault(self, reason: str) -> list[Effect]:
        effects = self._wipe()
        self.fault_reason = reason
        self._go(State.OUT_OF_SERVICE)
        self._changed()
        return effects

    def _read(self) -> list[Effect]:
        assert self.session.access_key is not None
        self._go(State.READING)
        return [ReadCard(self.session.access_key)]

    def _dispatch(self, event: object) -> list[Effect]:  # noqa: C901 - one table of transitions
        visit = flow_visit.dispatch(self, event)  # booking check-in, status extras
        if visit is not None:
            return visit
        s = self.state
        sess = self.session
        if isinstance(event, UserActivity):
            self.last_activity = self.now
            self.idle_warning_until = None
            return []
        if isinstance(event, SetLanguage):
            sess.language = event.language
            self.last_activity = self.now
            return []
        if isinstance(event, ToggleLargeText):
            sess.large_text = not sess.large_text
            self.last_activity = self.now
            return []
        if isinstance(event, Fault):
            return self._enter_fault(event.reason)
        if isinstance(event, DevicesChanged):
            self.missing_devices = tuple(event.missing)
            if not self.missing_devices and s == State.OUT_OF_SERVICE \
                    and self.fault_reason.startswith("device:"):
                return self._wipe()  # back by itself when the device returns
            return []
        if isinstance(event, Cancel):
            if s == State.TICKET and sess.ticket is None:
                return []  # the number is being issued: it must be shown, not lost
            return self._wipe() if s != State.ATTRACT else []
        if isinstance(event, CardPresent):
            self.card_present = True
            self.card_removed_at = None
            if s in CARD_BOUND and sess.identified_by == "chip" and sess.access_key is not None:
                # A card (back) on the reader may be another person's: re-read it with
                # this session's key; only the same card (same ID) continues.
                self.verifying = s
                self._go(State.READING)
                return [ReadCard(sess.access_key)]
            if s in (State.ATTRACT, State.IDENTIFY):
                if sess.access_key is not None:
                    return self._read()
                self._go(State.IDENTIFY)  # the screen asks for the ID number / QR
            return []
        if isinstance(event, CardGone):
            self.card_present = False
            if s in CARD_BOUND and sess.identified_by == "chip":
                self.card_removed_at = self.now
            return []

        if s == State.ATTRACT:
            if isinstance(event, StartIdentify):
                self._go(State.IDENTIFY)
            elif isinstance(event, StartWalkIn):
                self._go(State.SERVICE)
            elif isinstance(event, StartStatus):
                self._go(State.STATUS)
            elif isinstance(event, StatusQuery):  # a receipt's QR shown at the attract screen
                self._go(State.STATUS)
                return self._dispatch(event)
            elif isinstance(event, KeyProvided):  # QR shown straight at the attract screen
                self._go(State.IDENTIFY)
                return self._key_provided(event)
            return []
        if s == State.IDENTIFY:
            if isinstance(event, KeyProvided):
                return self._key_provided(event)
            if isinstance(event, QrRejected):
                self.error = event.code
                self.error_next_step = event.next_step
            elif isinstance(event, ContinueWithoutChip) and sess.qr_citizen is not None:
                sess.citizen = sess.qr_citizen
                sess.identified_by = "qr"
                sess.card_expired = is_expired(sess.citizen.date_of_expiry, self.today())
                self._go(State.CONFIRM)
            elif isinstance(event, Back):
                return self._wipe()
            return []
        if s == State.READING:
            if self.verifying is not None and isinstance(event, (CardReadOk, CardReadFailed)):
                return self._verified(event)
            if isinstance(event, CardReadOk):
                return self._chip_read(event.result)
            if isinstance(event, CardReadFailed):
                if event.code == "wrong_key":
                    sess.access_key = None  # ask again; the key in hand is wrong
                self._go(State.IDENTIFY, event.code)
            return []
        if s == State.CONFIRM:
            if isinstance(event, Confirmed):
                self._go(State.SERVICE)
            elif isinstance(event, CorrectionsRequested):
                sess.corrections = tuple(event.fields)
                # Typed values only for flagged fields, NFC, bounded: the form is free text.
                sess.corrected_values = {k: unicodedata.normalize("NFC", v).strip()[:200]
                                         for k, v in event.values
                                         if k in sess.corrections and v.strip()}
                self._go(State.SERVICE)
            elif isinstance(event, Back):
                return self._wipe()
            return []
        if s == State.SERVICE:
            if isinstance(event, ServiceChosen):
                sess.service_code = event.service_code
                sess.priority_group = event.priority_group
                self.card_removed_at = None  # the ticket is on its way: no more card-bound
                if event.service_code in self.photo_services:
                    self._go(State.PHOTO)
                    return []
                self._go(State.TICKET)
                return [IssueTicket(event.service_code, event.priority_group, sess.ticket_flags())]
            if isinstance(event, Back):
                if sess.citizen is not None:
                    self._go(State.CONFIRM)
                else:
                    return self._wipe()
            return []
        if s == State.PHOTO:
            if isinstance(event, PhotoAccepted):
                sess.store_photo(event.photo)
                sess.photo_skipped = ""
            elif isinstance(event, PhotoSkipped):
                sess.wipe_photo()
                sess.photo_skipped = event.reason
            elif isinstance(event, Back):
                self._go(State.SERVICE)
                return []
            else:
                return []
            self._go(State.TICKET)
            return [IssueTicket(sess.service_code, sess.priority_group, sess.ticket_flags())]
        if s == State.TICKET:
            if isinstance(event, TicketIssued):
                sess.ticket = event.ticket
                return [PrintTicket(event.ticket)]
            if isinstance(event, TicketIssueFailed):
                return self._enter_fault("ticket:" + event.code)
            if isinstance(event, PrintFinished):
                sess.printed = not event.error
                sess.print_error = event.error
                self.error = event.error
            elif isinstance(event, Finish) and sess.ticket is not None \
                    and (sess.printed or sess.print_error):
                self._go(State.DONE)  # only once the citizen has seen how printing went
            return []
        if s == State.DONE:
            if isinstance(event, Finish):
                return self._wipe()
            return []
        if s == State.STATUS:
            if isinstance(event, StatusQuery):
                sess.status_query = event.code
                sess.status_result = None
                self.error = ""
                self.status_asked_at = self.now
                return [LookupStatus(event.code)]
            if isinstance(event, StatusAnswered) and self.status_asked_at is not None:
                sess.status_result = event.result
                self.status_asked_at = None
                if event.result is None:
                    self.error = "status_unavailable"
            elif isinstance(event, StatusFailed) and self.status_asked_at is not None:
                self.status_asked_at = None
                self.error = event.code
            elif isinstance(event, Back):
                return self._wipe()
            return []
        if s == State.OUT_OF_SERVICE:
            return []
        return []

    def _key_provided(self, event: KeyProvided) -> list[Effect]:
        sess = self.session
        sess.access_key = event.key
        sess.key_source = event.source
        if event.qr_citizen is not None:
            sess.qr_citizen = event.qr_citizen
        if self.card_present:
            return self._read()
        self.error = ""
        self.error_next_step = ""
        return []

    def _verified(self, event: object) -> list[Effect]:
        """The re-read of a card put (back) on the reader in a card-bound state."""
        back_to, self.verifying = self.verifying, None
        sess = self.session
        same = (isinstance(event, CardReadOk) and sess.citizen is not None
                and event.result.citizen.id_number == sess.citizen.id_number)
        if same and back_to is not None:
            self._go(back_to)
            if not self.card_present:
                self.card_removed_at = self.now
            return []
        effects = self._wipe()  # another person's card (or unreadable): never continue
        if self.card_present:
            self._go(State.IDENTIFY)
        return effects

    def _chip_read(self, result: CardReadResult) -> list[Effect]:
        sess = self.session
        sess.citizen = result.citizen
        sess.identified_by = "chip"
        sess.portrait_jpeg = result.portrait_jpeg
        sess.passive_auth_summary = result.passive_auth_summary
        sess.card_expired = is_expired(result.citizen.date_of_expiry, self.today())
        sess.chip_authenticity_failed = result.authenticity_failed
        sess.chip_verdict = result.verdict
        if sess.qr_citizen is not None:
            sess.mismatches = tuple(cross_check(sess.qr_citizen, result.citizen))
        self._go(State.CONFIRM)
        if not self.card_present:  # pulled right after the read finished
            self.card_removed_at = self.now
        return []

    def _check_timers(self) -> list[Effect]:
        return check_timers(self) + flow_visit.timer(self)

    def _wiped_and_changed(self) -> list[Effect]:
        effects = self._wipe()
        self._changed()
        return effects
