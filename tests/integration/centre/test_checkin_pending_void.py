"""A citizen who checks in again before the void of their lost attempt has gone, on SQLite
and PostgreSQL. The kiosk lost the first answer (the fault proxy resets the connection
instead of answering) and queued a void; the drainer is in its backoff when the citizen
tries again, so the centre still has the booking checked in and answers ``booking_used``.
The kiosk delivers its pending voids at once and checks in once more; when it cannot
deliver them (the link is cut right after the refusal) it says ``checkin_pending``, not
that the booking was used. A booking really used at another kiosk is still said so."""
from __future__ import annotations

import asyncio
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from kiosk.centre_tickets import CHECKIN_MARK
from kiosk.visit import CheckInError, check_in
from offline_cache.outbox import VOID_KIND
from tests.chaos.proxy import ProxyPool
from tests.fixtures.centre_server import CentreProcess
from tests.integration.centre.conftest import signed_in
from tests.integration.centre.test_checkin_attempts import (ABANDONED, CITIZEN, book, booking,  # noqa: F401
                                                            checked_in, lossy, lost_check_in)
from tests.integration.centre.test_ghost_tickets import cancel_events, centre_tickets, detail
from tests.integration.centre.test_kiosk_on_centre import make_link

T = "/api/v1"


def cut(pool: ProxyPool, on: bool) -> None:
    """Partition the kiosk's proxy and wait until its open connections are reset (the
    proxy cuts them on its loop; a no-op queued after the cut returns once it is done)."""
    pool.partition(0, on)
    asyncio.run_coroutine_threadsafe(asyncio.sleep(0), pool.loop).result(5)


def drainer_backing_off(pool: ProxyPool, link: Any) -> None:
    """The drainer tried the void while the link was cut: it waits for its backoff."""
    cut(pool, True)
    assert link.drainer.drain() == 0
    cut(pool, False)
    assert link.outbox.due() == [] and len(link.outbox.pending(VOID_KIND)) == 1


@contextmanager
def link_cut_after_the_answer(pool: ProxyPool, link: Any) -> Iterator[None]:
    """Inside: the centre answers the kiosk's check-in (a refusal) and the link goes down
    right after, before the pending void can follow; the link stays down afterwards."""
    centre = link.issuer.centre
    real: Callable[..., Any] = centre.check_in

    def refused_then_link_cut(*args: Any) -> Any:
        try:
            return real(*args)
        finally:
            cut(pool, True)
    centre.check_in = refused_then_link_cut
    try:
        yield
    finally:
        del centre.check_in


def cancelled_for_nobody(proc: CentreProcess, made: dict[str, Any]) -> None:
    now = detail(proc, made["id"])
    assert now["state"] == "cancelled" and now["history"][-1]["detail"] == ABANDONED
    assert len(cancel_events(proc, made["id"])) == 1


def test_a_retry_before_the_void_is_delivered_delivers_it_and_checks_in(
        centre_proc: CentreProcess, lossy: tuple[ProxyPool, Any]) -> None:  # noqa: F811
    pool, _ = lossy
    link, key, made = lost_check_in(centre_proc, lossy, "BK-AGAIN")
    drainer_backing_off(pool, link)
    again = checked_in(link, "BK-AGAIN")
    assert again.checked_in and again.arrival == "on_time" and again.ticket is not None
    assert again.ticket.centre_id != made["id"]
    assert link.outbox.result_of(f"{key}/void") == {"outcome": "cancelled"}
    assert link.outbox.pending(VOID_KIND) == [] and link.outbox.open_attempts() == []
    cancelled_for_nobody(centre_proc, made)
    now = booking(centre_proc, "BK-AGAIN")
    assert (now["state"], now["ticket_id"]) == ("checked_in", again.ticket.centre_id)
    c3 = signed_in(centre_proc, 3, ["cccd_new"])
    assert c3.post(f"{T}/counter/call-next")[1]["id"] == again.ticket.centre_id
    assert c3.get(f"{T}/counter/queue")[1]["waiting"] == []     # the cancelled one is not queued


