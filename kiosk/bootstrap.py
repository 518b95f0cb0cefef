"""Composition root: builds devices and services from configuration.

Tests build the same graph and override any part (e.g. pass their own devices).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from hardware.base import Device
from hardware.camera import Camera
from hardware.card_reader import CardReader
from hardware.printer import TicketPrinter
from hardware.qr_scanner import QrScanner
from hardware.registry import create_device
from kiosk.centre_link import CentreLink, connect_centre
from kiosk.config import Config
from kiosk.controller import KioskController
from kiosk.dispatch import Dispatcher
from kiosk.flow import Flow, Timeouts
from kiosk.photo.settings import PhotoSettings
from kiosk.photo_service import PhotoService
from kiosk.qr_events import QrInterpreter
from kiosk.speech import from_config as speech_from_config
from kiosk.ticketing import LocalTicketIssuer, ServiceCatalog
from offline_cache.status_cache import StatusCache
from offline_cache.ticket_store import TicketStore

DEVICE_KINDS = ("card_reader", "qr_scanner", "camera", "printer")
REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Devices:
    card_reader: CardReader
    qr_scanner: QrScanner
    camera: Camera
    printer: TicketPrinter

    def all(self) -> dict[str, Device[Any]]:
        return {k: getattr(self, k) for k in DEVICE_KINDS}


@dataclass
class Kiosk:
    """The wired kiosk: configuration, devices, services, flow and controller."""

    config: Config
    devices: Devices
    catalog: ServiceCatalog
    ticket_store: TicketStore
    status_cache: StatusCache
    flow: Flow
    controller: KioskController
    data_dir: Path
    simulated: bool = False   # every device is simulated
    demo: bool = False        # kiosk.mode = "demo" (what the developer panel and seeding follow)
    centre: CentreLink | None = None   # the centre service link (None: local numbering only)
    demo_codes: Any = None   # kiosk.demo_centre.DemoCodes of an embedded demo centre (developer panel)
    _closed: bool = field(default=False, repr=False)
    # Devices open on a worker after the window is up; closing waits for the device being
    # opened and no device opens after close. (A camera opened after close left OpenCV's
    # threads running into interpreter exit, which could abort the process.)
    _device_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def open_devices(self) -> dict[str, Exception]:
        """Open every device; returns the ones that failed (kind -> error), never raises.
        Once the kiosk is closed, nothing more is opened."""
        failed: dict[str, Exception] = {}
        for kind, dev in self.devices.all().items():
            with self._device_lock:
                if self._closed:
                    break
                try:
                    dev.open()
                except Exception as exc:  # a broken device must not keep the kiosk from starting
                    failed[kind] = exc
        return failed

    def close(self) -> None:
        with self._device_lock:     # waits for a device being opened right now
            if self._closed:
                return
            self._closed = True
        self.controller.stop()
        if self.centre is not None:
            self.centre.close()
        for dev in self.devices.all().values():
            try:
                dev.close()
            except Exception:  # closing is best effort
                pass
        self.ticket_store.close()
        self.status_cache.close()


def resolve_path(value: str) -> Path:
    """Relative paths in the config are relative to the repository (the kiosk's home)."""
    p = Path(value).expanduser()
    return p if p.is_absolute() else REPO_ROOT / p


def build_devices(config: Config, overrides: dict[str, Device[Any]] | None = None) -> Devices:
    """Create each device from ``devices.<kind>.backend`` unless an override is given."""
    made: dict[str, Device[Any]] = {}
    overrides = overrides or {}
    for kind in DEVICE_KINDS:
        if kind in overrides:
            made[kind] = overrides[kind]
            continue
        opts = config.section(f"devices.{kind}")
        backend = opts.pop("backend")
        for key in ("profiles_dir", "source", "output_dir"):
            if opts.get(key):
                opts[key] = str(resolve_path(opts[key]))
        if kind == "qr_scanner" and backend == "camera":
            opts["camera"] = made["camera"]
        # Backends that keep state (the printer's paper counter) keep it in the kiosk's
        # data dir; create_device passes it only to constructors that take data_dir.
        opts["data_dir"] = str(resolve_path(config["kiosk.data_dir"]))
        # The PC/SC reader refuses to start in production when its trust store cannot load.
        opts["kiosk_mode"] = config["kiosk.mode"]
        made[kind] = create_device(kind, backend, opts)
    return Devices(made["card_reader"], made["qr_scanner"], made["camera"], made["printer"])


def build(config: Config, dispatcher: Dispatcher, *,
          devices: dict[str, Device[Any]] | None = None,
          clock: Callable[[], float] = time.monotonic) -> Kiosk:
    """Wire the kiosk. Devices are created but not opened (see :meth:`Kiosk.open_devices`)."""
    data_dir = resolve_path(config["kiosk.data_dir"])
    devs = build_devices(config, devices)
    catalog = ServiceCatalog(config["services.list"], config["services.priority_groups"])
    # Demo and production never share a store: demo data go into their own file only.
    demo = config["kiosk.mode"] == "demo"
    db_path = data_dir / "offline_cache" / ("kiosk-demo.sqlite3" if demo else "kiosk.sqlite3")
    store = TicketStore(db_path)
    status = StatusCache(db_path)
    simulated = all(getattr(d, "backend", "") == "simulated" for d in devs.all().values())
    if demo:
        status.seed_from_json(REPO_ROOT / "assets" / "demo" / "applications.json")
    timeouts = Timeouts(
        idle=config["session.idle_timeout_s"], idle_warning=config["session.idle_warning_s"],
        card_removal_grace=config["session.card_removal_grace_s"],
        identify=config["session.identify_timeout_s"], read=config["session.read_timeout_s"],
        ticket_screen=config["session.ticket_screen_s"], done_screen=config["session.done_screen_s"],
        out_of_service=config["session.out_of_service_s"])
    flow = Flow(timeouts=timeouts, default_language=config["ui.language"], now=clock())
    if config["photo.enabled"]:
        flow.photo_services = frozenset(s.code for s in catalog.services if s.photo)
    interpreter = QrInterpreter(config, lambda: flow.state)
    # With a centre: shared numbering, offline leases, the outbox; without: local numbering.
    link = connect_centre(config, catalog, store, status, db_path.parent) if config["centre.url"] else None
    controller = KioskController(
        flow=flow, dispatcher=dispatcher, card_reader=devs.card_reader,
        qr_scanner=devs.qr_scanner, printer=devs.printer,
        issuer=link.issuer if link else LocalTicketIssuer(catalog, store, config["kiosk.id"]),
        lookup_status=link.lookup if link else status.lookup, parse_qr=interpreter.to_event,
        centre_name=config["kiosk.centre_name"], clock=clock,
        photo=PhotoService(devs.camera, PhotoSettings.from_config(config), dispatcher))
    speech = speech_from_config(config)   # spoken prompts (speech.enabled)
    if speech is not None:
        speech.attach(controller)
    return Kiosk(config, devs, catalog, store, status, flow, controller, data_dir, simulated,
                 demo=demo, centre=link)
