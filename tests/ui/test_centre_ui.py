"""The kiosk window on the real centre (a child process on loopback, SQLite in a temp dir):
status timeline and its printed slip, appointment check-in (with the card, too early, an
identity mismatch), the handover the counter sees, and — the centre stopped — the
offline banner, the offline ticket and check-in offline. Screens are saved as PNG to
``$KIOSK_UI_SHOTS`` when that is set (to look at them)."""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

import pytest

from hardware.printer import PaperOut
from hardware.shared_types import AccessKey
from kiosk import flow as f
from kiosk import visit_events as v
from kiosk.flow import State
from tests.fixtures.centre_server import CentreProcess, mid_morning_zone, open_centre

PROFILE = "nguyen_van_an"
CARD_PROFILE = "pham_thi_huong"   # books, then checks in by tapping the card only
OTHER_ID = "079200000001"
DOSSIER = "000.17.22.H56-251204-0009"
T = "/api/v1"


TZ = mid_morning_zone()


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CentreProcess]:
    """One centre for the module (the offline test, last, stops it)."""
    from centre.importers import import_appointments, import_applications
    from kiosk.config import load_config

    base = tmp_path_factory.mktemp("centre-ui")
    proc = CentreProcess(base / "centre", env={"KIOSK_CENTRE_SERVICE_TIMEZONE": TZ})
    proc.data_dir.mkdir()
    proc.add_token("kiosk", "kiosk-ui")
    proc.add_token("counter", "counter-3")
    proc.add_officer("lan", "2468")
    profiles = load_config(environ={})["devices.card_reader.profiles_dir"]
    citizen_id, card_id = _citizen_id(profiles, PROFILE), _citizen_id(profiles, CARD_PROFILE)
    now = datetime.now(ZoneInfo(TZ))
    soon, later = now + timedelta(minutes=10), now + timedelta(hours=3)
    apps, bookings = base / "apps.csv", base / "bookings.csv"
    apps.write_text("MaHoSo,SoDinhDanh,NgayTiepNhan,TrangThaiHoSo\n"
                    f"{DOSSIER},{citizen_id},04/12/2025,2\n{DOSSIER},{citizen_id},04/12/2025,4\n",
                    encoding="utf-8")
    day = now.strftime("%d/%m/%Y")
    bookings.write_text("MaLichHen,MaDichVu,NgayHen,GioHen,SoDinhDanh\n"
                        f"BK2025SOON1,vneid,{day},{soon:%H:%M},{citizen_id}\n"
                        f"BK2025LATER2,vneid,{day},{later:%H:%M},{citizen_id}\n"
                        f"BK2025OTHER3,vneid,{day},{soon:%H:%M},{OTHER_ID}\n"
                        f"BK2025CARD4,vneid,{day},{soon:%H:%M},{card_id}\n", encoding="utf-8")
    c = open_centre(proc.data_dir, timezone=TZ)
    try:
        import_applications(c, apps)
        import_appointments(c, bookings)
    finally:
        c.db.dispose()
    proc.start()
    yield proc
    proc.stop()


def _citizen_id(profiles_dir: str, profile: str) -> str:
    from hardware.sim_card_reader import load_profiles
    from kiosk.bootstrap import resolve_path

    return load_profiles(resolve_path(profiles_dir))[profile].citizen.id_number


@pytest.fixture
def kiosk_ui(ui_factory: Callable[..., Any], centre: CentreProcess) -> Any:
    drv = ui_factory(centre__url=centre.url, centre__token=centre.tokens["kiosk-ui"], kiosk__id="kiosk-ui",
                     centre_service__timezone=TZ)
    http = drv.app.kiosk.centre.issuer.centre
    http.timeouts.connect_s, http.timeouts.retries = 0.5, 0   # a stopped centre answers fast
    return drv


