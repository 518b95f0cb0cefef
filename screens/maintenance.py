"""Staff maintenance screen: device health, printer alerts, paper, reprint, self-tests.

Not a citizen flow state: a separate screen in the app's ScreenManager, opened by a 3 s
long press on the header's centre name or Ctrl+M, behind the PIN (``maintenance.pin_hash``,
scrypt; the plain ``maintenance.pin`` only in demo mode). Wrong PINs lock it for
``maintenance.lockout_s``; every entry, failure and action goes to the audit log
(:mod:`kiosk.audit`). A demo without any PIN opens without one; production cannot start
without a PIN hash. Opening ends any citizen session; closing returns to the attract
screen with no citizen data. Every device call runs on the maintenance service's worker
thread; results come back on the UI thread through the dispatcher.
"""
from __future__ import annotations

import atexit
import logging
import os
import sys
import time
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from hardware.printer import PaperState
from kiosk import flow as f
from kiosk.audit import AuditLog
from kiosk.maintenance import MaintenanceService, MaintenanceSnapshot
from kiosk.staff_auth import PinGate
from screens.centre_info import centre_text, sync_text
from screens.widgets import Keypad, load_kv

log = logging.getLogger(__name__)

SCREEN_NAME = "maintenance"
LONG_PRESS_S = 3.0
REFRESH_S = 5.0
PREVIEW_S = 0.2
STAFF = "staff (maintenance PIN)"  # one shared PIN: the audit can name the role, not the person
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

    def __init__(self, app: Any, service: MaintenanceService, gate: PinGate, audit: AuditLog,
                 **kw: Any) -> None:
        self.kapp = app
        super().__init__(name=SCREEN_NAME, **kw)
        self.service = service
        self.gate = gate
        self.audit = audit
        self._typed = ""
        self._refreshing = False
        self._refresh_ev: Any = None
        self._preview_ev: Any = None
        self.snapshot: MaintenanceSnapshot | None = None
        self.ids.pin_pad.add_widget(Keypad(on_key=self._pin_key))

    def _(self, text: str) -> str:
        return self.kapp.tr._(text)

    # -- opening, PIN ----------------------------------------------------------------------
    def start(self) -> None:
        """Shown: ask for the PIN (if one is set) or show the findings."""
        self.clear()
        if self.gate.locked_for() > 0:
            self._say_locked()
        elif self.gate.needs_pin:
            self.message = self._("Enter the maintenance PIN.")
        else:
            self.audit.record("demo (no PIN)", "unlock")
            self._unlock()

    def _say_locked(self) -> None:
        self.message = self._("Locked after wrong PINs. Try again in {minutes} min.").format(
            minutes=int(self.gate.locked_for() / 60 + 0.999))

    def _pin_key(self, key: str) -> None:
        if key == "del":
            self._typed = self._typed[:-1]
        elif key == "clear":
            self._typed = ""
        elif key == "ok":
            self._check_pin()
            return
        elif len(self._typed) < 12:
            self._typed += key
        self.pin_shown = "•" * len(self._typed)
        length = self.gate.pin_length  # a plain (demo) PIN submits itself at its length
        if length is not None and len(self._typed) >= length:
            self._check_pin()

    def _check_pin(self) -> None:
        typed, self._typed, self.pin_shown = self._typed, "", ""
        if self.gate.locked_for() > 0:
            self.audit.record("unknown", "unlock", "refused: locked")
            self._say_locked()
            return
        if self.gate.check(typed):
            self.audit.record(STAFF, "unlock")
            self._unlock()
            return
        locked = self.gate.locked_for() > 0
        self.audit.record("unknown", "unlock", "locked out" if locked else "wrong PIN")
        log.warning("wrong maintenance PIN%s", " - locked" if locked else "")
        if locked:
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
        for ev in (self._refresh_ev, self._preview_ev):
            if ev is not None:
                ev.cancel()
        self._refresh_ev = self._preview_ev = None
        self.ids.preview.texture = None
        self.unlocked = False
        self._typed, self.pin_shown = "", ""
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
        centre = centre_text(snap.centre, _)   # the centre link and its outbox backlog
        self.ids.tickets.text = tickets + ("\n" + centre if centre else "")

    # -- actions -----------------------------------------------------------------------
    def _action(self, fn: Any, *args: Any, done: Any) -> None:
        if self.busy or not self.unlocked:
            return
        self.busy = True
        self.message = self._("Working…")
        name = getattr(fn, "__name__", "action")

        def finish(result: Any, error: BaseException | None) -> None:
            self.busy = False
            self.audit.record(STAFF, name, "ok" if error is None else type(error).__name__)
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

    def test_print(self) -> None:
        def done(_job: Any, error: BaseException | None) -> str:
            return (self._("Test print failed: {error}").format(error=type(error).__name__)
                    if error is not None else self._("Test ticket printed."))

        self._action(self.service.test_print, done=done)

    def card_test(self) -> None:
        def done(text: Any, error: BaseException | None) -> str:
            self.ids.tests.text = str(text or "")
            return self._("Card reader test finished.") if error is None else type(error).__name__

        self._action(self.service.card_test, done=done)

    def show_log(self) -> None:
        def done(lines: Any, error: BaseException | None) -> str:
            self.ids.tests.text = "\n".join(lines or []) or self._("The log is empty.")
            return self._("Recent log lines below.")

        self._action(self.service.recent_log, done=done)

    def sync_now(self) -> None:
        """The centre outbox, once the centre client plugs ``hooks["sync_now"]`` in."""
        def sync_now() -> object:
            return self.service.run_hook("sync_now")

        self._action(sync_now, done=lambda res, error: sync_text(res, self._) if error is None else str(error))

    def toggle_preview(self) -> None:
        """Camera preview on/off (a staff member in front of it: no citizen data)."""
        if self._preview_ev is not None:
            self._preview_ev.cancel()
            self._preview_ev, self.ids.preview.texture = None, None
            return
        self.audit.record(STAFF, "camera_preview")
        self._preview_ev = Clock.schedule_interval(lambda _dt: self._preview(), PREVIEW_S)

    def _preview(self) -> None:
        from screens.imaging import bgr_to_texture

        image = self.service.camera_frame() if self.unlocked else None
        self.ids.preview.texture = bgr_to_texture(image) if image is not None else None

    def restart(self) -> None:
        """Stop and start the kiosk process again (same command line)."""
        self.audit.record(STAFF, "restart")
        atexit.register(_reexec)
        self.exit_kiosk(audited=True)

    def exit_kiosk(self, audited: bool = False) -> None:
        """Leave kiosk mode: the window closes, the desktop (or a shell) is back."""
        if not audited:
            self.audit.record(STAFF, "exit_kiosk_mode")
        self.kapp.allow_exit = True
        self.kapp.maintenance.close()
        app = App.get_running_app()
        if app is not None:
            app.stop()

    def close(self) -> None:
        self.kapp.maintenance.close()


