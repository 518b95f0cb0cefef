"""QR scanner backend for keyboard-wedge (USB HID) 2D scanners.

Such a scanner "types" the payload and then Enter (or Tab). The UI forwards the Kivy
window's keyboard input here: ``on_textinput`` text to :meth:`KeyboardQrScanner.feed_text`
and ``on_key_down`` to :meth:`KeyboardQrScanner.feed_key` (printable keys are ignored
there, they arrive as text). Telling a scan from other key presses relies on timing: a
scanner types a burst (a few ms per key); a person types ~100 ms or more per key. Keys a
scanner never sends (Backspace, Escape, arrows, F-keys) drop the partial payload.

The scanner cannot know whether the host keyboard settings mangled Vietnamese text (the
bytes are gone); :func:`kiosk.identity.parse_payload` recognises the damage from
``source="keyboard"`` and tells the citizen to use the camera.
"""
from __future__ import annotations

import logging
import queue
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from hardware.base import DeviceState, DeviceStatus
from hardware.qr_scanner import QrScanned, QrScanner

log = logging.getLogger(__name__)

# Kivy keycodes (kivy.core.window.Keyboard.keycodes) and names.
_TERMINATOR_KEYS = {13, 271, 9, "enter", "return", "numpadenter", "tab"}
_MODIFIER_KEYS = {300, 301, 302, 303, 304, 305, 306, 307, 308, 309, 310, 311, 312, 313,
                  "shift", "lshift", "rshift", "ctrl", "lctrl", "rctrl", "alt", "ralt",
                  "lalt", "alt-gr", "capslock", "numlock", "scrolllock", "super", "meta",
                  "compose"}
_STRAY_KEYS = {8, 27, 127, 273, 274, 275, 276, 277, 278, 279, 280, 281,
               "backspace", "escape", "delete", "up", "down", "left", "right", "insert",
               "home", "end", "pageup", "pagedown"} | set(range(282, 297))  # F1-F15


@dataclass
class WedgeAssembler:
    """Pure state machine: characters and terminators in (with timestamps), payloads out.

    ``max_key_gap_s``: a scanner's keys come faster than this (median over the burst).
    ``reset_after_s``: a pause this long before the next key means the keys so far were
    not part of a scan (a person, a stray press): they are dropped.
    ``min_length``: shorter bursts are stray keys. ``idle_complete_s`` > 0 completes a
    scanner-like burst without a terminator (scanners configured with no suffix).
    ``rejected`` counts why bursts were dropped (for diagnostics; no content kept).
    """

    max_key_gap_s: float = 0.05
    reset_after_s: float = 0.5
    min_length: int = 4
    max_length: int = 8192
    idle_complete_s: float = 0.0
    rejected: Counter[str] = field(default_factory=Counter)
    _chars: list[str] = field(default_factory=list)
    _times: list[float] = field(default_factory=list)
    # After a stray key, the rest of that burst is dropped too (until a pause or Enter).
    _poisoned_at: float | None = None

    @property
    def pending(self) -> bool:
        return bool(self._chars)

    def _drop(self, reason: str) -> None:
        if self._chars:
            self.rejected[reason] += 1
        self._chars, self._times = [], []

    def forget(self) -> None:
        """Drop the partial payload without counting it (a wipe, not a rejected scan)."""
        self._chars, self._times = [], []
        self._poisoned_at = None

    def feed_char(self, ch: str, t: float) -> None:
        """One typed character at time ``t`` (seconds, monotonic)."""
        if self._poisoned_at is not None:
            if t - self._poisoned_at <= self.reset_after_s:
                self._poisoned_at = t  # still the same burst: keep dropping
                return
            self._poisoned_at = None
        if self._times and t - self._times[-1] > self.reset_after_s:
            self._drop("stale")
        if len(self._chars) >= self.max_length:
            self._drop("too_long")
            return
        self._chars.append(ch)
        self._times.append(t)

    def stray(self, t: float) -> None:
        """A key a scanner never sends: whatever was typed, and the rest of this burst,
        is not a scan."""
        self._drop("stray_key")
        self._poisoned_at = t

    def terminate(self, t: float) -> str | None:
        """Enter/Tab at time ``t``: the payload if the burst looks like a scan, else None."""
        self._poisoned_at = None
        if not self._chars:
            return None
        if t - self._times[-1] > self.reset_after_s:
            self._drop("stale")
            return None
        return self._complete(self._times + [t])

    def poll(self, now: float) -> str | None:
        """Call periodically: completes a suffix-less scan, or drops stale keys."""
        if not self._chars:
            return None
        idle = now - self._times[-1]
        if self.idle_complete_s > 0 and idle >= self.idle_complete_s:
            return self._complete(self._times)
        if idle > max(self.reset_after_s, self.idle_complete_s):
            self._drop("stale")
        return None

    def _complete(self, times: list[float]) -> str | None:
        text = "".join(self._chars)
        if len(text) < self.min_length:
            self._drop("too_short")
            return None
        gaps = [b - a for a, b in zip(times, times[1:])]
        if gaps and statistics.median(gaps) > self.max_key_gap_s:
            self._drop("human_typing")
            return None
        self._chars, self._times = [], []
        return text


