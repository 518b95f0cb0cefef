"""Staff maintenance screen: device health, printer alerts, paper, reprint, self-tests.

Not a citizen flow state: a separate screen in the app's ScreenManager, opened by a 3 s
long press on the header's centre name or Ctrl+M, behind ``maintenance.pin``. With an
empty PIN it opens only when the devices are simulated (demo, development); on real
hardware an empty PIN disables it. Opening ends any citizen session; closing returns to
the attract screen with no citizen data. Every device call runs on the maintenance
service's worker thread; results come back on the UI thread through the dispatcher.
"""
from __future__ import annotations

import hmac
import logging
from typing import Any

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from hardware.printer import PaperState
from kiosk import flow as f
from kiosk.maintenance import MaintenanceService, MaintenanceSnapshot
from screens.widgets import Keypad, load_kv

log = logging.getLogger(__name__)

SCREEN_NAME = "maintenance"
LONG_PRESS_S = 3.0
MAX_PIN_TRIES = 3
REFRESH_S = 5.0
DEVICE_NAMES = {"card_reader": "Card reader", "qr_scanner": "QR scanner", "camera": "Camera",
                "printer": "Printer"}
ALERT_TEXTS = {
    "paper_near_end": "Paper near end: change the roll soon",
    "paper_out": "Paper out",
    "cover_open": "Printer cover open",
    "printer_offline": "Printer offline",
    "print_timeout": "Printer stopped during a ticket",
    "printer_error": "Printer error",
}
PAPER_TEXTS = {PaperState.OK: "OK", PaperState.NEAR_END: "near end",
               PaperState.OUT: "out", PaperState.UNKNOWN: "unknown"}


