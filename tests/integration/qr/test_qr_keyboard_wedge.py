"""Keyboard-wedge scanner: assembling payloads from keys, timing, stray keys, mangling.

The assembler is tested with explicit timestamps (deterministic); the device with its
worker thread, a controllable clock, and the real parser for mangled Vietnamese.
"""
from __future__ import annotations

import threading
from datetime import date

import pytest

from hardware.keyboard_qr_scanner import KeyboardQrScanner, WedgeAssembler
from hardware.qr_scanner import QrScanned
from hardware.registry import create_device
from kiosk.identity import CardQr, ScannerMangledText, parse_payload

CARD = "001093047064||Nguyễn Văn An|05011993|Nam|Xã Ân Hảo, Huyện Hoài Ân, Bình Định|10082021"


def typed(a: WedgeAssembler, text: str, t0: float, gap: float) -> float:
    t = t0
    for ch in text:
        a.feed_char(ch, t)
        t += gap
    return t


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# -- assembler ------------------------------------------------------------------------
def test_scanner_speed_burst_with_enter_is_a_payload():
    a = WedgeAssembler()
    t = typed(a, CARD, 0.0, 0.004)
    assert a.terminate(t) == CARD
    assert not a.pending


def test_person_typing_is_not_a_payload():
    a = WedgeAssembler()
    t = typed(a, "AB12CD34", 0.0, 0.15)
    assert a.terminate(t) is None
    # each slow key after a long pause restarts the buffer; what is left is dropped
    assert a.rejected["stale"] + a.rejected["human_typing"] + a.rejected["too_short"] >= 1


def test_moderately_slow_typing_is_rejected_by_median_gap():
    a = WedgeAssembler(max_key_gap_s=0.05, reset_after_s=0.5)
    t = typed(a, "AB12CD34EF", 0.0, 0.12)   # 120 ms per key: a fast typist
    assert a.terminate(t) is None and a.rejected["human_typing"] == 1


def test_one_stall_inside_a_burst_is_tolerated():
    a = WedgeAssembler()
    t = typed(a, CARD[:40], 0.0, 0.003)
    t = typed(a, CARD[40:], t + 0.2, 0.003)   # the UI thread stalled 200 ms
    assert a.terminate(t) == CARD


def test_stray_keys_before_a_scan_are_dropped_by_the_pause():
    a = WedgeAssembler()
    typed(a, "xx", 0.0, 0.2)                 # someone pokes the keyboard
    t = typed(a, CARD, 3.0, 0.004)           # the scan comes later
    assert a.terminate(t) == CARD


def test_control_key_mid_burst_drops_it():
    a = WedgeAssembler()
    t = typed(a, CARD[:20], 0.0, 0.004)
    a.stray(t)
    t = typed(a, CARD[20:], t, 0.004)
    assert a.terminate(t) is None            # the rest of the burst is dropped too
    t = typed(a, CARD, t + 1.0, 0.004)       # the next, clean scan works
    assert a.terminate(t) == CARD


def test_enter_long_after_the_burst_is_stale():
    a = WedgeAssembler()
    t = typed(a, CARD, 0.0, 0.004)
    assert a.terminate(t + 2.0) is None and a.rejected["stale"] == 1


def test_too_short_burst_is_ignored():
    a = WedgeAssembler(min_length=4)
    t = typed(a, "ab", 0.0, 0.004)
    assert a.terminate(t) is None and a.rejected["too_short"] == 1


def test_idle_completion_for_scanners_without_suffix():
    a = WedgeAssembler(idle_complete_s=0.15)
    t = typed(a, CARD, 0.0, 0.004)
    assert a.poll(t + 0.05) is None
    assert a.poll(t + 0.2) == CARD


def test_without_idle_completion_poll_only_drops_stale_keys():
    a = WedgeAssembler()
    t = typed(a, CARD, 0.0, 0.004)
    assert a.poll(t + 0.1) is None and a.pending
    assert a.poll(t + 1.0) is None and not a.pending


# -- device ---------------------------------------------------------------------------
@pytest.fixture
def scanner():
    clock = Clock()
    dev = KeyboardQrScanner(clock=clock)
    dev.clock = clock
    events: list[QrScanned] = []
    got = threading.Event()

    def on(ev: QrScanned) -> None:
        events.append(ev)
        got.set()

    dev.add_listener(on)
    dev.events, dev.got = events, got
    dev.open()
    yield dev
    dev.close()


