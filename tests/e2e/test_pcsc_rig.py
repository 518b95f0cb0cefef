"""The PC/SC rig itself, with a tiny chip: pyscard -> pcscd -> vpcd -> our socket client.

Proves the transport layer (bytes in both directions, ATR, power control, card pulled
mid-command, reinsertion, reader and service going away) and the reader's insert/remove
events, independently of the eMRTD protocol.
"""
from __future__ import annotations

import queue
import time

import pytest

from hardware import pcsc_transport as pt
from hardware.emrtd.errors import CardRemoved, CommunicationError
from hardware.virtual_card.tiny_chip import TINY_ATR, TinyChip


@pytest.fixture()
def tiny(card_slot, pcscd, wait_card):
    """A fresh tiny chip in slot 0; removed (and seen gone) after the test."""
    chip = TinyChip()
    card = card_slot(chip)
    yield chip, card
    card.remove()
    wait_card(pcscd.reader_name(0), present=False)


def connect(reader: str) -> tuple[object, pt.PcscTransport]:
    ctx = pt.establish_context()
    return ctx, pt.PcscTransport(ctx, reader, removal_grace_s=2.0)


def test_apdus_round_trip_with_atr_and_power(pcscd, tiny):
    chip, card = tiny
    ctx, t = connect(pcscd.reader_name(0))
    try:
        assert t.atr == TINY_ATR
        assert chip.power_ons >= 1 and chip.powered
        payload = bytes(range(200))
        assert t.transmit(b"\x80\xee\x00\x00" + bytes([len(payload)]) + payload) == payload + b"\x90\x00"
        assert t.transmit(b"\x00\xa4\x04\x0c\x07\xa0\x00\x00\x02\x47\x10\x01") == b"\x90\x00"
        assert t.transmit(b"\x00\x84\x00\x00\x08") == bytes(range(8)) + b"\x90\x00"
        assert chip.apdus[-1] == b"\x00\x84\x00\x00\x08"  # the chip got exactly our bytes
        assert card.apdu_count == 3
    finally:
        t.close()
        pt.release_context(ctx)


def test_other_slot_is_empty(pcscd, tiny):
    ctx = pt.establish_context()
    try:
        assert pcscd.reader_name(1) in pt.list_readers(ctx)
        with pytest.raises(CardRemoved):
            pt.PcscTransport(ctx, pcscd.reader_name(1))
    finally:
        pt.release_context(ctx)


@pytest.mark.parametrize("answered", [0, 1, 3])
def test_card_pulled_mid_command_is_card_removed_then_reinsert_works(pcscd, card_slot, wait_card, answered):
    chip = TinyChip()
    card = card_slot(chip)
    reader = pcscd.reader_name(0)
    ctx, t = connect(reader)
    card.remove_after(answered)
    try:
        for _ in range(answered):
            assert t.transmit(b"\x00\xa4\x00\x00") == b"\x90\x00"
        with pytest.raises(CardRemoved):
            t.transmit(b"\x00\xa4\x00\x00")
        assert not card.inserted
    finally:
        t.close()
        pt.release_context(ctx)
    wait_card(reader, present=False)
    card.insert()
    wait_card(reader, present=True)
    ctx, t = connect(reader)
    try:
        assert t.transmit(b"\x80\xee\x00\x00\x02hi") == b"hi\x90\x00"
    finally:
        t.close()
        pt.release_context(ctx)
        card.remove()
        wait_card(reader, present=False)


def test_card_removed_between_commands_is_card_removed(pcscd, tiny, wait_card):
    chip, card = tiny
    reader = pcscd.reader_name(0)
    ctx, t = connect(reader)
    try:
        card.remove()
        wait_card(reader, present=False)
        with pytest.raises(CardRemoved):
            t.transmit(b"\x00\xa4\x00\x00")
    finally:
        t.close()
        pt.release_context(ctx)