def N_(text: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a msgid for extraction; translated where it is shown."""
    return text


class MaintenanceScreen(Screen):
    """The view. ``service`` does the work; :class:`MaintenanceEntry` opens and closes it."""

    unlocked = BooleanProperty(False)
    pin_shown = StringProperty("")
    message = StringProperty("")
    busy = BooleanProperty(False)

    def __init__(self, app: Any, service: MaintenanceService, pin: str, **kw: Any) -> None:
        self.kapp = app
        super().__init__(name=SCREEN_NAME, **kw)
        self.service = service
        self._pin = pin
        self._typed = ""
        self._tries = 0
        self._refreshing = False
        self._refresh_ev: Any = None
        self.snapshot: MaintenanceSnapshot | None = None
        self.ids.pin_pad.add_widget(Keypad(on_key=self._pin_key))

    def _(self, text: str) -> str:
        return self.kapp.tr._(text)

    # -- opening, PIN ----------------------------------------------------------------------
    def start(self) -> None:
        """Shown: ask for the PIN (if one is set) or show the findings."""
        self.clear()
        if self._pin:
            self.message = self._("Enter the maintenance PIN.")
        else:
            self._unlock()

    def _pin_key(self, key: str) -> None:
        if key == "del":
            self._typed = self._typed[:-1]
        elif key == "clear":
            self._typed = ""
        elif len(self._typed) < 12:
            self._typed += key
        self.pin_shown = "•" * len(self._typed)
        if len(self._typed) >= len(self._pin):
            self._check_pin()

    def _check_pin(self) -> None:
        if hmac.compare_digest(self._typed.encode(), self._pin.encode()):
            self._unlock()
            return
        self._tries += 1
        self._typed, self.pin_shown = "", ""
        log.warning("wrong maintenance PIN (%d of %d)", self._tries, MAX_PIN_TRIES)
        if self._tries >= MAX_PIN_TRIES:
            self.kapp.maintenance.close()
        else:
            self.message = self._("Wrong PIN.")

    def _unlock(self) -> None:
        self.unlocked = True
        self.message = ""
        self.refresh()
        self._refresh_ev = Clock.schedule_interval(lambda _dt: self.refresh(), REFRESH_S)

    def clear(self) -> None:
        """Forget everything shown (and the PIN typed)."""
        if self._refresh_ev is not None:
            self._refresh_ev.cancel()
            self._refresh_ev = None
        self.unlocked = False
        self._typed, self.pin_shown, self._tries = "", "", 0
        self.message = ""
        self.snapshot = None
        for name in ("devices", "alerts", "paper", "tickets", "tests"):
            self.ids[name].text = ""

    # -- findings ----------------------------------------------------------------------
    def refresh(self) -> None:
        if self._refreshing or not self.unlocked:
            return
        self._refreshing = True
        self.service.run(self.service.snapshot, on_done=self._show)

    def _show(self, snap: MaintenanceSnapshot | None, error: BaseException | None) -> None:
        self._refreshing = False
        if not self.unlocked:
            return  # closed meanwhile
        if error is not None or snap is None:
            self.message = self._("Could not read the devices: {error}").format(
                error=type(error).__name__)
            return
        self.snapshot = snap
        _ = self._
        self.ids.devices.text = "\n".join(
            f"[b]{_(DEVICE_NAMES.get(kind, kind))}[/b]: {st.state.value} — {st.detail}"
            for kind, st in snap.devices.items())
        if snap.alerts:
            self.ids.alerts.text = "\n".join(
                f"{a.wall:%H:%M:%S}  {_(ALERT_TEXTS.get(a.code, a.code))}"
                for a in reversed(snap.alerts[-8:]))
        else:
            self.ids.alerts.text = _("No alerts.")
        paper = _("Paper: {state}").format(state=_(PAPER_TEXTS[snap.paper.state]))
        if snap.paper.remaining_mm is not None:
            paper += "\n" + _("Paper counter: about {metres:.1f} m left, {count} tickets on this roll").format(
                metres=snap.paper.remaining_mm / 1000, count=snap.paper.tickets_on_roll)
        self.ids.paper.text = paper
        tickets = _("Tickets issued today: {count}").format(count=snap.tickets_today)
        last = snap.last_ticket
        if last is not None:
            tickets += "\n" + _("Last ticket: {number} at {time}, print: {state}").format(
                number=last.number, time=f"{last.issued_at:%H:%M %d/%m}", state=last.print_state)
        self.ids.tickets.text = tickets

    # -- actions -----------------------------------------------------------------------
    def _action(self, fn: Any, *args: Any, done: Any) -> None:
        if self.busy:
            return
        self.busy = True
        self.message = self._("Working…")

        def finish(result: Any, error: BaseException | None) -> None:
            self.busy = False
            if self.unlocked:
                self.message = done(result, error)
                self.refresh()

        self.service.run(fn, *args, on_done=finish)

    def reprint(self) -> None:
        def done(job: Any, error: BaseException | None) -> str:
            if error is not None:
                return self._("Reprint failed: {error}").format(error=error)
            return self._("Ticket {number} reprinted.").format(number=job.number)

        self._action(self.service.reprint_last, done=done)

    def reset_counter(self) -> None:
        def done(ok: Any, error: BaseException | None) -> str:
            if error is not None:
                return str(error)
            return (self._("Paper counter reset: new roll.") if ok
                    else self._("This printer keeps no paper counter."))

        self._action(self.service.reset_paper_counter, done=done)

    def self_test(self) -> None:
        def run_all() -> list[tuple[str, Any]]:
            return [(kind, self.service.self_test(kind)) for kind in self.service.devices]

        def done(results: Any, error: BaseException | None) -> str:
            if error is not None:
                return str(error)
            lines = []
            for kind, res in results:
                mark = "OK" if res.passed else self._("FAILED")
                checks = "; ".join(f"{name}: {detail}" for name, _ok, detail in res.checks)
                lines.append(f"[b]{self._(DEVICE_NAMES.get(kind, kind))}[/b] {mark} — {checks}")
            self.ids.tests.text = "\n".join(lines)
            return self._("Self-test finished.")

        self._action(run_all, done=done)

    def close(self) -> None:
        self.kapp.maintenance.close()


class MaintenanceEntry:
    """Opens the maintenance screen (3 s press on the centre name, Ctrl+M) and closes it."""

    def __init__(self, app: Any, header: Widget) -> None:
        load_kv("maintenance")
        self.app = app
        kiosk = app.kiosk
        self.pin: str = kiosk.config["maintenance.pin"]
        self.enabled = bool(self.pin) or kiosk.simulated
        self.service = MaintenanceService.from_kiosk(kiosk)
        self.screen = MaintenanceScreen(app, self.service, self.pin)
        app.sm.add_widget(self.screen)
        self.is_open = False
        self._header = header
        self._press: Any = None
        header.bind(on_touch_down=self._down, on_touch_up=self._up)
        Window.bind(on_key_down=self._key)

    def _name_label(self) -> Widget:
        return self._header.children[-1]  # the first child: the centre name

    def _down(self, _w: Widget, touch: Any) -> bool:
        if self._name_label().collide_point(*touch.pos) and not self.is_open:
            self._cancel_press()
            self._press = Clock.schedule_once(lambda _dt: self.open(), LONG_PRESS_S)
        return False

    def _up(self, _w: Widget, _touch: Any) -> bool:
        self._cancel_press()
        return False

    def _cancel_press(self) -> None:
        if self._press is not None:
            self._press.cancel()
            self._press = None

    def _key(self, _win: Any, key: int, _scancode: int, _text: Any, modifiers: Any) -> bool:
        if key == ord("m") and "ctrl" in (modifiers or ()):
            self.open()
            return True
        return False

    def open(self) -> bool:
        """Show the maintenance screen (ending any citizen session first)."""
        self._press = None
        if self.is_open:
            return True
        if not self.enabled:
            log.info("maintenance screen is disabled: set maintenance.pin")
            return False
        self.app.send(f.Cancel())  # a citizen's session ends here, wiped
        self.is_open = True
        self.app.sm.current = SCREEN_NAME
        if self.app.overlay is not None and self.app.overlay.parent is not None:
            self.app.overlay.parent.remove_widget(self.app.overlay)
        self.screen.start()
        return True

    def close(self) -> None:
        """Back to the attract screen, with no citizen data anywhere."""
        if not self.is_open:
            return
        self.screen.clear()
        self.is_open = False
        for screen in self.app.screens.values():
            screen.reset()
        self.app.send(f.Cancel())  # wipes whatever started meanwhile; shows the attract screen

    def shutdown(self) -> None:
        self._cancel_press()
        self.screen.clear()
        self._header.unbind(on_touch_down=self._down, on_touch_up=self._up)
        Window.unbind(on_key_down=self._key)
        self.service.close()


# msgids only used through the tables above (for the extractor)
_MSGIDS = [N_("Card reader"), N_("QR scanner"), N_("Camera"), N_("Printer"),
           N_("Paper near end: change the roll soon"), N_("Paper out"),
           N_("Printer cover open"), N_("Printer offline"),
           N_("Printer stopped during a ticket"), N_("Printer error"), N_("OK"),
           N_("near end"), N_("out"), N_("unknown")]
