"""Ticket layout, status-byte parsing, printer URLs and the test decoder's strictness."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import zxingcpp
from PIL import Image, ImageDraw

from hardware.escpos_encode import encode_ticket, make_profile, parse_status, ProfileError
from hardware.escpos_transport import (SerialTransport, TcpTransport, UsbTransport,
                                       transport_from_url)
from hardware.printer import PaperState
from hardware.shared_types import TicketJob
from hardware.ticket_layout import (FONT_DIR, FONT_REGULAR, TicketLayoutError, _font,
                                    layout_ticket, render_ticket)
from tests.fixtures.escpos_decode import EscposDecodeError, decode

JOB = TicketJob(number="B034", service_code="cccd_renew", service_vi="Cấp đổi, cấp lại thẻ căn cước",
                service_en="Exchange or re-issue of identity card",
                centre_name="Trung tâm Phục vụ hành chính công", qr_payload="TRACK-B034")


@pytest.mark.parametrize("paper,width", [(58, 384), (80, 576)])
def test_width_mode_and_qr(paper, width):
    img = render_ticket(JOB, paper)
    assert img.mode == "1" and img.width == width
    assert [r.text for r in zxingcpp.read_barcodes(img.convert("L"))] == ["TRACK-B034"]


def test_native_qr_leaves_the_qr_out():
    with_qr, without = render_ticket(JOB, 80), render_ticket(JOB, 80, native_qr=True)
    assert without.height < with_qr.height
    assert zxingcpp.read_barcodes(without.convert("L")) == []


def test_vietnamese_letters_have_glyphs_in_the_bundled_font():
    assert (FONT_DIR / FONT_REGULAR).exists() and (FONT_DIR / "LICENSE-Roboto.txt").exists()
    font = _font(FONT_REGULAR, 40)

    def draw(c: str) -> bytes:
        im = Image.new("L", (80, 80), 255)
        ImageDraw.Draw(im).text((10, 10), c, font=font, fill=0)
        return im.tobytes()

    notdef = draw("\ue000")
    for ch in "ăâđêôơưẠặẫỹỵỷửữựờởỡợ":
        assert draw(ch) != notdef, ch


def test_priority_reprint_and_english_add_content():
    base = render_ticket(JOB, 80).height
    assert render_ticket(replace(JOB, priority=True), 80).height > base
    assert render_ticket(replace(JOB, reprint=True), 80).height > base
    assert render_ticket(replace(JOB, language="en"), 80).height > base


def test_long_number_and_centre_name_stay_on_the_paper():
    job = replace(JOB, number="AB1234", centre_name="Trung tâm " * 12, waiting_ahead=7,
                  wait_minutes=(15, 25), counter_group="Quầy 1–4")
    sections = layout_ticket(job, 58)
    assert sections.head.width == 384
    ink = ~np.asarray(sections.head, dtype=bool)
    assert not ink[:, :4].any() and not ink[:, -4:].any()  # margins stay white


def test_unknown_paper_width():
    with pytest.raises(TicketLayoutError):
        render_ticket(JOB, 76)
    with pytest.raises(ProfileError):
        make_profile("nonexistent")


def test_status_bytes():
    ok = parse_status({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12})
    assert (ok.online, ok.paper, ok.cover_open, ok.error) == (True, PaperState.OK, False, False)
    assert parse_status({1: 0x1A, 2: 0x16, 3: 0x12, 4: 0x12}).cover_open is True
    assert parse_status({1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E}).paper is PaperState.NEAR_END
    assert parse_status({1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x7E}).paper is PaperState.OUT
    silent = parse_status({1: None})
    assert silent.online is None and silent.paper is PaperState.UNKNOWN
    garbage = parse_status({1: 0xFF, 2: 0x00, 3: 0x12, 4: 0x01})  # bits 0/7 set: not a reply
    assert garbage.online is None and garbage.paper is PaperState.UNKNOWN


def test_printer_urls():
    t = transport_from_url("tcp://10.0.0.5")
    assert isinstance(t, TcpTransport) and (t.host, t.port) == ("10.0.0.5", 9100)
    s = transport_from_url("serial:///dev/ttyUSB0?baud=9600&flow=rtscts")
    assert isinstance(s, SerialTransport) and (s.device, s.baud, s.flow) == ("/dev/ttyUSB0", 9600, "rtscts")
    u = transport_from_url("usb://04b8:0e15?in_ep=0x81")
    assert isinstance(u, UsbTransport) and (u.vid, u.pid, u.in_ep) == (0x04B8, 0x0E15, 0x81)
    for bad in ("lpt://x", "tcp://", "usb://zz:01", "serial://"):
        with pytest.raises(ValueError):
            transport_from_url(bad)


def test_decoder_refuses_bytes_it_does_not_know():
    good = encode_ticket(JOB, make_profile("epson", 80)).data
    assert decode(good).cuts
    with pytest.raises(EscposDecodeError):
        decode(good + b"Hello")  # plain text is never sent
    with pytest.raises(EscposDecodeError):
        decode(b"\x1bt\x1e" + good)  # ESC t (code page) is not used
    with pytest.raises(EscposDecodeError):
        decode(good[:-2])  # truncated
    with pytest.raises(EscposDecodeError):
        decode(good + "Số\n".encode())  # text beyond ASCII is never sent
    with pytest.raises(EscposDecodeError):
        decode(b"A\x1d!\x11B\n")  # size change in the middle of a line


def test_number_and_time_are_printer_text_within_the_byte_budget():
    for paper, width, budget in ((58, 384, 10_000), (80, 576, 10_000)):  # issue 5
        encoded = encode_ticket(JOB, make_profile("epson", paper, "yes")).data
        job = decode(encoded, width)
        number = job.texts[0]
        assert (number.text, number.bold) == ("B034", True)
        assert number.height_mag >= 6 and number.width <= width
        assert len(encoded) < budget, (paper, len(encoded))


def test_preview_draws_the_printer_text_cells():
    sections = layout_ticket(JOB, 80)
    blank = layout_ticket(JOB, 80, printer_text=False)
    y = 0
    for block in sections.head_blocks:
        if block.text is not None:
            break
        y += block.height
    cell = (0, y, 576, y + block.height)
    drawn = ~np.asarray(sections.head.crop(cell), dtype=bool)
    assert drawn.sum() > 0.1 * drawn.size  # the big number has ink
    assert not (~np.asarray(blank.head.crop(cell), dtype=bool)).any()
    outside = (0, 0, 576, y)  # the raster above the number is the same either way
    assert np.array_equal(np.asarray(sections.head.crop(outside)), np.asarray(blank.head.crop(outside)))
