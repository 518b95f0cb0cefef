"""The ticket: the number large, the printed ticket's preview, and what to do on a fault."""
from __future__ import annotations

from typing import Callable

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flow import Flow
from kiosk.messages import error_texts
from screens.base import KioskScreen
from screens.imaging import pil_to_texture, qr_texture



class TicketScreen(KioskScreen):
    number = StringProperty("")
    show_qr = BooleanProperty(False)
    printing = BooleanProperty(False)  # "Done" waits until the citizen has seen the outcome

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self._preview_for: tuple[str, str] | None = None

    def update(self, flow: Flow) -> None:
        sess = flow.session
        t = sess.ticket
        if t is None:
            self.number = ""
            self.ids.service.text = ""
            self.ids.print_state.text = self._("Issuing your ticket…")
            return
        lang = sess.language
        self.number = t.number
        self.printing = not (sess.printed or sess.print_error)
        self.ids.service.text = t.service.name(lang)
        self.ids.priority.text = (self._("Priority") + ": " + self.kapp.kiosk.catalog.priority_name(
            t.priority_group, lang)) if t.priority_group else ""
        self.ids.visit_note.text = visit_note(t, self._)
        if sess.print_error:
            what, step = error_texts(sess.print_error, self._, lang)
            self.ids.print_state.text = what
            self.ids.fault_banner.text = step
            self.show_qr = True
        elif sess.printed:
            self.ids.print_state.text = self._("Please take your ticket below the screen.")
            self.ids.fault_banner.text = ""
            self.show_qr = False
        else:
            self.ids.print_state.text = self._("Printing your ticket…")
            self.ids.fault_banner.text = ""
        key = (t.number, lang)
        if self._preview_for != key:
            self._preview_for = key
            self.ids.preview.texture = pil_to_texture(self.kapp.render_ticket_preview(t, lang))
            self.ids.qr.texture = qr_texture(t.follow_code)

    def reset(self) -> None:
        self.number = ""
        self.printing = False
        self.show_qr = False
        self._preview_for = None
        self.ids.preview.texture = None
        self.ids.qr.texture = None
        for name in ("service", "priority", "print_state", "fault_banner", "visit_note"):
            self.ids[name].text = ""


def visit_note(ticket: object, _: Callable[[str], str]) -> str:
    """The appointment and "kept at this kiosk" lines under the number (unobtrusive)."""
    lines = []
    appointment = getattr(ticket, "appointment", "")
    slot = getattr(ticket, "appointment_at", None)
    at = slot.strftime("%H:%M") if slot is not None else ""
    if appointment == "waiting":
        lines.append(_("Your booking goes with this ticket: it is checked in as soon as the kiosk reaches the centre."))  # noqa: E501
    elif appointment == "late" and at:
        lines.append(_("You came after your appointment time ({time}): this is a walk-in ticket, called in order of arrival.").format(time=at))  # noqa: E501
    elif appointment == "late":
        lines.append(_("You came after your appointment time: this is a walk-in ticket, called in order of arrival."))  # noqa: E501
    elif appointment and at:
        lines.append(_("Appointment at {time}: you are checked in and will be called from that time.").format(time=at))  # noqa: E501
    elif appointment:
        lines.append(_("Your appointment is checked in: you will be called from its time."))
    if getattr(ticket, "offline", False):
        lines.append(_("Kept at this kiosk; the counter will call you in order."))
    return "\n".join(lines)
