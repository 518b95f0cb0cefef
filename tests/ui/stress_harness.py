"""Seeded random-input stress run of the offscreen kiosk (issue 12).

Random taps on whatever is on screen, random points, keys (Escape, F-keys, Alt chords,
Enter), demo cards on and off at any moment, card QR payloads good and bad, booking and
receipt codes, printer faults, idle gaps of the flow's clock, language switches and
garbage collection. After every step it asserts:

- the app is alive: nothing escaped the event loop and the failsafe caught nothing;
- the screen shown is the flow state's screen;
- the timeouts fire: after a long idle gap the kiosk is back at the attract screen (or out
  of service, and back after the out-of-service time);
- no personal data of any demo citizen is in any widget once the session was wiped;
- every ticket shown with its print outcome is in the ticket log exactly once, with that
  outcome.

At the end no log line contains personal data. ``run_stress(seed, steps)`` is used by the
CI test (bounded) and by ``scripts/stress_kiosk.py`` (long runs).
"""
from __future__ import annotations

import gc
import random
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from kivy.core.window import Window
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

from hardware.printer import CoverOpen, PaperOut, PrinterOffline
from kiosk import flow as f
from kiosk.flow import State

KEYS = [(27, []), (282, []), (283, []), (285, ["alt"]), (9, ["alt"]), (13, []), (9, []),
        (ord("q"), ["ctrl"]), (ord("a"), []), (309, [])]
BAD_QR = ["", "hello", "x" * 3000, "001090012345", "001090012345|", "||||||",
          "https://example.com/?code=ABCD1234XY", "G01.123-240101-0001", "ABCD1234EF",
          "999999999999|123|Nobody|01011990|Nam|Nowhere|01012021", "\x00\x01binary"]
STATUS_CODES = ["G01.123.456.789", "NOPE", "G01.1-240101-0001", ""]


class StressFailure(AssertionError):
    """An invariant broke; the message names the seed and step to replay."""


@dataclass
class StressReport:
    seed: int
    steps: int = 0
    tickets_shown: int = 0
    wipes: int = 0
    states: dict[str, int] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)


def personal_strings(reader: Any) -> list[str]:
    """What identifies the demo citizens (never on screen after a wipe, never in a log)."""
    out = []
    for profile in reader.profiles.values():
        c = profile.citizen
        out += [c.full_name, c.id_number, c.old_id_number, c.place_of_residence,
                c.place_of_origin, c.father_name, c.mother_name, c.identifying_marks]
        if c.date_of_birth:
            out.append(c.date_of_birth.strftime("%d/%m/%Y"))
    return [s for s in out if s and len(s) >= 6]


