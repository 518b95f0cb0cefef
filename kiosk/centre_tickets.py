"""Tickets through the centre, and offline from this kiosk's leased ranges.

:class:`CentreTicketIssuer` is the kiosk's :class:`~kiosk.ticketing.TicketIssuer` when a
centre is configured. Online, the centre numbers the ticket (shared with every kiosk)
and says how many people are ahead. When the centre cannot be reached, the number comes
from this kiosk's lease, the ticket is logged locally and committed to the outbox
*before* it is shown, and the drainer hands it to the centre later (exactly once, at
its original issue time). Print outcomes and handovers always go through the outbox.

Every online attempt's key is recorded in the outbox's store before the request leaves and
forgotten once the citizen has a number (or the offline ticket that replaces the attempt is
queued, in the same transaction). An attempt still recorded when its process is gone was
cut short (``kill -9``, power cut) before anybody saw its number: the next start queues a
``void_attempt`` for it and the centre cancels whatever it made under the key.
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import datetime, timedelta
from typing import Any, Callable
from zoneinfo import ZoneInfo

from kiosk.centre_client import CentrePort, CentreRejected, CentreUnreachable
from kiosk.ticketing import ServiceCatalog, Ticket, TicketError
from offline_cache.leases import LeaseStore
from offline_cache.outbox import VOID_KIND, Outbox, OutboxItem
from offline_cache.ticket_store import TicketStore

log = logging.getLogger(__name__)
LEASE_LOW_WATER = 5          # ask for another block when fewer numbers are left


class NoOfflineNumbers(TicketError):
    """The centre is unreachable and this kiosk has no leased numbers left for the service."""


#: ``Ticket.appointment`` of an offline ticket carrying a booking: checked in when it arrives.
BOOKING_WAITING = "waiting"


def claimed_arrival(data: dict[str, Any]) -> str:
    """The centre's verdict on a booking sent with an online ticket, as ``Ticket.appointment``:
    ``checked_in``, ``late``, or "" (not taken: a walk-in; the flags tell the counter why)."""
    flags = data.get("flags") or []
    if "appointment.claim.checked_in" in flags:
        return "checked_in"
    return "late" if "appointment.claim.late" in flags else ""


#: Marks a booking check-in's idempotency key (``kiosk-01/checkin-<hex>``): the attempt store
#: and the void carry only the key, never the booking.
CHECKIN_MARK = "checkin-"


class CentreTicketIssuer:
    def __init__(self, catalog: ServiceCatalog, centre: CentrePort, store: TicketStore, leases: LeaseStore,
                 outbox: Outbox, kiosk_id: str, *, tz: str = "Asia/Ho_Chi_Minh",
                 now: Callable[[], float] = time.time) -> None:
        self.catalog = catalog
        self.centre = centre
        self.store = store
        self.leases = leases
        self.outbox = outbox
        self.kiosk_id = kiosk_id
        self.tz = ZoneInfo(tz)
        self._now = now
        self.online: bool | None = None   # last known reachability (None: not tried yet)

    def local_now(self) -> datetime:
        return datetime.fromtimestamp(self._now(), self.tz)

    def new_key(self, kind: str = "") -> str:
        """A fresh idempotency key; ``kind`` marks what the attempt is (``CHECKIN_MARK`` for a
        booking check-in), so a void waiting in the outbox tells what it voids."""
        return f"{self.kiosk_id}/{kind}{uuid.uuid4().hex}"

    def void_pending_for(self, mark: str) -> bool:
        """Whether an undelivered void is for an attempt whose key carries ``mark``."""
        return any(f"/{mark}" in item.payload.get("replaces", "") for item in self.outbox.pending(VOID_KIND))

    def issue(self, service_code: str, priority_group: str = "", flags: tuple[str, ...] = (),
              booking: dict[str, str] | None = None) -> Ticket:
        """A ticket from the centre, or from this kiosk's lease when the centre is unreachable.
        ``booking`` (``code``, ``id_number``): a booking whose check-in could not reach the
        centre; it goes with the ticket (encrypted in the outbox when offline) and the
        centre checks it in with the ticket, judged at the ticket's issue time."""
        service = self.catalog.get(service_code)
        if booking and self.void_pending_for(CHECKIN_MARK) and not self.void_pending_now():
            # The citizen's own lost check-in still holds the booking and its void cannot go
            # now: online, the centre would judge the claim booking_used (and the void, coming
            # later, would open the booking for nobody). Offline, the outbox sends the void first.
            self.online = False
            return self._issue_offline(service, priority_group, flags, self.new_key(), booking=booking)
        key = self.new_key()
        # committed before the request leaves: if this process dies before the citizen sees
        # the number, the next start voids the attempt (nobody would hold its ticket)
        self.outbox.begin_attempt(key)
        try:
            data = self.centre.issue(service.code, priority_group, list(flags), key, booking)
        except CentreRejected as exc:
            self.outbox.end_attempt(key)    # a refusal: the centre made nothing under the key
            raise TicketError(f"centre refused the ticket: {exc.code}") from exc
        except CentreUnreachable:
            self.online = False
            # A new key: the centre may have made the online ticket and only its answer was
            # lost; under the same key it would refuse the offline one (idempotency_key_reused)
            # and the number on the citizen's screen would never reach the queue. The offline
            # ticket names the attempt it replaces: the centre cancels a ghost made under it
            # (or refuses the attempt if it arrives late), so nobody's number is called twice.
            return self._settled_or_void(key, lambda: self._issue_offline(
                service, priority_group, flags, f"{key}/offline", replaces=key, booking=booking))
        except Exception:
            self.outbox.void_attempt(key)   # no telling what the centre made: nobody will hold it
            raise
        self.online = True
        ticket = self._settled_or_void(key, lambda: self.from_centre(
            data, key, flags, appointment=claimed_arrival(data) if booking else ""))
        self.outbox.end_attempt(key)
        return ticket

    def _settled_or_void(self, key: str, make: Callable[[], Ticket]) -> Ticket:
        """``make()`` the citizen's ticket; if that fails (no offline numbers left, the local
        store not writable), nobody will hold what the attempt ``key`` made: void it."""
        try:
            return make()
        except Exception:
            self.outbox.void_attempt(key)
            raise

    def from_centre(self, data: dict[str, Any], key: str, flags: tuple[str, ...] = (),
                    appointment: str = "") -> Ticket:
        """A ticket the centre numbered, logged locally (for reprint and maintenance)."""
        service = self.catalog.get(data["service"])
        issued = datetime.fromisoformat(data["issued_at"]).astimezone(self.tz)
        wait = data.get("wait")
        ticket = Ticket(number=data["number"], service=service, priority_group=data.get("priority_group", ""),
                        issued_at=issued.replace(tzinfo=None), waiting_ahead=data.get("people_ahead"),
                        wait_minutes=(wait["low_min"], wait["high_min"]) if wait else None,
                        follow_code=f"T{data['id']}", flags=tuple(flags), centre_id=int(data["id"]),
                        client_key=key, appointment=appointment)
        self.store.record(number=ticket.number, prefix=service.prefix, seq=int(data["number"][len(service.prefix):]),
                          service_code=service.code, priority_group=ticket.priority_group,
                          issued_at=ticket.issued_at, flags=ticket.flags, source="centre", client_key=key)
        return ticket

    def _issue_offline(self, service: Any, priority_group: str, flags: tuple[str, ...], key: str,
                       replaces: str = "", booking: dict[str, str] | None = None) -> Ticket:
        now = self.local_now()
        seq = self.leases.take(now.date().isoformat(), service.prefix)
        if seq is None:
            raise NoOfflineNumbers("no offline numbers left for this service")
        number = f"{service.prefix}{seq:03d}"
        ticket = Ticket(number=number, service=service, priority_group=priority_group,
                        issued_at=now.replace(tzinfo=None), follow_code=f"{self.kiosk_id}/{number}",
                        flags=tuple(flags) + ("offline",), offline=True, client_key=key,
                        appointment=BOOKING_WAITING if booking else "")
        self.store.record(number=number, prefix=service.prefix, seq=seq, service_code=service.code,
                          priority_group=priority_group, issued_at=ticket.issued_at, flags=ticket.flags,
                          source="offline", client_key=key)
        # committed before the citizen sees the number: a kill -9 after this loses nothing;
        # the item settles the replaced attempt, so its record goes in the same transaction
        self.outbox.put("offline_ticket", key, {
            "service": service.code, "priority_group": priority_group, "flags": list(ticket.flags),
            "seq": seq, "issued_at": now.isoformat(), "client_ref": key,
            **({"replaces": replaces} if replaces else {}),
            **({"booking": booking} if booking else {})}, ends_attempt=replaces)
        return ticket

    def record_print(self, ticket: Ticket, error: str = "") -> None:
        self.store.mark_printed(ticket.number, error)
        if ticket.client_key:
            self.outbox.put("print", f"{ticket.client_key}/print", {
                "ticket_id": ticket.centre_id, "ok": not error, "error": error},
                depends_on=ticket.client_key if ticket.offline else "")

    def send_void(self, item: OutboxItem) -> None:
        """Deliver one ``void_attempt`` outbox item and record it delivered; raises
        :class:`CentreUnreachable` / :class:`CentreRejected` for the caller to book."""
        answer = self.centre.void_attempt(str(item.payload["replaces"]), item.key)
        self.outbox.delivered(item, {"outcome": str((answer or {}).get("outcome", ""))})

    def void_pending_now(self) -> bool:
        """Deliver this kiosk's undelivered voids now, ahead of their retry time and of the
        outbox's order (a void depends on nothing and nothing depends on it): a check-in
        refused because of this kiosk's own lost attempt can then be tried again. True when
        none is left; when the centre cannot be reached the drainer keeps them, its backoff
        unchanged. A void the drainer delivers at the same moment is harmless (the centre
        answers the same key once and replays)."""
        for item in self.outbox.pending(VOID_KIND):
            try:
                self.send_void(item)
            except CentreUnreachable:
                return False
            except CentreRejected as exc:
                log.warning("centre refused outbox item %s: %s", item.kind, exc.code)
                self.outbox.dead(item, exc.code)
        return True

    def attach_handover(self, ticket: Ticket, handover: dict[str, Any]) -> None:
        """Queue what the citizen confirmed for the counter (encrypted in the outbox)."""
        if ticket.client_key:
            self.outbox.put("handover", f"{ticket.client_key}/handover",
                            {"ticket_id": ticket.centre_id, "handover": handover},
                            depends_on=ticket.client_key if ticket.offline else "")


