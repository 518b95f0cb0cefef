"""The Kivy application: one window, one screen per flow state, overlays, developer panel.

It holds no business rules: it forwards touches to the controller as flow events, and
on every flow change shows the screen of the flow's state. Kivy must be configured
(window size, borderless) before this module is imported: see
:func:`screens.kivy_setup.configure_kivy`.
"""
from __future__ import annotations

import logging
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import (BooleanProperty, NumericProperty, ObjectProperty,
                             StringProperty)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk import flow as f
from kiosk.bootstrap import Kiosk
from kiosk.deployment import check_deployment, fullscreen_wanted
from kiosk.flow import Flow, State
from kiosk.lockdown import swallow_key
from kiosk.logs import active_redactor
from kiosk.watchdog import attach_watchdog
from screens.attract import AttractScreen
from screens.base import KioskScreen
from screens.checkin import CheckInScreen, OfflineBar
from screens.confirm import ConfirmScreen
from screens.done import DoneScreen
from screens.failsafe import Failsafe
from screens.identify import IdentifyScreen, ReadingScreen
from screens.maintenance import MaintenanceEntry
from screens.out_of_service import OutOfServiceScreen
from screens.photo import PhotoScreen
from screens.service import ServiceScreen
from screens.status import StatusScreen
from screens.ticket import TicketScreen
from screens.translator import Translator
from screens.widgets import (Banner, DemoMark, DevPanel, Header, IdleOverlay, KButton, KioskRoot,
                             load_kv)

log = logging.getLogger(__name__)

KV_FILES = ("widgets", "attract", "identify", "confirm", "service", "photo", "ticket", "status",
            "done", "out_of_service", "checkin")
SCREENS: dict[State, type[KioskScreen]] = {
    State.ATTRACT: AttractScreen,
    State.IDENTIFY: IdentifyScreen,
    State.READING: ReadingScreen,
    State.CONFIRM: ConfirmScreen,
    State.SERVICE: ServiceScreen,
    State.PHOTO: PhotoScreen,
    State.TICKET: TicketScreen,
    State.DONE: DoneScreen,
    State.STATUS: StatusScreen,
    State.CHECKIN: CheckInScreen,
    State.OUT_OF_SERVICE: OutOfServiceScreen,
}
DESIGN_WIDTH = 1080  # layouts are drawn for a 1080 px wide portrait screen