class Stress:
    """One seeded run against a started kiosk (``ui``: a :class:`screens.driver.UiDriver`
    whose controller uses ``clock``, a clock the run may move forward)."""

    def __init__(self, ui: Any, clock: Any, seed: int) -> None:
        self.ui, self.clock, self.rng = ui, clock, random.Random(seed)
        self.app = ui.app
        self.ctl = ui.app.controller
        self.reader = ui.app.kiosk.devices.card_reader
        self.printer = ui.app.kiosk.devices.printer
        self.scanner = ui.app.kiosk.devices.qr_scanner
        self.report = StressReport(seed)
        self.secrets = personal_strings(self.reader)
        self.shown: dict[str, str] = {}   # ticket number -> print outcome the screen said
        self.wiped = False
        self.ctl.subscribe(lambda _f: None, self._on_wipe)
        self.actions: list[Callable[[], None]] = [
            self.tap_button, self.tap_button, self.tap_primary, self.tap_primary,
            self.tap_primary,
            self.tap_point, self.key, self.card_on, self.card_off, self.qr_good, self.qr_bad,
            self.type_id, self.printer_fault, self.idle_gap, self.language, self.collect,
            self.status_code]

    def _on_wipe(self) -> None:
        self.wiped = True
        self.report.wipes += 1

    def fail(self, what: str) -> None:
        raise StressFailure(f"seed {self.report.seed} step {self.report.steps}: {what}")

    # -- actions ---------------------------------------------------------------------
    def _loop(self, fn: Callable[[], Any]) -> None:
        """Input as the main loop delivers it (older drivers: straight, for 'before' runs)."""
        getattr(self.ui, "as_mainloop", lambda g: g())(fn)

    def _buttons(self) -> list[Any]:
        found = []
        for w in self.app.root.walk():
            if isinstance(w, ButtonBehavior) and not w.disabled and w.opacity > 0 \
                    and w.width > 2 and w.height > 2 and w.get_root_window() is not None:
                x, y = w.to_window(*w.center)
                if 0 <= x < Window.width and 0 <= y < Window.height:
                    found.append(w)
        return found

    def tap_button(self) -> None:
        buttons = self._buttons()
        if buttons:
            self.ui.tap(self.rng.choice(buttons))

    def tap_primary(self) -> None:
        """A citizen who follows the main button (or picks a service): the run gets far."""
        buttons = [b for b in self._buttons() if getattr(b, "primary", False)
                   or getattr(b, "service_code", "")]
        if buttons:
            self.ui.tap(self.rng.choice(buttons))

    def tap_point(self) -> None:
        from kivy.tests.common import UnitTestTouch

        t = UnitTestTouch(self.rng.uniform(0, Window.width), self.rng.uniform(0, Window.height))
        self._loop(t.touch_down)
        self._loop(t.touch_up)

    def key(self) -> None:
        key, mods = self.rng.choice(KEYS)
        self._loop(lambda: Window.dispatch("on_key_down", key, 0, None, mods))
        self._loop(lambda: Window.dispatch("on_keyboard", key, 0, None, mods))

    def card_on(self) -> None:
        self.reader.tap(self.rng.choice(sorted(self.reader.profiles)))

    def card_off(self) -> None:
        self.reader.remove()

    def qr_good(self) -> None:
        from kiosk.identity import make_card_qr_payload

        profile = self.reader.current_profile if self.rng.random() < 0.7 else None
        profile = profile or self.reader.profiles[self.rng.choice(sorted(self.reader.profiles))]
        self.scanner.inject(make_card_qr_payload(profile.citizen))

    def qr_bad(self) -> None:
        self.scanner.inject(self.rng.choice(BAD_QR))

    def type_id(self) -> None:
        keypad = getattr(self.ui.screen, "keypad", None)
        if keypad is None:
            return
        profile = self.reader.current_profile
        digits = profile.citizen.id_number if profile and self.rng.random() < 0.7 \
            else "".join(self.rng.choice("0123456789") for _ in range(12))
        keys = {b.key: b for b in keypad.children}
        for d in digits:
            if d in keys:
                self.ui.tap(keys[d])
        submit = self.ui.screen.ids.get("btn_submit")
        if submit is not None and not submit.disabled:
            self.ui.tap(submit)

    def printer_fault(self) -> None:
        self.printer.fault = self.rng.choice([None, None, PaperOut("out"), CoverOpen("open"),
                                              PrinterOffline("off")])

    def idle_gap(self) -> None:
        if self.rng.random() < 0.25:
            self.long_idle()
        else:
            self.clock.advance(self.rng.choice([1, 5, 16, 31, 61]))

    def long_idle(self) -> None:
        """Nobody touches anything: every timeout must bring the kiosk back."""
        self.reader.remove()
        self.printer.fault = None
        self.ui.pump(0.3)
        t = self.ctl.flow.timeouts
        for gap in (t.read + 1, t.idle + 1, t.idle_warning + 1, t.ticket_screen + 1,
                    t.ticket_screen + 1, t.done_screen + 1, t.identify + 1, t.out_of_service + 1):
            self.clock.advance(gap)
            self.ui.pump(0.6, lambda: self.ctl.flow.state == State.ATTRACT)
        state = self.ctl.flow.state
        if state == State.OUT_OF_SERVICE and getattr(self.ctl.flow, "missing_devices", ()):
            return  # a device check saw a fault; it comes back with the device
        if state != State.ATTRACT:
            self.fail(f"timeouts did not return to the attract screen: {state.value}")

    def language(self) -> None:
        self.app.set_language(self.rng.choice(["vi", "en"]))

    def collect(self) -> None:
        gc.collect()

    def status_code(self) -> None:
        if self.ctl.flow.state == State.STATUS:
            self.ctl.send(f.StatusQuery(self.rng.choice(STATUS_CODES)))

    # -- invariants ------------------------------------------------------------------
    def check(self) -> None:
        flow = self.ctl.flow
        failsafe = getattr(self.app, "failsafe", None)
        if failsafe is not None and failsafe.count:
            self.fail(f"the failsafe caught an error in {failsafe.last_where}")
        if not self.ui.pump(1.0, lambda: self.app.sm.current == self.ctl.flow.state.value):
            self.fail(f"screen {self.app.sm.current} for state {flow.state.value}")
        if not self.app._tick_ev.is_triggered:  # a callback that raised is cancelled by Kivy
            self.fail("the flow's clock stopped")
        sess = flow.session
        if sess.ticket is not None and flow.state == State.TICKET and (sess.printed or sess.print_error):
            self.shown[sess.ticket.number] = "printed" if sess.printed else "failed:" + sess.print_error
        if self.wiped and not sess.holds_personal_data():
            texts = "\n".join(w.text for s in self.app.sm.screens for w in s.walk()
                              if isinstance(w, Label))
            texts += "\n".join(w.text for w in self.app.root.walk() if isinstance(w, Label))
            leaked = [s for s in self.secrets if s in texts]
            if leaked:
                self.fail(f"personal data on screen after a wipe ({len(leaked)} values)")
            self.wiped = False

    def check_tickets(self, db: Path) -> None:
        """Every ticket shown is in the log once, with the outcome the screen said."""
        self.ui.pump(1.0)  # print outcomes recorded by the worker
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT number, print_state FROM ticket").fetchall()
        states: dict[str, list[str]] = {}
        for number, state in rows:
            states.setdefault(number, []).append(state)
        for number, said in self.shown.items():
            if len(states.get(number, [])) != 1:
                self.fail(f"ticket {number} is {len(states.get(number, []))} times in the log")
            if states[number][0] != said:
                self.fail(f"ticket {number}: screen said {said}, log says {states[number][0]}")
        self.report.tickets_shown = len(self.shown)

    def run(self, steps: int) -> StressReport:
        self.ui.pump(0.5)
        for _ in range(steps):
            self.report.steps += 1
            action = self.rng.choice(self.actions)
            self.report.actions[action.__name__] = self.report.actions.get(action.__name__, 0) + 1
            action()
            self.ui.pump(self.rng.choice([0.02, 0.05, 0.1]))
            self.check()
            state = self.ctl.flow.state.value
            self.report.states[state] = self.report.states.get(state, 0) + 1
        self.long_idle()
        self.check()
        return self.report


def log_leaks(data_dir: Path, secrets: list[str]) -> list[str]:
    """Personal values found in any file under ``data_dir`` outside SQLite stores
    (logs, audit, crash reports, counters)."""
    found = []
    for path in Path(data_dir).rglob("*"):
        if path.is_file() and not path.name.endswith((".sqlite3", ".sqlite3-wal", ".sqlite3-shm")):
            text = path.read_bytes().decode("utf-8", "replace")
            found += [f"{path.name}: value #{i}" for i, s in enumerate(secrets) if s in text]
    return found
