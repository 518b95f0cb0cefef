"""Wiring of the kiosk to its centre (``centre.url`` / ``centre.token``): the HTTP client,
the offline store (leases, outbox, status snapshots) and the drainer thread."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from kiosk.centre_client import HttpCentre
from kiosk.centre_status import CentreStatusLookup
from kiosk.centre_tickets import CentreTicketIssuer, OutboxDrainer
from kiosk.ticketing import ServiceCatalog
from offline_cache.leases import LeaseStore
from offline_cache.outbox import Outbox
from offline_cache.sealed import StoreSealer, store_key
from offline_cache.status_cache import StatusCache
from offline_cache.ticket_store import TicketStore

log = logging.getLogger(__name__)


@dataclass
class CentreLink:
    issuer: CentreTicketIssuer
    lookup: CentreStatusLookup
    outbox: Outbox
    leases: LeaseStore
    drainer: OutboxDrainer

    def close(self) -> None:
        self.drainer.stop()
        self.outbox.close()
        self.leases.close()

    def summary(self) -> dict[str, Any]:
        """For the maintenance screen and ``diagnose``: reachability and the outbox backlog."""
        st = self.outbox.stats()
        return {"online": self.issuer.online, "backlog": st.backlog, "oldest_at": st.oldest_at,
                "failing": st.failing}


def connect_centre(config: Any, catalog: ServiceCatalog, store: TicketStore, status: StatusCache,
                   store_dir: Path, *, health: Callable[[], dict[str, Any]] = dict,
                   start: bool = True) -> CentreLink:
    """Build the link to the configured centre; ``start`` runs the drainer thread."""
    key = store_key(store_dir.parent)
    sealer = StoreSealer(key)
    centre = HttpCentre(config["centre.url"], config["centre.token"])
    outbox = Outbox(store_dir / "outbox.sqlite3", sealer)
    leases = LeaseStore(store_dir / "outbox.sqlite3")
    # online attempts a crash cut short before the citizen saw a number: the drainer tells
    # the centre, which cancels what it made for nobody (only attempts of dead processes)
    voided = outbox.void_abandoned()
    if voided:
        log.warning("%d ticket attempt(s) cut short by a crash: voiding them at the centre", len(voided))
    tz = config["centre_service.timezone"]
    issuer = CentreTicketIssuer(catalog, centre, store, leases, outbox, config["kiosk.id"], tz=tz)
    retention = config["centre.retention_h"] * 3600.0
    lookup = CentreStatusLookup(centre, status, sealer, key, retention_s=retention)
    drainer = OutboxDrainer(issuer, prefixes=[s.prefix for s in catalog.services], health=health,
                            retention_s=retention)
    if start:
        drainer.start()
    return CentreLink(issuer, lookup, outbox, leases, drainer)
