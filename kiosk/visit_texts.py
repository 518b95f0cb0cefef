"""Printed sentences (Vietnamese and English pairs) for the ticket's extra lines and the
application-status slip. Printed text is bilingual on paper by design (a relative may
read it), so it is not taken from the screen's gettext catalogue."""
from __future__ import annotations

from datetime import datetime

from hardware.shared_types import mask_id
from offline_cache.status_cache import StatusResult

HEADING = "# "  # see hardware.status_slip


def offline_line() -> tuple[str, str]:
    """A ticket numbered from this kiosk's leased range while the centre was unreachable."""
    return ("Phiếu lưu tại máy này; quầy sẽ gọi theo thứ tự.",
            "Kept at this kiosk; the counter will call you in order.")


def appointment_line(arrival: str, slot_at: datetime | None) -> tuple[str, str]:
    """The ticket's appointment line for the centre's arrival verdict (``waiting``: the
    booking went with an offline ticket and is checked in when it reaches the centre; a
    booking sent with a ticket has no slot time here)."""
    if arrival == "waiting":
        return ("Lịch hẹn đi kèm phiếu này; được xác nhận khi máy kết nối lại trung tâm.",
                "Your booking goes with this ticket; checked in when the kiosk reconnects.")
    at = slot_at.strftime("%H:%M") if slot_at else ""
    if arrival == "late":
        return (f"Đến sau giờ hẹn {at}".rstrip() + ": phiếu thường, gọi theo thứ tự đến.",
                (f"Arrived after your {at} appointment" if at else "Arrived after your appointment time")
                + ": walk-in ticket, called in order.")
    return (f"Lịch hẹn {at}".rstrip() + " - đã xác nhận; được gọi từ giờ hẹn.",
            f"Appointment {at}".rstrip() + " - checked in; called from your appointment time.")


def shown_code(code: str) -> str:
    """A looked-up code as it may be shown or printed: an ID number masked."""
    return mask_id(code) if code.isdigit() and len(code) == 12 else code


def status_lines(res: StatusResult, language: str) -> tuple[str, ...]:
    """The status slip's lines (``# `` marks a bold line, ``""`` a gap)."""
    en = language == "en"
    out: list[str] = []

    def pair(vi: str, en_text: str, bold: bool = False) -> None:
        out.append((HEADING if bold else "") + vi)
        if en and en_text:
            out.append(en_text)

    code = shown_code(res.code)
    if res.code.isdigit() and len(res.code) == 12:
        pair(f"Số định danh: {code}", f"ID number: {code}")
    else:
        pair(f"Mã hồ sơ: {code}", f"Application: {code}")
    pair(f"Tình trạng: {res.status_vi}", f"Status: {res.status_en}", bold=True)
    if res.received_on:
        pair(f"Ngày tiếp nhận: {res.received_on}", f"Received on: {res.received_on}")
    if res.due_on:
        late = (" (đã quá hạn)", " (overdue)") if res.overdue else ("", "")
        pair(f"Ngày hẹn trả: {res.due_on}{late[0]}", f"Due on: {res.due_on}{late[1]}")
    if res.timeline:
        out.append("")
        pair("Các bước đã qua:", "Steps so far:", bold=True)
        for vi, en_text, at in res.timeline:
            out.append(f"{at}  {vi}" + (f" / {en_text}" if en else ""))
    if res.next_step_vi:
        out.append("")
        pair("Việc cần làm tiếp:", "What to do next:", bold=True)
        pair(res.next_step_vi, res.next_step_en)
    if res.collect_vi:
        out.append("")
        pair("Nhận thẻ:", "Collecting the card:", bold=True)
        pair(res.collect_vi, res.collect_en)
    if res.as_of is not None:
        out.append("")
        at = res.as_of.strftime("%H:%M %d/%m/%Y")
        pair(f"Theo dữ liệu lúc {at} (chưa kết nối được trung tâm).",
             f"As of {at} (the centre could not be reached).")
    return tuple(out)
