"""What the counter console and the hall display show, gathered for their templates
(read-only; the pages render it on the server, the browser only swaps the HTML in)."""
from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from centre import views
from centre.domain.errors import CentreError
from centre.domain.tickets import State
from centre.principals import CounterSession
from centre.service import Centre
from centre.store.events import last_event_id
from centre.store.schema import rating, ticket

RATING_WINDOW_S = 600.0   # the rating prompt stays offered this long after a finish

# Labels of the chip fields the kiosk hands over (unknown keys are shown as they come).
CHIP_LABELS = {
    "full_name": "Họ và tên", "id_number": "Số định danh", "date_of_birth": "Ngày sinh",
    "sex": "Giới tính", "nationality": "Quốc tịch", "ethnicity": "Dân tộc", "religion": "Tôn giáo",
    "place_of_origin": "Quê quán", "place_of_residence": "Nơi thường trú", "address": "Nơi thường trú",
    "date_of_issue": "Ngày cấp", "date_of_expiry": "Có giá trị đến", "old_id_number": "Số CMND cũ",
    "father_name": "Họ tên cha", "mother_name": "Họ tên mẹ", "spouse_name": "Họ tên vợ/chồng",
    "personal_marks": "Đặc điểm nhận dạng",
}

# Passive authentication verdicts (the kiosk's AuthVerdict codes) -> badge class and text.
PA_BADGES = {
    "verified": ("ok", "Chip xác thực: dữ liệu và chữ ký hợp lệ, chuỗi CSCA đã xác minh"),
    "signature_only": ("warn", "Chip: chữ ký hợp lệ, chuỗi CSCA chưa xác minh"),
    "failed": ("bad", "Chip KHÔNG xác thực được — kiểm tra giấy tờ gốc"),
}
# What a ticket's flags tell the officer (set by the kiosk or, for a claimed booking, by the
# centre: centre.records.ClaimedBooking); flags without a note here are shown elsewhere
# (the chip badge, the handover) or are for reports.
FLAG_NOTES = {
    "appointment.not_checked_in": ("warn", "Công dân có lịch hẹn mà máy chưa xác nhận được — kiểm tra lịch hẹn."),
    "appointment.identity_unchecked": ("warn", "Lịch hẹn xác nhận không kèm thẻ căn cước — kiểm tra giấy tờ tùy thân."),
    "appointment.claim.checked_in": ("ok", "Lịch hẹn đã được xác nhận khi máy kết nối lại với trung tâm."),
    "appointment.claim.late": ("warn", "Công dân đến sau giờ hẹn: phiếu thường."),
    "appointment.claim.identity_mismatch": ("bad", "Thẻ căn cước KHÔNG khớp lịch hẹn được đưa ra — kiểm tra giấy tờ."),
    "appointment.claim.no_booking": ("warn", "Không tìm thấy lịch hẹn công dân đưa ra — hỏi lại mã lịch hẹn."),
    "appointment.claim.booking_used": ("warn", "Lịch hẹn công dân đưa ra đã được dùng cho phiếu khác."),
    "appointment.claim.booking_other_day": ("warn", "Lịch hẹn công dân đưa ra là của ngày khác."),
    "appointment.claim.booking_other_service": ("warn", "Lịch hẹn công dân đưa ra là cho dịch vụ khác."),
    "card_expired": ("warn", "Thẻ căn cước của công dân đã hết hạn."),
}


def flag_notes(flags: list[str]) -> list[dict[str, str]]:
    """The notes for a ticket's ``flags``, in the order the kiosk and centre set them."""
    return [{"level": FLAG_NOTES[f][0], "text": FLAG_NOTES[f][1]} for f in flags if f in FLAG_NOTES]


# Reasons asked after a low rating: stored as codes (the centre keeps them space-joined).
RATING_REASONS = (("wait", "Chờ lâu"), ("attitude", "Thái độ phục vụ"), ("guidance", "Hướng dẫn chưa rõ"),
                  ("procedure", "Thủ tục phức tạp"), ("other", "Khác"))


def shown_value(key: str, value: Any) -> Any:
    """A chip field as the officer reads it: dates (ISO 8601 in the handover) as dd/mm/yyyy,
    like the citizen's card and every other date in the centre."""
    if key.startswith("date_") and isinstance(value, str) and len(value) == 10 \
            and value[4] == value[7] == "-" and value.replace("-", "").isdigit():
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    return value