def shot(ui: Any, name: str) -> None:
    """``<name>.png`` as shown, and ``<name>-<vi|en>[-large].png`` in both languages, with and
    without large text (then back as it was)."""
    folder = os.environ.get("KIOSK_UI_SHOTS")
    if not folder:
        return
    ui.pump(0.2)
    ui.screenshot(Path(folder) / f"{name}.png")
    sess = ui.app.controller.flow.session
    shown = sess.language, sess.large_text
    for language, large in (("vi", False), ("en", False), ("vi", True), ("en", True)):
        _show_in(ui, language, large)
        ui.screenshot(Path(folder) / f"{name}-{language}{'-large' if large else ''}.png")
    _show_in(ui, *shown)


def _show_in(ui: Any, language: str, large_text: bool) -> None:
    ctl = ui.app.controller
    ctl.send(f.SetLanguage(language))
    if ctl.flow.session.large_text != large_text:
        ctl.send(f.ToggleLargeText())
    ui.pump(0.2)


def identify_with_card(ui: Any, corrections: tuple[tuple[str, str], ...] = (), profile: str = PROFILE) -> None:
    """The booking's holder: card on the reader, ID typed, data confirmed (or flagged)."""
    reader = ui.app.kiosk.devices.card_reader
    citizen = reader.profiles[profile].citizen
    reader.tap(profile)
    assert ui.wait_state(State.IDENTIFY)
    ui.app.controller.send(f.KeyProvided(AccessKey.from_id(citizen.id_number), "keypad"))
    assert ui.wait_state(State.CONFIRM, 5)
    if corrections:
        ui.app.controller.send(f.CorrectionsRequested(tuple(k for k, _ in corrections), corrections))
    else:
        ui.tap("btn_ok")


def test_status_timeline_and_printed_slip(kiosk_ui: Any) -> None:
    from hardware.escpos_encode import encode_ticket, make_profile
    from tests.fixtures.escpos_decode import decode

    ui, ctl = kiosk_ui, kiosk_ui.app.controller
    ui.tap("btn_status")
    assert ui.wait_state(State.STATUS)
    ctl.send(f.StatusQuery(DOSSIER))
    assert ui.pump(5, lambda: ctl.flow.session.status_result is not None)
    ui.pump(0.1)
    details = ui.screen.ids.details.text
    assert "Được tiếp nhận" in details and "Đang xử lý" in details   # both steps, oldest first
    assert details.index("Được tiếp nhận") < details.index("Đang xử lý")
    assert datetime.now(ZoneInfo(TZ)).strftime("%d/%m/%Y") in details           # each step with its date
    assert ui.screen.ids.result.text == "Đang xử lý"
    assert "15/12/2025 [color=b3261e](đã quá hạn)" in details          # the due date, passed
    assert "Ngày tiếp nhận[/b]: 04/12/2025" in details                 # when it was received
    assert "Đã quá ngày hẹn trả" in details                            # so not "wait for the due date"
    shot(ui, "status-timeline")
    ctl.send(f.SetLanguage("en"))
    ui.pump(0.1)
    assert "Being processed" in ui.screen.ids.details.text and "Received" in ui.screen.ids.details.text
    printer = ui.app.kiosk.devices.printer
    printer.fault = PaperOut("no paper")          # the slip cannot print: said on screen, in both languages
    ui.tap("btn_print")
    assert ui.pump(5, lambda: ctl.flow.session.status_printed == "paper_out")
    ui.pump(0.1)
    assert "paper" in ui.screen.ids.print_state.text.lower()
    ctl.send(f.SetLanguage("vi"))
    ui.pump(0.1)
    assert "giấy" in ui.screen.ids.print_state.text.lower()
    assert "hỏi tại quầy hướng dẫn" in ui.screen.ids.print_state.text      # and what to do instead
    shot(ui, "status-slip-paper-out")
    ctl.send(f.SetLanguage("en"))
    printer.fault = None                          # paper loaded: printing again works
    ui.tap("btn_print")
    assert ui.pump(5, lambda: ctl.flow.session.status_printed == "printed")
    job = printer.printed[-1].job
    assert job.kind == "status" and job.language == "en"
    assert any("Đang xử lý" in line for line in job.lines) and any(DOSSIER in line for line in job.lines)
    assert "Received on: 04/12/2025" in job.lines and "Due on: 15/12/2025 (overdue)" in job.lines
    decoded = decode(encode_ticket(job, make_profile("generic", 80)).data)   # real ESC/POS bytes
    assert decoded.image.height > 400 and any(":" in t.text for t in decoded.texts)


