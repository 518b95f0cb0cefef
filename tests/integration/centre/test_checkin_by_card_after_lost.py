"""A citizen who checks in by card ("I have an appointment": no booking code, the centre finds
today's open booking of the ID number) while this kiosk's void of their own lost check-in
has not gone yet, on SQLite and PostgreSQL.

The lost check-in still holds the booking, so the centre finds no open booking for the ID
(``no_booking``; by code it would say ``booking_used``). The kiosk must treat it like the
``booking_used`` of a code: deliver its pending check-in voids at once and try again, or
say ``checkin_pending`` when they cannot go now - not tell the citizen they have no booking
today. (Found by the chaos day with bookings: after a ``kill -9`` in the middle of a
check-in by card, the restarted kiosk's retry beat its own void to the centre.)"""
from __future__ import annotations

from typing import Any

import pytest

from kiosk.visit import CheckInError, check_in
from offline_cache.outbox import VOID_KIND
from tests.chaos.proxy import ProxyPool
from tests.fixtures.centre_server import CentreProcess
from tests.integration.centre.test_checkin_attempts import CITIZEN, booking, lossy, lost_check_in  # noqa: F401
from tests.integration.centre.test_checkin_pending_void import (cancelled_for_nobody, cut, drainer_backing_off,
                                                               link_cut_after_the_answer)


def by_card(link: Any) -> Any:
    return check_in(link.issuer, "", CITIZEN, "", ())


def test_a_check_in_by_card_before_the_void_went_delivers_it_and_checks_in(
        centre_proc: CentreProcess, lossy: tuple[ProxyPool, Any]) -> None:  # noqa: F811
    pool, _ = lossy
    link, key, made = lost_check_in(centre_proc, lossy, "BK-CARD")
    drainer_backing_off(pool, link)
    again = by_card(link)
    assert again.checked_in and again.ticket is not None and again.ticket.centre_id != made["id"]
    assert link.outbox.result_of(f"{key}/void") == {"outcome": "cancelled"}
    cancelled_for_nobody(centre_proc, made)
    kept = booking(centre_proc, "BK-CARD")
    assert (kept["state"], kept["ticket_id"]) == ("checked_in", again.ticket.centre_id)


def test_a_check_in_by_card_whose_void_cannot_go_says_checkin_pending(
        centre_proc: CentreProcess, lossy: tuple[ProxyPool, Any]) -> None:  # noqa: F811
    pool, _ = lossy
    link, key, made = lost_check_in(centre_proc, lossy, "BK-CARD-WAIT")
    drainer_backing_off(pool, link)
    with link_cut_after_the_answer(pool, link), pytest.raises(CheckInError) as refused:
        by_card(link)                   # the centre finds no open booking, then the link goes
    assert refused.value.code == "checkin_pending"
    assert [i.payload for i in link.outbox.pending(VOID_KIND)] == [{"replaces": key}]
    cut(pool, False)
    again = by_card(link)               # a minute later: the void goes first
    assert again.ticket is not None and booking(centre_proc, "BK-CARD-WAIT")["ticket_id"] == again.ticket.centre_id
    cancelled_for_nobody(centre_proc, made)


def test_no_booking_by_card_with_no_void_pending_is_said_at_once(
        centre_proc: CentreProcess, lossy: tuple[ProxyPool, Any]) -> None:  # noqa: F811
    _, link = lossy
    with pytest.raises(CheckInError) as none:
        by_card(link)
    assert none.value.code == "no_booking_today"