class OutboxDrainer:
    """Sends the outbox in order, with backoff; keeps the leases topped up and sends the
    heartbeat. One daemon thread; ``sync_now()`` drains at once (maintenance, CLI)."""

    def __init__(self, issuer: CentreTicketIssuer, *, prefixes: list[str],
                 health: Callable[[], dict[str, Any]] = dict, heartbeat_s: float = 30.0,
                 retention_s: float = 24 * 3600.0) -> None:
        self.issuer = issuer
        self.outbox = issuer.outbox
        self.centre = issuer.centre
        self.prefixes = prefixes
        self.health = health
        self.heartbeat_s = heartbeat_s
        self.retention_s = retention_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_beat = 0.0
        self._sync_lock = threading.Lock()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-drainer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.outbox.wake.set()
        if self._thread:
            self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sync_now()
            except Exception as exc:  # the drainer must survive anything and try again
                log.warning("outbox sync failed: %s", type(exc).__name__)
            self.outbox.wake.wait(2.0)
            self.outbox.wake.clear()

    def sync_now(self) -> int:
        """Deliver what is due; refresh leases and heartbeat when due. Returns items delivered."""
        with self._sync_lock:
            delivered = self.drain()
            now = time.time()
            if now - self._last_beat >= self.heartbeat_s:
                self._last_beat = now
                self.refresh_leases()
                self.outbox.purge(self.retention_s)
                try:
                    self.centre.heartbeat("ok", {**self.health(), "outbox": self.outbox.stats().as_dict()})
                    self.issuer.online = True     # the offline bar goes away without a ticket
                except CentreUnreachable:
                    self.issuer.online = False    # ... and shows while no citizen is served
                except CentreRejected:
                    pass
            return delivered

    def drain(self) -> int:
        sent = 0
        while True:
            items = self.outbox.due()
            if not items:
                return sent
            for item in items:
                if not self._deliver(item):
                    return sent
                sent += 1

    def _deliver(self, item: OutboxItem) -> bool:
        payload = dict(item.payload)
        try:
            if item.depends_on:
                dep = self.outbox.result_of(item.depends_on)
                if dep is None:
                    # the ticket it belongs to was refused or expired: nothing to attach to
                    self.outbox.dead(item, "ticket_not_delivered")
                    return True
                payload["ticket_id"] = payload.get("ticket_id") or dep.get("id")
            if item.kind == "offline_ticket":
                result = self.centre.issue_offline(payload, item.key)
                self.outbox.delivered(item, {"id": result["id"], "number": result["number"]})
            elif item.kind == "print":
                self.centre.record_print(int(payload["ticket_id"]), bool(payload["ok"]), payload["error"], item.key)
                self.outbox.delivered(item)
            elif item.kind == "handover":
                self.centre.attach_handover(int(payload["ticket_id"]), payload["handover"], item.key)
                self.outbox.delivered(item)
            elif item.kind == VOID_KIND:
                self.issuer.send_void(item)
            else:
                self.outbox.dead(item, f"unknown kind {item.kind}")
            self.issuer.online = True
            return True
        except CentreUnreachable as exc:
            self.issuer.online = False
            self.outbox.failed(item, type(exc).__name__, backoff_s=min(60.0, 1.0 * 2 ** item.attempts))
            return False
        except CentreRejected as exc:
            log.warning("centre refused outbox item %s: %s", item.kind, exc.code)
            self.outbox.dead(item, exc.code)
            return True

    def refresh_leases(self) -> None:
        """Hold a block per prefix for today, and for tomorrow from the evening on."""
        now = self.issuer.local_now()
        days = [now.date()] + ([now.date() + timedelta(days=1)] if now.hour >= 18 else [])
        for day in days:
            d = day.isoformat()
            try:
                for block in self.centre.lease(d, self.prefixes, False, f"{self.issuer.kiosk_id}/lease/{d}"):
                    self.issuer.leases.add(block["day"], block["prefix"], block["lo"], block["hi"])
                for prefix in self.prefixes:
                    if self.issuer.leases.remaining(d, prefix) < LEASE_LOW_WATER:
                        for block in self.centre.lease(d, [prefix], True, self.issuer.new_key()):
                            self.issuer.leases.add(block["day"], block["prefix"], block["lo"], block["hi"])
            except (CentreUnreachable, CentreRejected):
                return
        self.issuer.leases.purge_before(now.date().isoformat())