def test_checkin_with_the_card_prints_the_appointment_and_hands_over(kiosk_ui: Any, centre: CentreProcess) -> None:
    from tests.integration.centre.conftest import signed_in

    ui, ctl = kiosk_ui, kiosk_ui.app.controller
    ui.app.kiosk.devices.qr_scanner.inject("BK2025SOON1")
    assert ui.wait_state(State.CHECKIN)
    assert ui.screen.ids.btn_without_card.opacity == 1               # asks for the card first
    shot(ui, "checkin-card")
    identify_with_card(ui, (("place_of_residence", "Số 1 Tràng Tiền, Hà Nội"),))
    assert ui.wait_state(State.TICKET, 8)
    ticket = ctl.flow.session.ticket
    assert ticket.appointment == "early" and ticket.appointment_at is not None
    assert ui.pump(5, lambda: ctl.flow.session.printed)
    ui.pump(0.1)
    assert f"{ticket.appointment_at:%H:%M}" in ui.screen.ids.visit_note.text
    job = ui.app.kiosk.devices.printer.printed[-1].job
    assert any(n.startswith("Lịch hẹn") for n in job.notes)
    shot(ui, "checkin-ticket")
    counter = signed_in(centre, 3, ["vneid"])
    called = counter.post(f"{T}/counter/call-next")[1]
    assert called["number"] == ticket.number                          # appointments go first

    def handover() -> Any:
        status, body = counter.get(f"{T}/counter/tickets/{called['id']}/handover")
        return body if status == 200 and body.get("chip") else None
    assert ui.pump(10, lambda: handover() is not None)
    body = handover()
    citizen = ui.app.kiosk.devices.card_reader.profiles[PROFILE].citizen
    assert body["chip"]["full_name"] == citizen.full_name and body["source"] == "card"
    assert body["passive_auth"]["summary"] == "simulated card: no passive authentication"
    assert body["flagged"] == ["place_of_residence"]
    assert body["corrections"] == {"place_of_residence": "Số 1 Tràng Tiền, Hà Nội"}
    assert "corrections" in called["flags"]                            # the ticket says so too
    counter.post(f"{T}/counter/tickets/{called['id']}/cancel")


def test_checkin_by_tapping_the_card_only(kiosk_ui: Any) -> None:
    ui, ctl = kiosk_ui, kiosk_ui.app.controller
    identify_with_card(ui, profile=CARD_PROFILE)
    assert ui.wait_state(State.SERVICE)
    shot(ui, "service-appointment")
    from tests.ui.test_kiosk_ui import _overflows
    from kivy.core.window import Window
    assert _overflows(ui.app.root, Window.height) == []                # the extra row fits
    ui.tap("btn_appointment")                                          # "I have an appointment today"
    assert ui.wait_state(State.TICKET, 8)
    ticket = ctl.flow.session.ticket
    assert ticket.appointment == "early" and "appointment.identity_unchecked" not in ticket.flags
    assert ui.pump(5, lambda: ctl.flow.session.printed)
    ctl.send(f.Finish())
    ctl.send(f.Finish())
    assert ui.wait_state(State.ATTRACT)
    identify_with_card(ui, profile=CARD_PROFILE)                       # the booking is used now
    assert ui.wait_state(State.SERVICE)
    ui.tap("btn_appointment")
    assert ui.pump(8, lambda: ctl.flow.error == "no_booking_today")


