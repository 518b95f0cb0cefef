"""The visit's transitions (kiosk.flow_visit) on the pure flow, the handover built from a
session, and the printed texts: check-in with and without the card, refusals, the
timeout, status by card QR and the status slip."""
from __future__ import annotations

from datetime import date, datetime

from hardware.emrtd.verdict import verdict
from hardware.shared_types import VisitHandover
from hardware.ticket_layout import render_ticket
from kiosk import flow as f
from kiosk import visit_events as v
from kiosk.flow import State
from kiosk.photo.session import AcceptedPhoto
from kiosk.ticketing import ServiceInfo, Ticket, ticket_job
from kiosk.visit import CheckInOutcome, build_handover, status_slip_job
from kiosk.visit_texts import status_lines
from offline_cache.status_cache import StatusResult
from tests.unit.test_flow import AN, KEY, make, read_ok, to_confirm

SVC = ServiceInfo("vneid", "C", "Đăng ký VNeID", "VNeID account")
SLOT = datetime(2025, 12, 5, 9, 30)

def ticket(**kw: object) -> Ticket:
    return Ticket("C007", SVC, "", datetime(2025, 12, 5, 9, 10), **kw)  # type: ignore[arg-type]

def test_booking_without_card_asks_for_it_then_checks_in_after_confirming() -> None:
    fl = make()
    assert fl.handle(v.BookingScanned("BK2025SOON1")) == []
    assert fl.state == State.CHECKIN and fl.session.booking_code == "BK2025SOON1"
    fl.handle(f.CardPresent())
    assert fl.state == State.IDENTIFY
    assert fl.handle(f.KeyProvided(KEY, "keypad")) == [f.ReadCard(KEY)]
    fl.handle(read_ok())
    effects = fl.handle(f.Confirmed())
    assert fl.state == State.CHECKIN and fl.session.checkin_pending
    assert effects == [v.CheckIn("BK2025SOON1", AN.id_number, "", fl.session.ticket_flags())]
    t = ticket(appointment="early", appointment_at=SLOT)
    assert fl.handle(v.CheckInAnswered(CheckInOutcome("early", True, SLOT, None, t))) == [f.PrintTicket(t)]
    assert fl.state == State.TICKET and fl.session.ticket is t

def test_identified_citizen_checks_in_at_once_and_cannot_cancel_while_pending() -> None:
    fl = to_confirm(make())
    fl.handle(f.Confirmed())
    effects = fl.handle(v.BookingScanned("BK2025SOON1"))
    assert effects[0].id_number == AN.id_number and fl.state == State.CHECKIN
    assert fl.handle(f.Cancel()) == [] and fl.state == State.CHECKIN   # a ticket may be on its way

def test_mismatch_offers_no_walk_in_and_offline_offers_one() -> None:
    fl = make()
    fl.handle(v.BookingScanned("BK2025OTHER3"))
    assert fl.handle(v.CheckInWithoutCard())[0].id_number == ""
    fl.handle(v.CheckInFailed("identity_mismatch"))
    fl.handle(v.WalkInInstead())
    assert fl.state == State.CHECKIN and fl.error == "identity_mismatch"
    fl = make()
    fl.handle(v.BookingScanned("BK2025SOON1"))
    fl.handle(v.CheckInWithoutCard())
    fl.handle(v.CheckInFailed("checkin_offline"))
    fl.handle(v.WalkInInstead())
    assert fl.state == State.SERVICE
    assert "appointment.not_checked_in" in fl.session.ticket_flags()
    assert fl.session.booking_claim() == {"code": "BK2025SOON1", "id_number": ""}   # goes with the ticket

def test_only_an_unreachable_centre_sends_the_booking_with_the_ticket() -> None:
    fl = to_confirm(make())
    fl.handle(f.Confirmed())
    fl.handle(v.CheckInByCard())                       # the card only: the centre finds the booking
    fl.handle(v.CheckInFailed("checkin_offline"))
    assert fl.session.booking_claim() == {"code": "", "id_number": AN.id_number}
    for refused in ("identity_mismatch", "booking_used", "no_booking", "checkin_unavailable"):
        fl = make()
        fl.handle(v.BookingScanned("BK2025SOON1"))
        fl.handle(v.CheckInWithoutCard())
        fl.handle(v.CheckInFailed(refused))
        assert fl.session.booking_claim() is None, refused
    fl = make(now=1000.0)                              # no answer in time: as unreachable
    fl.handle(v.BookingScanned("BK2025SOON1"))
    fl.handle(v.CheckInWithoutCard())
    fl.tick(1000.0 + fl.timeouts.read + 1)
    assert fl.session.booking_claim() == {"code": "BK2025SOON1", "id_number": ""}
    t = ticket(appointment="on_time", appointment_at=SLOT)   # ... and then the answer came after all
    fl.handle(v.CheckInAnswered(CheckInOutcome("on_time", True, SLOT, None, t)))
    assert fl.session.booking_claim() is None

