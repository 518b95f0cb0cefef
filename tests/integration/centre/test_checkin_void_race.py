"""A check-in refused because the citizen's own lost attempt still holds the booking, while
the drainer delivers that attempt's void at the same moment, on SQLite and PostgreSQL.

The centre answers ``booking_used`` (by card: ``no_booking_today``); before the kiosk looks
at its pending voids the drainer has delivered the void (the booking is open again) and
taken it out of the outbox. The kiosk must still treat the refusal as its own lost attempt
and check in once more, not tell the citizen the booking was used: that left the booking
open with nobody coming for it and the citizen on a walk-in ticket. Found by the chaos day
on PostgreSQL with two centres (2,000 tickets, seed 3: "told no_booking_today, took
walk-in; the booking is booked with ticket id None")."""
from __future__ import annotations

from typing import Any

import pytest

from kiosk.centre_client import CentreRejected
from kiosk.visit import check_in
from offline_cache.outbox import VOID_KIND
from tests.chaos.proxy import ProxyPool
from tests.fixtures.centre_server import CentreProcess
from tests.integration.centre.test_checkin_attempts import CITIZEN, booking, lossy, lost_check_in  # noqa: F401
from tests.integration.centre.test_checkin_pending_void import cancelled_for_nobody, drainer_backing_off


@pytest.mark.parametrize("by_card", [False, True], ids=["by_code", "by_card"])
def test_a_void_delivered_while_the_refusal_comes_back_still_checks_the_citizen_in(
        centre_proc: CentreProcess, lossy: tuple[ProxyPool, Any], by_card: bool,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    pool, _ = lossy
    link, _, made = lost_check_in(centre_proc, lossy, "BK-RACE")
    drainer_backing_off(pool, link)
    real = link.issuer.centre.check_in
    refusals: list[str] = []

    def refused_then_the_drainer_wins(*args: Any) -> Any:
        """The real centre answers; on its first refusal the pending void is delivered and
        gone from the outbox (what the drainer thread does) before the kiosk looks."""
        try:
            return real(*args)
        except CentreRejected as exc:
            refusals.append(exc.code)
            assert len(refusals) > 1 or link.issuer.void_pending_now()
            raise
    monkeypatch.setattr(link.issuer.centre, "check_in", refused_then_the_drainer_wins)
    again = check_in(link.issuer, "" if by_card else "BK-RACE", CITIZEN, "", ())
    assert refusals == ["no_booking" if by_card else "booking_used"]
    assert again.checked_in and again.ticket is not None and again.ticket.centre_id != made["id"]
    assert link.outbox.pending(VOID_KIND) == [] and link.outbox.open_attempts() == []
    cancelled_for_nobody(centre_proc, made)
    now = booking(centre_proc, "BK-RACE")
    assert (now["state"], now["ticket_id"]) == ("checked_in", again.ticket.centre_id)