def test_demo_keys_scan_the_demo_receipt_and_booking(kiosk_ui: Any) -> None:
    """``make run``'s developer panel with its embedded demo centre: F8 shows a receipt's QR
    at the welcome screen, which opens its status; F7 shows a booking's QR (check-in)."""
    from kiosk.demo_centre import DemoCodes

    ui, ctl = kiosk_ui, kiosk_ui.app.controller
    assert ui.wait_state(State.ATTRACT)
    ui.app.kiosk.demo_codes = DemoCodes(booking="BK2025OTHER3", card_booking="BK2025SOON1", dossier=DOSSIER)
    f7, f8 = 282 + 6, 282 + 7                                          # SDL key codes
    assert ui.app._on_key_down(None, f8, 0, "", []) is True
    assert ui.wait_state(State.STATUS)
    assert ui.pump(5, lambda: ctl.flow.session.status_result is not None)
    assert ctl.flow.session.status_result.found and ctl.flow.session.status_result.code == DOSSIER
    ctl.send(f.Cancel())
    assert ui.wait_state(State.ATTRACT)
    assert ui.app._on_key_down(None, f7, 0, "", []) is True
    assert ui.wait_state(State.CHECKIN) and ctl.flow.session.booking_code == "BK2025OTHER3"
    ctl.send(f.Cancel())
    ui.app.kiosk.demo_codes = None                                     # no demo centre: F7 is swallowed
    assert ui.app._on_key_down(None, f7, 0, "", []) is True
    ui.pump(0.3)
    assert ctl.flow.state == State.ATTRACT


def test_checkin_refused_for_another_persons_booking(kiosk_ui: Any) -> None:
    ui, ctl = kiosk_ui, kiosk_ui.app.controller
    ui.app.kiosk.devices.qr_scanner.inject("BK2025OTHER3")
    assert ui.wait_state(State.CHECKIN)
    identify_with_card(ui)
    assert ui.pump(8, lambda: ctl.flow.error == "identity_mismatch")
    ui.pump(0.1)
    assert ui.screen.ids.what.text == "Thẻ căn cước không khớp với lịch hẹn này."
    assert ui.screen.ids.btn_walk_in.disabled                          # not accepted silently
    assert ctl.flow.session.ticket is None
    assert any(a.code == "identity_mismatch" for a in ctl.alerts)      # staff are told
    shot(ui, "checkin-mismatch")


def test_checkin_too_early_says_when_to_come_back(kiosk_ui: Any) -> None:
    ui, ctl = kiosk_ui, kiosk_ui.app.controller
    ui.app.kiosk.devices.qr_scanner.inject("BK2025LATER2")
    assert ui.wait_state(State.CHECKIN)
    ui.tap("btn_without_card")
    assert ui.pump(8, lambda: ctl.flow.session.checkin is not None)
    ui.pump(0.1)
    outcome = ctl.flow.session.checkin
    assert outcome.arrival == "too_early" and outcome.ticket is None
    assert f"{outcome.come_back_at:%H:%M}" in ui.screen.ids.step.text
    shot(ui, "checkin-early")
    ui.tap("btn_walk_in")                                              # a walk-in ticket instead
    assert ui.wait_state(State.SERVICE)


@pytest.mark.parametrize("language, what", [
    ("vi", "Lần xác nhận lịch hẹn trước của bạn đang được hủy."),
    ("en", "Your earlier check-in is still being cancelled.")], ids=["vi", "en"])
def test_checkin_pending_says_try_again_in_a_minute(kiosk_ui: Any, language: str, what: str) -> None:
    """The answer the worker gives when the kiosk's own earlier attempt is still being voided
    (kiosk.visit.check_in; made real in tests/integration/centre/test_checkin_pending_void.py)."""
    from kivy.core.window import Window

    from tests.ui.test_kiosk_ui import _overflows
    ui, ctl = kiosk_ui, kiosk_ui.app.controller
    if language == "en":
        ui.tap(ui.find("btn_en"))
    ui.app.kiosk.devices.qr_scanner.inject("BK2025LATER2")
    assert ui.wait_state(State.CHECKIN)
    ctl.flow.session.checkin_pending = True        # as when the check-in effect is under way
    ctl.send(v.CheckInFailed("checkin_pending"))
    assert ui.pump(2, lambda: ui.screen.ids.what.text == what)
    assert ("phút" if language == "vi" else "minute") in ui.screen.ids.step.text
    assert _overflows(ui.app.root, Window.height) == []
    shot(ui, f"checkin-pending-{language}")