def test_pcsc_card_reader_reports_reader_and_card_events(pcscd, card_slot):
    from hardware.card_reader import CardInserted, CardRemoved as CardGone, ReaderChanged
    from hardware.pcsc_card_reader import PcscCardReader

    reader_name = pcscd.reader_name(0)
    events: queue.Queue = queue.Queue()
    dev = PcscCardReader(reader_filter="Virtual PCD", poll_s=0.2)
    dev.add_listener(events.put)
    dev.add_listener(lambda e: 1 / 0)  # a broken listener must not stop monitoring

    def next_event(kind: type, timeout: float = 5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                ev = events.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            if isinstance(ev, kind):
                return ev
        raise AssertionError(f"no {kind.__name__} event within {timeout} s")

    dev.open()
    try:
        ev = next_event(ReaderChanged)
        assert reader_name in ev.readers and pcscd.reader_name(1) in ev.readers
        assert not dev.card_present()
        card = card_slot(TinyChip(), wait=False)
        ins = next_event(CardInserted)
        assert ins.reader == reader_name and ins.atr == TINY_ATR
        assert dev.card_present()
        assert dev.status().ok and reader_name in dev.status().extra["cards"]
        card.remove()
        assert next_event(CardGone).reader == reader_name
        assert not dev.card_present()
        card.insert()  # monitoring survived the failing listener and a removal
        assert next_event(CardInserted).reader == reader_name
        card.remove()
        next_event(CardGone)
    finally:
        dev.close()


def test_card_already_present_at_open_is_reported(pcscd, card_slot, wait_card):
    from hardware.card_reader import CardInserted
    from hardware.pcsc_card_reader import PcscCardReader

    card = card_slot(TinyChip())
    got: queue.Queue = queue.Queue()
    dev = PcscCardReader(poll_s=0.2)
    dev.add_listener(lambda e: got.put(e) if isinstance(e, CardInserted) else None)
    dev.open()
    try:
        assert got.get(timeout=5).reader == pcscd.reader_name(0)
    finally:
        dev.close()
        card.remove()
        wait_card(pcscd.reader_name(0), present=False)


def test_reader_filter_hides_other_readers(pcscd):
    from hardware.card_reader import ReaderUnavailable
    from hardware.pcsc_card_reader import PcscCardReader

    dev = PcscCardReader(reader_filter="no such reader", poll_s=0.2)
    dev.open()
    try:
        with pytest.raises(ReaderUnavailable):
            dev._reader_with_card()
        assert not dev.card_present()
    finally:
        dev.close()


def test_service_restart_is_survived(pcscd, card_slot):
    """pcscd stops (readers vanish, typed errors) and comes back; monitoring recovers."""
    from hardware.base import DeviceState
    from hardware.shared_types import AccessKey
    from hardware.card_reader import CardInserted, ReaderChanged, ReaderUnavailable
    from hardware.pcsc_card_reader import PcscCardReader

    events: queue.Queue = queue.Queue()
    dev = PcscCardReader(poll_s=0.2)
    dev.add_listener(events.put)
    dev.open()
    reader = pcscd.reader_name(0)
    try:
        deadline = time.monotonic() + 5
        while not dev.readers and time.monotonic() < deadline:
            time.sleep(0.05)
        assert reader in dev.readers
        card = card_slot(TinyChip())
        ctx, t = connect(reader)
        pcscd.stop()
        with pytest.raises(CommunicationError):  # ReaderGone is-a CommunicationError
            t.transmit(b"\x00\xa4\x00\x00")
        with pytest.raises(ReaderUnavailable):
            dev.read_card(AccessKey(can="123456"))
        deadline = time.monotonic() + 5
        while dev.status().state is not DeviceState.FAULT and time.monotonic() < deadline:
            time.sleep(0.05)
        assert dev.status().state is DeviceState.FAULT
        card.remove()
        pcscd.start()
        card.insert()
        while not events.empty():
            events.get_nowait()
        deadline = time.monotonic() + 10
        seen_reader = seen_card = False
        while not (seen_reader and seen_card) and time.monotonic() < deadline:
            try:
                ev = events.get(timeout=0.5)
            except queue.Empty:
                continue
            seen_reader |= isinstance(ev, ReaderChanged) and reader in ev.readers
            seen_card |= isinstance(ev, CardInserted) and ev.reader == reader
        assert seen_reader and seen_card
        assert dev.status().state is DeviceState.READY
    finally:
        dev.close()
        card.remove()


class ForeignChip(TinyChip):
    """A contactless card without the eMRTD application (a bank or transit card)."""

    def process(self, apdu: bytes) -> bytes:
        super().process(apdu)
        return b"\x6a\x82"


def test_card_without_emrtd_application_is_not_supported(pcscd, card_slot, wait_card):
    import datetime as dt

    from hardware.shared_types import AccessKey
    from hardware.card_reader import CardNotSupported
    from hardware.pcsc_card_reader import PcscCardReader

    chip = ForeignChip()
    card = card_slot(chip)
    dev = PcscCardReader(reader_filter=pcscd.reader_name(0))
    dev.open()
    try:
        with pytest.raises(CardNotSupported):
            dev.read_card(AccessKey.from_id("001093047064", dt.date(1993, 1, 5)))
        assert chip.apdus[-1][:4] == b"\x00\xa4\x04\x0c"  # it was the AID SELECT that failed
    finally:
        dev.close()
        card.remove()
        wait_card(pcscd.reader_name(0), present=False)