def handover_view(raw: dict[str, Any]) -> dict[str, Any]:
    """The handover as rows the officer reads: every chip field with its label, the flagged
    ones with the corrected value, and the passive-authentication badge."""
    chip = raw.get("chip") or {}
    flagged = set(raw.get("flagged") or [])
    corrections = raw.get("corrections") or {}
    rows = []
    for key, value in chip.items():
        if isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False)
        rows.append({"key": key, "label": CHIP_LABELS.get(key, key), "value": shown_value(key, value),
                     "flagged": key in flagged, "corrected": shown_value(key, corrections.get(key))})
    for key, value in corrections.items():   # a correction of a field the chip did not give
        if key not in chip:
            rows.append({"key": key, "label": CHIP_LABELS.get(key, key), "value": "",
                         "flagged": True, "corrected": shown_value(key, value)})
    for key in sorted(flagged - set(chip) - set(corrections)):
        rows.append({"key": key, "label": CHIP_LABELS.get(key, key), "value": "",
                     "flagged": True, "corrected": None})
    pa = raw.get("passive_auth") or {}
    source = raw.get("source") or ""
    if pa.get("code") in PA_BADGES:
        badge_class, badge_text = PA_BADGES[pa["code"]]
    elif source and source != "card":
        badge_class, badge_text = "none", f"Không đọc chip (nguồn: {source})"
    else:
        badge_class, badge_text = "none", "Chưa có kết quả xác thực chip"
    return {"rows": rows, "badge_class": badge_class, "badge_text": badge_text,
            "pa_reason": pa.get("reason") or "", "portrait": raw.get("portrait_jpeg_b64") or "",
            "priority_reason": raw.get("priority_reason") or "", "source": source,
            "flagged_count": len(flagged | set(corrections))}


def _rating_due(centre: Centre, conn: Connection, counter: int) -> dict[str, Any] | None:
    """The ticket this counter finished last, if recent and not rated yet."""
    now = centre.clock()
    row = conn.execute(select(ticket).where(
        ticket.c.counter == counter, ticket.c.state == State.DONE.value,
        ticket.c.ended_at >= now - RATING_WINDOW_S).order_by(ticket.c.ended_at.desc())).first()
    if row is None:
        return None
    if conn.execute(select(rating.c.ticket_id).where(rating.c.ticket_id == row.id)).first():
        return None
    return {"id": row.id, "number": row.number}


def _held(centre: Centre, conn: Connection, counter: int) -> list[dict[str, Any]]:
    rows = conn.execute(select(ticket).where(ticket.c.counter == counter, ticket.c.state == State.HELD.value)
                        .order_by(ticket.c.called_at))
    return [centre.ticket_view(r) for r in rows]


def counter_panel(centre: Centre, conn: Connection, s: CounterSession) -> dict[str, Any]:
    """Everything the console shows for a signed-in counter."""
    services = list(s.services)
    waiting = views.queue_view(centre, conn, services, s.counter)
    current = views.current_of(centre, conn, s.counter)
    if current is not None and current["state"] == State.HELD.value:
        current = None            # a held ticket is listed under "held", not as the current one
    handover = None
    if current is not None:
        try:
            handover = handover_view(json.loads(centre.get_handover(conn, s, current["id"])))
        except CentreError:
            handover = None       # no handover attached (walk-in without a card, typed…)
    by_service = []
    names = {d.code: d for d in centre.settings.services}
    for code in services:
        rows = [w for w in waiting if w["service"] == code]
        by_service.append({"code": code, "vi": names[code].vi if code in names else code, "rows": rows})
    return {
        "session": {"counter": s.counter, "officer": s.officer, "services": services},
        "current": current, "handover": handover, "waiting": waiting, "by_service": by_service,
        "notes": flag_notes(current["flags"]) if current is not None else [],
        "held": _held(centre, conn, s.counter),
        "appointments": views.appointments_due(centre, conn, services),
        "stats": views.counter_stats(centre, conn, s.counter),
        "rating_due": _rating_due(centre, conn, s.counter),
        "reasons": RATING_REASONS,
        "no_show_after": centre.settings.no_show_after_calls,
        "services": centre.settings.services, "counters": centre.settings.counters,
        "service_names": {d.code: d.vi for d in centre.settings.services},
        "priority_names": {},
    }


def display_panel(centre: Centre, conn: Connection) -> dict[str, Any]:
    """The hall display's state plus the centre's clock (the TV shows the centre's time)."""
    view = views.display_view(centre, conn, recent=centre.settings.web.recent)
    return {**view, "now": centre.clock(), "message": centre.settings.web.message,
            "last_event": last_event_id(conn)}


def minutes(seconds: float | None) -> str:
    """``754`` -> ``12:34`` (minutes:seconds) for waiting and service times."""
    if seconds is None:
        return "—"
    s = int(seconds)
    return f"{s // 60}:{s % 60:02d}"


def wait_text(wait: dict[str, int] | None) -> str:
    """A wait range as the hall reads it: "10–15 phút", "dưới 1 phút", or "—" (hidden)."""
    if wait is None:
        return "—"
    lo, hi = wait["low_min"], wait["high_min"]
    if hi <= 1:
        return "dưới 1 phút" if lo == 0 and hi == 1 else "không phải chờ" if hi == 0 else f"{hi} phút"
    return f"{lo}–{hi} phút" if lo != hi else f"{hi} phút"