def test_offline_banner_ticket_and_checkin(kiosk_ui: Any, centre: CentreProcess) -> None:
    ui, ctl = kiosk_ui, kiosk_ui.app.controller
    link = ui.app.kiosk.centre
    assert ui.pump(10, lambda: link.leases.remaining(link.issuer.local_now().date().isoformat(), "C") > 0)
    assert ui.app.offline_bar.height == 0
    centre.stop()
    ui.tap("btn_ticket")
    assert ui.wait_state(State.SERVICE)
    vneid = next(b for b in ui.screen.ids.services.children if b.service_code == "vneid")
    ui.tap(vneid)
    assert ui.wait_state(State.TICKET)
    assert ui.pump(8, lambda: ctl.flow.session.printed)
    ui.pump(0.5)
    assert ctl.flow.session.ticket.offline
    assert ui.screen.ids.visit_note.text == "Phiếu lưu tại máy này; quầy sẽ gọi theo thứ tự."
    assert ui.app.offline_bar.offline and ui.app.offline_bar.height > 0
    job = ui.app.kiosk.devices.printer.printed[-1].job
    assert "Phiếu lưu tại máy này; quầy sẽ gọi theo thứ tự." in job.notes
    shot(ui, "offline-ticket")
    ctl.send(f.Cancel())
    ui.app.kiosk.devices.qr_scanner.inject("BK2025SOON1")
    assert ui.wait_state(State.CHECKIN)
    ui.tap("btn_without_card")
    assert ui.pump(8, lambda: ctl.flow.error == "checkin_offline")
    ui.pump(0.1)
    assert not ui.screen.ids.btn_walk_in.disabled                      # offered a walk-in ticket
    assert ui.screen.ids.btn_walk_in.text == "Lấy số kèm lịch hẹn của tôi"
    assert "không kết nối được" in ui.screen.ids.what.text
    shot(ui, "checkin-offline")
    ctl.send(v.WalkInInstead())
    assert ui.wait_state(State.SERVICE)
    assert "appointment.not_checked_in" in ctl.flow.session.ticket_flags()
    ui.pump(0.1)
    said = [w.text for w in ui.screen.walk() if getattr(w, "text", "").startswith("Chọn dịch vụ bạn đã đặt lịch")]
    assert said and ui.screen.ids.btn_appointment.disabled
    shot(ui, "service-booking-waiting")
    vneid = next(b for b in ui.screen.ids.services.children if b.service_code == "vneid")
    ui.tap(vneid)
    assert ui.wait_state(State.TICKET)
    assert ui.pump(8, lambda: ctl.flow.session.printed)
    ui.pump(0.5)
    held = ctl.flow.session.ticket
    assert held.offline and held.appointment == "waiting"
    note = ui.screen.ids.visit_note.text
    assert note.startswith("Lịch hẹn của bạn đi kèm phiếu này") and "Phiếu lưu tại máy này" in note
    job = ui.app.kiosk.devices.printer.printed[-1].job
    assert "Lịch hẹn đi kèm phiếu này; được xác nhận khi máy kết nối lại trung tâm." in job.notes
    [sent] = [i for i in link.outbox.pending("offline_ticket") if i.payload["seq"] == int(held.number[1:])]
    assert sent.payload["booking"] == {"code": "BK2025SOON1", "id_number": ""}   # encrypted in the outbox
    shot(ui, "offline-ticket-with-booking")