class KioskApp(App):
    """The kiosk window. ``kiosk`` is the wired graph from :func:`kiosk.bootstrap.build`."""

    s = NumericProperty(1.0)           # layout scale
    ts = NumericProperty(1.0)          # text scale (layout scale x large-text factor)
    min_target = NumericProperty(60.0)  # smallest touch target in pixels
    language = StringProperty("vi")
    large_text = BooleanProperty(False)
    centre_name = StringProperty("")
    tr = ObjectProperty(None)
    demo = BooleanProperty(False)
    use_kivy_settings = False

    def __init__(self, kiosk: Kiosk, *, animations: bool = True, **kw: Any) -> None:
        check_deployment(kiosk.config, kiosk.devices.all())  # production: refuse a demo setup
        super().__init__(**kw)
        self.kiosk = kiosk
        self.demo = kiosk.demo
        self.failsafe = Failsafe(self._fault)
        self.allow_exit = False  # maintenance "exit kiosk mode" sets it
        self.controller = kiosk.controller
        self.animations = animations
        cfg = kiosk.config
        self.language = cfg["ui.language"]
        self.tr = Translator(self.language)
        self.centre_name = cfg["kiosk.centre_name"]
        self.min_target = cfg["ui.dpi"] * cfg["ui.min_target_mm"] / 25.4
        self._large_scale = cfg["ui.large_text_scale"]
        self.title = "Kiosk"
        self.screens: dict[State, KioskScreen] = {}
        self.overlay: IdleOverlay | None = None
        self.banner: Banner | None = None
        self._tick_ev: Any = None
        self._check_ev: Any = None
        self.maintenance: MaintenanceEntry | None = None

    # -- building ----------------------------------------------------------------------
    def build(self) -> KioskRoot:
        self._rescale()
        Window.bind(size=self._rescale)
        for name in KV_FILES:
            load_kv(name)
        root = KioskRoot()
        column = BoxLayout(orientation="vertical")
        header = Header()
        column.add_widget(header)
        self.banner = Banner()
        column.add_widget(self.banner)
        self.offline_bar = OfflineBar()   # the centre is unreachable (unobtrusive)
        column.add_widget(self.offline_bar)
        self.sm = ScreenManager(transition=NoTransition())
        self.screen_for(State.ATTRACT)  # the others are made after the first frame
        column.add_widget(self.sm)
        self.maintenance = MaintenanceEntry(self, header)  # staff: long press on the name, Ctrl+M
        if self._dev_panel_enabled():
            column.add_widget(self._build_dev_panel())
        root.add_widget(column)
        if self.demo:
            root.add_widget(DemoMark())
        self.overlay = IdleOverlay()
        Window.bind(on_touch_down=self._on_any_touch, on_key_down=self._on_key_down,
                    on_textinput=self._on_textinput, on_request_close=self._on_request_close)
        self.controller.subscribe(self._on_flow_change, self._on_wipe)
        # Every path into the UI thread ends in the failsafe (see screens/failsafe.py).
        if hasattr(self.controller.dispatcher, "on_error"):
            self.controller.dispatcher.on_error = self.failsafe.handle
        self.controller.on_error = self.failsafe.handle
        redactor = active_redactor()
        if redactor is not None:  # logging set up (python -m kiosk run): it learns the session's words
            self.controller.remember_personal = redactor.remember
        return root

    def on_start(self) -> None:
        self.failsafe.install()
        if fullscreen_wanted(self.kiosk.config):
            Window.borderless = True
            Window.fullscreen = "auto"
        self.controller.start()
        self._watchdog = attach_watchdog(Clock.schedule_interval)  # systemd: READY, WATCHDOG pings
        self._tick_ev = Clock.schedule_interval(self.failsafe.guard("clock", self._tick), 0.25)
        self._check_ev = Clock.schedule_interval(self.failsafe.guard("device check", self._check),
                                                 self.kiosk.config["kiosk.device_check_s"])
        self._on_flow_change(self.controller.flow)
        Clock.schedule_once(self._prewarm_screens, 0.5)

    def _tick(self, _dt: float = 0) -> None:
        self.controller.tick()
        link = self.kiosk.centre
        self.offline_bar.offline = link is not None and link.issuer.online is False

    def _check(self, _dt: float = 0) -> None:
        required = tuple(self.kiosk.config["kiosk.required_devices"])
        if required:
            self.controller.check_devices(required, self.kiosk.devices.all())

    def _fault(self, where: str) -> None:
        """The failsafe's report: out of service (once; it returns to attract by itself)."""
        if self.controller.flow.state != State.OUT_OF_SERVICE:
            Clock.schedule_once(lambda _dt: self.controller.send(f.Fault(where.split(":")[0])), 0)

    # Kivy's settings panel (F1) would let anyone edit Kivy's configuration: never.
    def open_settings(self, *_a: Any) -> bool:
        return False

    def _on_keyboard_settings(self, *_a: Any) -> bool:
        return False

    def _on_request_close(self, *_a: Any, **_kw: Any) -> bool:
        """Alt+F4 and the window's close request: refused unless maintenance allowed it."""
        return not self.allow_exit

    def screen_for(self, state: State) -> KioskScreen:
        """The screen of ``state``, created on first use."""
        screen = self.screens.get(state)
        if screen is None:
            screen = SCREENS[state](name=state.value)
            self.screens[state] = screen
            self.sm.add_widget(screen)
        return screen

    def _prewarm_screens(self, _dt: float = 0) -> None:
        """Create one missing screen per frame, so start-up and the first tap stay quick."""
        if App.get_running_app() is not self:  # stopped meanwhile (tests drive several apps)
            return
        missing = [s for s in SCREENS if s not in self.screens]
        if missing:
            self.screen_for(missing[0])
            Clock.schedule_once(self._prewarm_screens, 0)

    def on_stop(self) -> None:
        self.failsafe.uninstall()
        if getattr(self, "_watchdog", None) is not None:
            self._watchdog.stop()
        for ev in (self._tick_ev, self._check_ev):
            if ev is not None:
                ev.cancel()
        if self.maintenance is not None:
            self.maintenance.shutdown()
        Window.unbind(size=self._rescale, on_touch_down=self._on_any_touch,
                      on_key_down=self._on_key_down, on_textinput=self._on_textinput,
                      on_request_close=self._on_request_close)

    def _rescale(self, *_a: Any) -> None:
        self.s = Window.width / DESIGN_WIDTH
        self.ts = self.s * (self._large_scale if self.large_text else 1.0)

    def _dev_panel_enabled(self) -> bool:
        mode = self.kiosk.config["ui.developer_panel"]
        return mode == "on" or (mode == "auto" and self.kiosk.demo)

    def _build_dev_panel(self) -> DevPanel:
        panel = DevPanel()
        reader = self.kiosk.devices.card_reader
        for i, pid in enumerate(sorted(getattr(reader, "profiles", {}) or self._profile_ids())):
            btn = KButton(text=f"F{i + 1} {pid.split('_')[-1]}", font_px=22, fixed_text=True)
            btn.size_hint_y = 1  # the kv rule's value yields to this
            btn.bind(on_release=lambda _b, p=pid: self.dev_tap(p))
            panel.add_widget(btn)
        extra = [("F5 rút thẻ", self.dev_remove), ("F6 QR thẻ", self.dev_card_qr)]
        if self.kiosk.demo_codes is not None:   # an embedded demo centre: its booking and dossier
            extra += [("F7 QR hẹn", self.dev_booking_qr), ("F8 QR hồ sơ", self.dev_dossier_qr)]
        for label, fn in extra:
            btn = KButton(text=label, font_px=22, fixed_text=True)
            btn.size_hint_y = 1  # the kv rule's value yields to this
            btn.bind(on_release=lambda _b, fn=fn: fn())
            panel.add_widget(btn)
        return panel

    def _profile_ids(self) -> list[str]:
        from hardware.sim_card_reader import load_profiles
        from kiosk.bootstrap import resolve_path

        folder = resolve_path(self.kiosk.config["devices.card_reader.profiles_dir"])
        return list(load_profiles(folder)) if folder.is_dir() else []

    # -- developer panel actions (simulated devices only) ------------------------------
    def dev_tap(self, profile_id: str) -> None:
        reader = self.kiosk.devices.card_reader
        if hasattr(reader, "tap"):
            reader.tap(profile_id)

    def dev_remove(self) -> None:
        reader = self.kiosk.devices.card_reader
        if hasattr(reader, "remove"):
            reader.remove()

    def dev_card_qr(self) -> None:
        """Scan the QR printed on the demo card that lies on (or last lay on) the reader."""
        from kiosk.identity import make_card_qr_payload

        reader = self.kiosk.devices.card_reader
        profile = getattr(reader, "current_profile", None)
        if profile is None and getattr(reader, "profiles", None):
            profile = next(iter(reader.profiles.values()))
        if profile is not None:
            self._dev_scan(make_card_qr_payload(profile.citizen))

    def dev_booking_qr(self) -> None:
        """Scan the QR of today's demo booking (the embedded demo centre's)."""
        self._dev_scan(self.kiosk.demo_codes.booking)

    def dev_dossier_qr(self) -> None:
        """Scan the QR on a demo application's receipt (CC02)."""
        self._dev_scan(self.kiosk.demo_codes.dossier)

    def _dev_scan(self, text: str) -> None:
        scanner = self.kiosk.devices.qr_scanner
        if hasattr(scanner, "inject"):
            scanner.inject(text)

    def _wedge_scanner(self) -> Any:
        """The keyboard-wedge QR scanner when ``devices.qr_scanner.backend = "keyboard"``."""
        scanner = self.kiosk.devices.qr_scanner
        return scanner if getattr(scanner, "backend", "") == "keyboard" else None

    def _on_textinput(self, _win: Any, text: str) -> None:
        # A keyboard-wedge scanner types its payload: the scanner tells scans from keys.
        scanner = self._wedge_scanner()
        if scanner is not None:
            scanner.feed_text(text)

    def _on_key_down(self, _win: Any, key: int, _scancode: int, _text: str, _mods: Any) -> bool:
        scanner = self._wedge_scanner()
        if scanner is not None:  # Enter ends a scan; Backspace, arrows, F-keys drop one
            scanner.feed_key(key, _text, tuple(_mods or ()))
        dev = self._dev_panel_enabled()
        dev_keys = (6 if self.kiosk.demo_codes is None else 8) if dev else 0
        if swallow_key(key, tuple(_mods or ()), dev_fkeys=dev_keys,
                       maintenance_open=self.maintenance is not None and self.maintenance.is_open):
            return True  # Escape, F-keys, Alt/Ctrl chords: nothing behind the kiosk opens
        if not dev:
            return False
        ids = sorted(getattr(self.kiosk.devices.card_reader, "profiles", {}))
        fkeys = {282 + i: i for i in range(12)}  # SDL: F1 = 282
        if key in fkeys:
            n = fkeys[key]
            if n < min(4, len(ids)):
                self.dev_tap(ids[n])
            elif n == 4:
                self.dev_remove()
            elif n == 5:
                self.dev_card_qr()
            elif n in (6, 7) and self.kiosk.demo_codes is not None:
                (self.dev_booking_qr if n == 6 else self.dev_dossier_qr)()
            return True
        return False

    # -- events from the view ----------------------------------------------------------
    def send(self, event: object) -> None:
        self.controller.send(event)

    def _on_any_touch(self, *_a: Any) -> bool:
        self.controller.send(f.UserActivity())
        return False

    def set_language(self, language: str) -> None:
        self.send(f.SetLanguage(language))

    def toggle_large_text(self) -> None:
        self.send(f.ToggleLargeText())

    def keep_alive(self) -> None:
        self.send(f.UserActivity())

    def cancel(self) -> None:
        self.send(f.Cancel())

    # -- flow -> view ------------------------------------------------------------------
    def _on_flow_change(self, flow: Flow) -> None:
        if self.maintenance is not None and self.maintenance.is_open:
            return  # staff at work; closing maintenance shows the flow's screen again
        sess = flow.session
        if sess.language != self.language:
            self.language = sess.language
            self.tr.switch(sess.language)
        if sess.large_text != self.large_text:
            self.large_text = sess.large_text
            self._rescale()
        screen = self.screen_for(flow.state)
        if self.sm.current != flow.state.value:
            self.sm.current = flow.state.value
        try:
            screen.update(flow)
        except Exception as exc:  # a view bug must not take the kiosk down: failsafe
            self.failsafe.handle("view", exc)
        self._update_overlays(flow)

    def _update_overlays(self, flow: Flow) -> None:
        remaining = flow.idle_warning_remaining
        root = self.root
        if remaining is not None:
            self.overlay.seconds = int(remaining + 0.999)
            if self.overlay.parent is None:
                root.add_widget(self.overlay)
        elif self.overlay.parent is not None:
            root.remove_widget(self.overlay)
        grace = flow.card_removal_remaining
        if grace is not None and flow.state in (State.CONFIRM, State.SERVICE):
            self.banner.text = self.tr._(
                "Your card was taken off the reader. Put it back within {seconds} seconds to continue."
            ).format(seconds=int(grace + 0.999))
        else:
            self.banner.text = ""

    def _on_wipe(self) -> None:
        for screen in self.screens.values():
            screen.reset()

    def render_ticket_preview(self, ticket: Any, language: str) -> Any:
        """The printed ticket as an image, for the on-screen preview."""
        from hardware.ticket_layout import render_ticket
        from kiosk.ticketing import ticket_job

        job = ticket_job(ticket, language=language, centre_name=self.centre_name)
        return render_ticket(job, self.kiosk.config["devices.printer.paper_mm"])
