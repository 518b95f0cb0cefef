"""Choose a service (configurable list) and declare a priority group."""
from __future__ import annotations

from datetime import date

from kivy.properties import BooleanProperty, StringProperty

from kiosk import flow as f
from kiosk.flow import Flow
from screens.base import KioskScreen
from screens.widgets import KButton


def age_on(dob: date, today: date) -> int:
    return today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))


class ServiceScreen(KioskScreen):
    priority_group = StringProperty("")
    identified = BooleanProperty(False)   # "My applications": the status of the citizen's own
    has_centre = BooleanProperty(False)    # "I have an appointment": check in by the card
    booking_waiting = BooleanProperty(False)   # the booking goes with the ticket (centre unreachable)

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self._built_for: tuple[str, float] | None = None

    def update(self, flow: Flow) -> None:
        lang = flow.session.language
        if self._built_for != (lang, self.kapp.ts):
            self._build(lang)
        c = flow.session.citizen
        self.identified = c is not None
        self.has_centre = self.kapp.kiosk.centre is not None   # bookings live on the centre
        self.booking_waiting = flow.session.booking_waiting and flow.session.checkin is None
        if c is not None and c.date_of_birth and not self.priority_group and self._built_for:
            if age_on(c.date_of_birth, date.today()) >= 60 and not getattr(self, "_suggested", False):
                self._suggested = True  # suggest once; the citizen may untick it
                self.select_priority("elderly")

    def _build(self, lang: str) -> None:
        catalog = self.kapp.kiosk.catalog
        self.ids.services.clear_widgets()
        for svc in catalog.services:
            btn = KButton(text=svc.name(lang), primary=True)
            btn.height = max(self.kapp.min_target, 118 * self.kapp.s)  # the kv rule's yields to this
            btn.service_code = svc.code
            btn.bind(on_release=lambda b: self.send(f.ServiceChosen(b.service_code, self.priority_group)))
            self.ids.services.add_widget(btn)
        self.ids.priority.clear_widgets()
        for grp in catalog.priority_groups:
            btn = KButton(text=grp["en"] if lang == "en" else grp["vi"], font_px=30)
            btn.height = max(self.kapp.min_target, 104 * self.kapp.s)
            btn.group_code = grp["code"]
            btn.primary = grp["code"] == self.priority_group
            btn.bind(on_release=lambda b: self.select_priority(b.group_code))
            self.ids.priority.add_widget(btn)
        self._built_for = (lang, self.kapp.ts)

    def select_priority(self, code: str) -> None:
        self.priority_group = "" if self.priority_group == code else code
        for btn in self.ids.priority.children:
            btn.primary = btn.group_code == self.priority_group

    def reset(self) -> None:
        self._suggested = False
        self.select_priority(self.priority_group)  # toggles the current one off
        self.priority_group = ""
        self._built_for = None