def feed_burst(dev: KeyboardQrScanner, text: str, gap: float = 0.004) -> None:
    for ch in text:
        dev.feed_text(ch, timestamp=dev.clock.now)
        dev.clock.now += gap


def test_device_emits_on_enter_key_on_its_worker_thread(scanner):
    names = []
    scanner.add_listener(lambda ev: names.append(threading.current_thread().name))
    feed_burst(scanner, CARD)
    scanner.feed_key(13, timestamp=scanner.clock.now)
    assert scanner.got.wait(2)
    (ev,) = scanner.events
    assert ev.text == CARD and ev.source == "keyboard" and ev.raw == CARD.encode("utf-8")
    assert names == ["keyboard-qr"]
    assert isinstance(parse_payload(ev.text, source=ev.source, today=date(2025, 6, 1)), CardQr)


def test_device_text_with_newline_terminates(scanner):
    scanner.feed_text("AB12CD34EF\r", timestamp=scanner.clock.now)  # one batched textinput
    assert scanner.got.wait(2) and scanner.events[0].text == "AB12CD34EF"


def test_printable_and_modifier_keys_are_not_double_counted(scanner):
    for ch in "AB12CD34EF":
        scanner.feed_key(304, None, timestamp=scanner.clock.now)         # Shift
        scanner.feed_key(ord(ch.lower()), ch, timestamp=scanner.clock.now)  # key_down
        scanner.feed_text(ch, timestamp=scanner.clock.now)               # textinput
        scanner.clock.now += 0.004
    scanner.feed_key("enter", timestamp=scanner.clock.now)
    assert scanner.got.wait(2) and scanner.events[0].text == "AB12CD34EF"


def test_backspace_or_ctrl_chord_drops_the_partial_scan(scanner):
    feed_burst(scanner, "AB12C")
    scanner.feed_key(8, timestamp=scanner.clock.now)                  # Backspace
    feed_burst(scanner, "D34EF")
    scanner.feed_key(13, timestamp=scanner.clock.now)
    feed_burst(scanner, "AB12C")
    scanner.feed_key(99, "c", ["ctrl"], timestamp=scanner.clock.now)  # Ctrl+C
    feed_burst(scanner, "D34EF")
    scanner.feed_key(13, timestamp=scanner.clock.now)
    assert scanner.wait_idle()
    assert scanner.events == []
    assert scanner.status().extra["rejected"]["stray_key"] == 2


def test_human_typing_into_the_kiosk_emits_nothing(scanner):
    feed_burst(scanner, "AB12CD34EF", gap=0.18)
    scanner.feed_key(13, timestamp=scanner.clock.now)
    assert scanner.wait_idle()
    assert scanner.events == []


def test_mangled_vietnamese_from_the_wedge_is_explained(scanner):
    mojibake = CARD.encode("utf-8").decode("cp1252", errors="replace")
    feed_burst(scanner, mojibake)
    scanner.feed_key(13, timestamp=scanner.clock.now)
    assert scanner.got.wait(2)
    ev = scanner.events[0]
    with pytest.raises(ScannerMangledText) as e:
        parse_payload(ev.text, source=ev.source, today=date(2025, 6, 1))
    assert e.value.message("en") == "The scanner mangled the Vietnamese text in the QR code."
    assert e.value.next_step_message("en") == "Please hold the QR code in front of the camera instead."
    assert e.value.message("vi") == "Máy quét đã làm sai chữ tiếng Việt trong mã QR."


def test_registry_builds_keyboard_backend_from_config_options():
    dev = create_device("qr_scanner", "keyboard", {"max_key_gap_ms": 30.0, "min_length": 6,
                                                  "scan_fps": 5.0})
    assert isinstance(dev, KeyboardQrScanner)
    assert dev._assembler.max_key_gap_s == pytest.approx(0.03) and dev._assembler.min_length == 6


def test_keys_fed_while_closed_are_ignored():
    dev = KeyboardQrScanner()
    dev.feed_text("AB12CD34EF\r")
    dev.open()
    try:
        assert dev.wait_idle()
        assert dev.status().extra["codes_reported"] == 0
    finally:
        dev.close()
