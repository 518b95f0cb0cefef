"""Checking an online booking in: asks for the ID card, then says what the centre decided
(checked in: the ticket screen follows; too early; refused; centre unreachable)."""
from __future__ import annotations

from kivy.properties import BooleanProperty
from kivy.uix.label import Label

from kiosk.flow import Flow
from kiosk.messages import error_texts
from screens.base import KioskScreen


class CheckInScreen(KioskScreen):
    asking_card = BooleanProperty(False)    # waiting for the ID card (or "without my card")
    walk_in = BooleanProperty(False)        # offer an ordinary ticket instead
    keep_booking = BooleanProperty(False)   # ... that carries the booking (the centre was unreachable)
    busy = BooleanProperty(False)           # the centre is being asked

    def update(self, flow: Flow) -> None:
        sess = flow.session
        outcome = sess.checkin
        self.busy = sess.checkin_pending
        self.asking_card = not sess.checkin_pending and outcome is None and not flow.error
        self.walk_in = bool(flow.error or outcome is not None) and flow.error != "identity_mismatch"
        self.keep_booking = sess.booking_waiting
        if sess.checkin_pending:
            self.ids.what.text = self._("Checking your booking…")
            self.ids.step.text = ""
        elif flow.error:
            what, step = error_texts(flow.error, self._, sess.language)
            self.ids.what.text, self.ids.step.text = what, step
        elif outcome is not None and outcome.ticket is None:   # too early: come back later
            self.ids.what.text = self._("You are early for your appointment at {slot}.").format(
                slot=_hhmm(outcome.slot_at))
            self.ids.step.text = self._("Please come back from {time}, or take a walk-in ticket now.").format(
                time=_hhmm(outcome.come_back_at))
        else:
            self.ids.what.text = self._("Tap your ID card on the reader so the kiosk can check the booking is yours.")
            self.ids.step.text = self._("No card with you? Check in without it; staff will check your ID at the counter.")

    def reset(self) -> None:
        self.asking_card = self.walk_in = self.keep_booking = self.busy = False
        self.ids.what.text = self.ids.step.text = ""


def _hhmm(when: object) -> str:
    return when.strftime("%H:%M") if hasattr(when, "strftime") else "--:--"


class OfflineBar(Label):
    """A thin line under the header while the centre cannot be reached (tickets are then
    numbered from this kiosk's range); set :attr:`offline`. Styled in checkin.kv."""

    offline = BooleanProperty(False)