def test_an_unanswered_check_in_times_out_and_a_late_ticket_is_still_shown() -> None:
    fl = make(now=1000.0)
    fl.handle(v.BookingScanned("BK2025SOON1"))
    fl.handle(v.CheckInWithoutCard())
    fl.tick(1000.0 + fl.timeouts.read + 1)
    assert fl.error == "checkin_offline" and not fl.session.checkin_pending
    t = ticket(appointment="on_time", appointment_at=SLOT)
    fl.handle(v.CheckInAnswered(CheckInOutcome("on_time", True, SLOT, None, t)))
    assert fl.state == State.TICKET and fl.error == ""

def test_status_by_card_qr_and_the_slip() -> None:
    fl = make()
    fl.handle(f.StartStatus())
    assert fl.handle(f.KeyProvided(KEY, "qr", AN)) == [f.LookupStatus(AN.id_number)]
    res = StatusResult(AN.id_number, True, "Đang xử lý", "Being processed",
                       timeline=(("Được tiếp nhận", "Received", "04/12/2025 08:00"),), due_on="15/12/2025",
                       as_of=datetime(2025, 12, 5, 9, 41), source="cache")
    fl.handle(f.StatusAnswered(res))
    assert fl.handle(v.PrintStatus()) == [v.PrintStatusSlip(res, "vi")]
    assert fl.handle(v.PrintStatus()) == []                   # one slip at a time
    fl.handle(v.StatusPrinted(""))
    assert fl.session.status_printed == "printed"
    lines = status_lines(res, "en")
    assert AN.id_number not in " ".join(lines) and "********2345" in lines[0]   # masked on paper
    assert "04/12/2025 08:00  Được tiếp nhận / Received" in lines
    assert any("09:41" in line for line in lines)             # "as of" when from the cache
    for paper in (58, 80):
        img = render_ticket(status_slip_job(res, language="en", centre_name="UBND"), paper)
        assert img.width == {58: 384, 80: 576}[paper] and img.height > 300

def test_printed_ticket_says_offline_and_the_appointment() -> None:
    job = ticket_job(ticket(offline=True, appointment="late", appointment_at=SLOT), language="en",
                     centre_name="")
    assert job.notes == ("Đến sau giờ hẹn 09:30: phiếu thường, gọi theo thứ tự đến.",
                         "Arrived after your 09:30 appointment: walk-in ticket, called in order.",
                         "Phiếu lưu tại máy này; quầy sẽ gọi theo thứ tự.",
                         "Kept at this kiosk; the counter will call you in order.")
    plain = render_ticket(ticket_job(ticket(), language="en", centre_name=""))
    assert render_ticket(job).height > plain.height         # the notes take paper

def test_handover_from_the_session() -> None:
    fl = to_confirm(make())
    fl.handle(f.CorrectionsRequested(("place_of_residence",), (("place_of_residence", "Số 1 Tràng Tiền"),)))
    sess = fl.session
    sess.priority_group = "elderly"
    sess.store_photo(AcceptedPhoto(bytearray(b"\xff\xd8portrait"), 413, 531, "jpeg", 1, 0.75, 0.6))
    handover = build_handover(sess)
    assert handover is not None
    assert AN.full_name not in repr(handover) and "Tràng Tiền" not in str(handover)  # never in a log line
    h = handover.to_dict()                                   # the centre's HandoverIn body
    assert h["chip"]["full_name"] == AN.full_name and h["chip"]["date_of_birth"] == date(1990, 5, 12).isoformat()
    assert h["flagged"] == ["place_of_residence"] and h["corrections"] == {"place_of_residence": "Số 1 Tràng Tiền"}
    assert h["portrait_jpeg_b64"] == "/9hwb3J0cmFpdA==" and h["priority_reason"] == "elderly"
    assert h["source"] == "card"
    assert build_handover(make().session) is None            # a walk-in who gave nothing

def test_handover_body_carries_the_verdict_and_keeps_the_centres_limits() -> None:
    checked = verdict("unknown_csca", chip_auth=True)
    h = VisitHandover(verdict=checked, passive_auth_summary="hashes OK", qr_chip_mismatch=("full_name",),
                      flagged=tuple(f"field{i}" for i in range(45)), priority_reason="x" * 250).to_dict()
    assert h["passive_auth"] == {**checked.to_dict(), "summary": "hashes OK", "qr_chip_mismatch": ["full_name"]}
    assert len(h["flagged"]) == 40 and h["flagged"][-1] == "field39"     # HandoverIn: at most 40
    assert h["priority_reason"] == "x" * 200                            # HandoverIn: at most 200 characters
    assert (h["chip"], h["portrait_jpeg_b64"], h["source"]) == ({}, "", "walk_in")