class KeyboardQrScanner(QrScanner):
    """Keyboard-wedge scanner fed by the UI; emits :class:`QrScanned` (source "keyboard")
    on its own worker thread, like every other device."""

    backend = "keyboard"

    def __init__(self, max_key_gap_ms: float = 50.0, reset_after_ms: float = 500.0,
                 min_length: int = 4, idle_complete_ms: float = 0.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._assembler = WedgeAssembler(max_key_gap_s=max_key_gap_ms / 1000.0,
                                         reset_after_s=reset_after_ms / 1000.0,
                                         min_length=min_length,
                                         idle_complete_s=idle_complete_ms / 1000.0)
        self._clock = clock
        self._queue: queue.Queue[tuple[str, object, float]] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.codes_reported = 0

    # -- input from the UI thread -----------------------------------------------
    def feed_text(self, text: str, timestamp: float | None = None) -> None:
        """Characters as delivered by Kivy's ``on_textinput`` (CR, LF, Tab terminate).
        Ignored while the scanner is closed."""
        if not self._open:
            return
        t = self._clock() if timestamp is None else timestamp
        for ch in text:
            kind = "end" if ch in "\r\n\t" else "char"
            self._queue.put((kind, ch, t))

    def feed_key(self, key: int | str, codepoint: str | None = None,
                 modifiers: tuple[str, ...] | list[str] = (),
                 timestamp: float | None = None) -> None:
        """A key press as delivered by Kivy's ``on_key_down`` (keycode or key name).

        Printable keys (``codepoint`` set, no Ctrl/Alt) are ignored: their text comes
        through :meth:`feed_text`. Enter/Tab terminate; modifier keys are ignored
        (scanners press Shift for capitals); Backspace, Escape, arrows, F-keys and
        Ctrl/Alt chords drop the partial payload.
        """
        if not self._open:
            return
        t = self._clock() if timestamp is None else timestamp
        name = key.lower() if isinstance(key, str) else key
        chord = any(m in ("ctrl", "alt", "meta", "super") for m in modifiers)
        if name in _TERMINATOR_KEYS:
            self._queue.put(("end", "", t))
        elif name in _MODIFIER_KEYS:
            return
        elif codepoint and not chord:
            return
        elif chord or name in _STRAY_KEYS:
            self._queue.put(("stray", "", t))

    # -- life cycle -------------------------------------------------------------
    def open(self) -> None:
        if self._open:
            return
        self._open = True
        self._thread = threading.Thread(target=self._run, name="keyboard-qr", daemon=True)
        self._thread.start()

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(("close", "", 0.0))
            self._thread.join(timeout=2)
        self._thread = None
        self._open = False

    def status(self) -> DeviceStatus:
        if not self._open:
            return DeviceStatus(DeviceState.CLOSED, "closed")
        return DeviceStatus(DeviceState.READY, "waiting for scanner keystrokes",
                            {"codes_reported": self.codes_reported,
                             "rejected": dict(self._assembler.rejected)})

    def reset(self) -> None:
        """Forget any partly typed payload (session wiped): queued after the keys fed so
        far, so nothing typed before the wipe can complete after it."""
        if self._open:
            self._queue.put(("reset", "", 0.0))
        else:
            self._assembler.forget()

    def wait_idle(self, timeout: float = 2.0) -> bool:
        """Block until every key fed so far has been processed (tests, diagnostics)."""
        done = threading.Event()
        self._queue.put(("sync", done, 0.0))
        return done.wait(timeout)

    def _run(self) -> None:
        a = self._assembler
        while True:
            try:
                kind, value, t = self._queue.get(timeout=0.05)
            except queue.Empty:
                self._deliver(a.poll(self._clock()))
                continue
            if kind == "close":
                return
            if kind == "sync":
                assert isinstance(value, threading.Event)
                value.set()
            elif kind == "char":
                a.feed_char(str(value), t)
            elif kind == "end":
                self._deliver(a.terminate(t))
            elif kind == "stray":
                a.stray(t)
            elif kind == "reset":
                a.forget()

    def _deliver(self, text: str | None) -> None:
        if text is None:
            return
        self.codes_reported += 1
        # The host already turned key presses into text; raw is its UTF-8 form.
        self._emit(QrScanned(text=text, raw=text.encode("utf-8", "surrogatepass"),
                             source="keyboard"))