def _reexec() -> None:  # pragma: no cover - replaces the process
    """atexit: run the kiosk again in this process's place (frozen or from source)."""
    args = sys.argv if getattr(sys, "frozen", False) else [sys.executable, "-m", "kiosk", *sys.argv[1:]]
    os.execv(args[0] if getattr(sys, "frozen", False) else sys.executable, args)


class MaintenanceEntry:
    """Opens the maintenance screen (3 s press on the centre name, Ctrl+M) and closes it."""

    def __init__(self, app: Any, header: Widget) -> None:
        load_kv("maintenance")
        self.app = app
        kiosk = app.kiosk
        cfg = kiosk.config
        # The plain PIN counts in demo mode only (production refuses to start without a hash).
        self.gate = PinGate(pin_hash=cfg["maintenance.pin_hash"],
                            plain_pin=cfg["maintenance.pin"] if kiosk.demo else "",
                            max_tries=cfg["maintenance.max_pin_tries"],
                            lockout_s=cfg["maintenance.lockout_s"], clock=time.monotonic)
        self.enabled = self.gate.needs_pin or kiosk.demo
        self.audit = AuditLog.in_data_dir(kiosk.data_dir, cfg["kiosk.id"])
        self.service = MaintenanceService.from_kiosk(kiosk)
        self.screen = MaintenanceScreen(app, self.service, self.gate, self.audit)
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
            log.info("maintenance screen is disabled: set maintenance.pin_hash")
            return False
        self.audit.record("unknown", "open")
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
        if self.screen.unlocked:
            self.audit.record(STAFF, "close")
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
