"""The demo data ``make run`` imports into its embedded centre (kiosk.demo_centre)."""
from __future__ import annotations

from datetime import date, datetime

from centre.importers import application_row
from kiosk.demo_centre import application_rows, booking_rows, demo_codes


def test_applications_are_valid_portal_rows_with_their_steps_in_order() -> None:
    rows = application_rows(date(2026, 12, 6))
    parsed = [application_row(r) for r in rows]            # the importer's own validation
    codes = demo_codes(date(2026, 12, 6))
    mine = [p.status for p in parsed if p.code == codes.dossier]
    assert mine == [2, 4]                                   # received, then being processed
    assert all(p.received_on and p.received_on < date(2026, 12, 6) for p in parsed)
    returned = [p for p in parsed if p.status == 10]
    assert returned and all(p.returned_on for p in returned)


def test_bookings_are_today_a_quarter_of_an_hour_ahead_and_never_tomorrow() -> None:
    rows = booking_rows(datetime(2026, 12, 6, 10, 2, 30))
    assert {r["NgayHen"] for r in rows} == {"06/12/2026"} and {r["GioHen"] for r in rows} == {"10:17"}
    assert [bool(r["SoDinhDanh"]) for r in rows] == [True, False]   # one by card, one by QR only
    late = booking_rows(datetime(2026, 12, 6, 23, 50))
    assert {(r["NgayHen"], r["GioHen"]) for r in late} == {("06/12/2026", "23:59")}


def test_the_banner_names_the_panel_key_of_the_card_that_booked() -> None:
    codes = demo_codes(date(2026, 12, 6))
    assert codes.card_booking == "LH26120601" and codes.booking == "LH26120602"
    assert codes.card_key == "F1"                           # le_hoang_minh sorts first
    assert "tap card F1" in codes.banner() and codes.dossier in codes.banner()