def test_a_void_that_cannot_go_now_says_checkin_pending_and_the_next_try_works(
        centre_proc: CentreProcess, lossy: tuple[ProxyPool, Any]) -> None:  # noqa: F811
    pool, _ = lossy
    link, key, made = lost_check_in(centre_proc, lossy, "BK-PENDING")
    drainer_backing_off(pool, link)
    with link_cut_after_the_answer(pool, link), pytest.raises(CheckInError) as refused:
        checked_in(link, "BK-PENDING")          # the centre answers booking_used, then the link goes
    assert refused.value.code == "checkin_pending"
    assert [i.payload for i in link.outbox.pending(VOID_KIND)] == [{"replaces": key}]
    assert link.outbox.open_attempts() == []          # the refused try left nothing to void
    assert [t["id"] for t in centre_tickets(centre_proc)] == [made["id"]]     # nothing new made
    assert booking(centre_proc, "BK-PENDING")["ticket_id"] == made["id"]      # still held
    cut(pool, False)
    again = checked_in(link, "BK-PENDING")            # a minute later: the void goes first
    assert again.ticket is not None and again.ticket.centre_id != made["id"]
    cancelled_for_nobody(centre_proc, made)
    assert link.outbox.pending(VOID_KIND) == []


def test_a_booking_used_at_another_kiosk_is_said_so(
        centre_proc: CentreProcess, lossy: tuple[ProxyPool, Any], tmp_path: Path) -> None:  # noqa: F811
    link, key, made = lost_check_in(centre_proc, lossy, "BK-MINE")   # a void pending here
    other = make_link(centre_proc, tmp_path, "kiosk-02")
    try:
        book(centre_proc, "BK-OTHER")
        there = check_in(other.issuer, "BK-OTHER", CITIZEN, "", ())
        assert there.ticket is not None
    finally:
        other.close()
    with pytest.raises(CheckInError) as used:      # the void goes, the retry is refused too
        checked_in(link, "BK-OTHER")
    assert used.value.code == "booking_used"
    assert link.outbox.result_of(f"{key}/void") == {"outcome": "cancelled"}
    cancelled_for_nobody(centre_proc, made)
    with pytest.raises(CheckInError) as used:      # no void pending here any more
        checked_in(link, "BK-OTHER")
    assert used.value.code == "booking_used"
    kept = booking(centre_proc, "BK-OTHER")
    assert (kept["state"], kept["ticket_id"]) == ("checked_in", there.ticket.centre_id)


def test_a_pending_walk_in_void_does_not_hold_up_a_used_booking(
        centre_proc: CentreProcess, tmp_path: Path) -> None:
    """Only a check-in's void can explain ``booking_used``: with a walk-in ticket's void
    waiting, the citizen hears at once that the booking was used, and the void is left to
    the drainer (not sent on the check-in's account)."""
    other = make_link(centre_proc, tmp_path, "kiosk-02")
    try:
        book(centre_proc, "BK-ELSEWHERE")
        assert check_in(other.issuer, "BK-ELSEWHERE", CITIZEN, "", ()).ticket is not None
    finally:
        other.close()
    link = make_link(centre_proc, tmp_path / "here", "kiosk-01")
    try:
        walk_in = link.issuer.new_key()
        link.outbox.begin_attempt(walk_in)
        link.outbox.void_attempt(walk_in)
        assert not link.issuer.void_pending_for(CHECKIN_MARK)
        sent: list[Any] = []
        link.issuer.send_void = sent.append   # type: ignore[method-assign]
        with pytest.raises(CheckInError) as used:
            checked_in(link, "BK-ELSEWHERE")
        assert used.value.code == "booking_used"
        assert sent == [] and [i.payload for i in link.outbox.pending(VOID_KIND)] == [{"replaces": walk_in}]
        assert link.outbox.open_attempts() == []          # the refused check-in left nothing
    finally:
        link.close()


def test_a_check_in_key_is_marked_and_a_ticket_key_is_not(
        centre_proc: CentreProcess, tmp_path: Path) -> None:
    link = make_link(centre_proc, tmp_path, "kiosk-01")
    try:
        assert link.issuer.new_key(CHECKIN_MARK).startswith("kiosk-01/" + CHECKIN_MARK)
        assert CHECKIN_MARK not in link.issuer.new_key()
    finally:
        link.close()
