"""The flow's timers: idle warning and wipe, the card-removal grace, and each state's
timeout. A part of :class:`kiosk.flow.Flow` kept in its own module (the functions take
the flow as ``self`` and use its private helpers)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.flow_events import Effect, State

if TYPE_CHECKING:
    from kiosk.flow import Flow

#: States in which a citizen is being served: idle warning and wipe apply.
SERVED = {State.IDENTIFY, State.CONFIRM, State.SERVICE, State.PHOTO, State.TICKET, State.STATUS,
          State.CHECKIN}
#: States where pulling the card ends the session (after the grace period).
CARD_BOUND = {State.CONFIRM, State.SERVICE}


def check_timers(self: "Flow") -> list[Effect]:
    """Idle warning and wipe, card-removal grace, per-state timeouts (``Flow.tick``)."""
    s, t, now = self.state, self.timeouts, self.now
    if s in SERVED:
        if self.idle_warning_until is not None:
            if now >= self.idle_warning_until:
                return self._wiped_and_changed()
        elif now - self.last_activity >= t.idle:
            self.idle_warning_until = now + t.idle_warning
            self._changed()
            return []
    if self.card_removed_at is not None and s in CARD_BOUND:
        if now - self.card_removed_at >= t.card_removal_grace:
            return self._wiped_and_changed()
    elapsed = now - self.entered_at
    if s == State.IDENTIFY and elapsed >= t.identify:
        return self._wiped_and_changed()
    if s == State.READING and elapsed >= t.read:
        if self.verifying is not None:
            return self._wiped_and_changed()
        self._go(State.IDENTIFY, "read_timeout")
        self._changed()
    elif s == State.TICKET and elapsed >= t.ticket_screen:
        return _ticket_timer(self)
    elif s == State.STATUS and self.status_asked_at is not None \
            and now - self.status_asked_at >= t.read:
        self.status_asked_at = None  # a late answer is ignored: the sentence stays
        self.error = "status_unavailable"
        self._changed()
    elif s in (State.DONE, State.OUT_OF_SERVICE):
        limit = t.done_screen if s == State.DONE else t.out_of_service
        if elapsed >= limit:
            return self._wiped_and_changed()
    return []

def _ticket_timer(self: "Flow") -> list[Effect]:
    """The ticket screen's time is up: done once printing ended; a print that has
    not ended is shown as failed (QR on screen) and gets the screen's time again."""
    sess = self.session
    if sess.ticket is None:
        return self._enter_fault("ticket:timeout")
    if sess.printed or sess.print_error:
        self._go(State.DONE)
    else:
        sess.print_error = self.error = "print_timeout"
        self.entered_at = self.now
    self._changed()
    return []
