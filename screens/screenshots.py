"""Render every screen to PNG, in Vietnamese and English, with demo data."""
from __future__ import annotations

from pathlib import Path

from kiosk import flow as f
from kiosk import visit_events as v
from kiosk.bootstrap import Kiosk
from kiosk.flow import State
from kiosk.photo_service import PhotoPhase
from screens.driver import UiDriver
from screens.kiosk_app import KioskApp


def walk_screens(drv: UiDriver, language: str, large_text: bool = False):
    """Yield (name, ready) as the kiosk is driven through every screen with demo data
    (in the large-text mode if ``large_text``)."""
    app = drv.app
    ctl = app.controller
    reader = app.kiosk.devices.card_reader
    profile_id = sorted(reader.profiles)[0]
    citizen = reader.profiles[profile_id].citizen

    def lang() -> None:  # again after each session's end, which resets both
        ctl.send(f.SetLanguage(language))
        if ctl.flow.session.large_text != large_text:
            ctl.send(f.ToggleLargeText())

    ctl.send(f.Cancel())
    lang()
    yield "attract", drv.wait_state(State.ATTRACT)
    ctl.send(f.StartIdentify())
    yield "identify", drv.wait_state(State.IDENTIFY)
    app.kiosk.devices.qr_scanner.inject("not a code the kiosk knows")
    yield "identify_qr_error", drv.pump(2, lambda: ctl.flow.error == "qr.unknown")
    reader.tap(profile_id)
    yield "identify_card_on_reader", drv.pump(2, lambda: ctl.flow.card_present)
    ctl.send(f.IdDigitsEntered(citizen.id_number))
    yield "reading", drv.wait_state(State.READING)
    yield "confirm", drv.wait_state(State.CONFIRM, 5)
    confirm = app.screens[State.CONFIRM]
    confirm.toggle_correcting()  # "something is wrong": flag a detail, type its right value
    confirm._row_tapped(next(r for r in confirm.ids.rows.children if r.field_name == "full_name"))
    confirm.keyboard().set_text(citizen.full_name)
    confirm.keyboard().press("a")
    yield "confirm_correcting", drv.pump(0.2, lambda: bool(confirm.editing))
    confirm.toggle_correcting()
    ctl.send(f.Confirmed())
    yield "service", drv.wait_state(State.SERVICE)
    yield from _photo_step(drv, app.kiosk.catalog.services[0].code)
    yield "ticket", drv.pump(5, lambda: ctl.flow.session.printed)
    ctl.send(f.Finish())
    yield "done", drv.wait_state(State.DONE)
    reader.remove()
    ctl.send(f.Finish())
    drv.wait_state(State.ATTRACT)
    lang()
    yield from _checkin_step(drv)
    lang()
    ctl.send(f.StartStatus())
    drv.wait_state(State.STATUS)
    ctl.send(f.StatusQuery("G01.987.654.321"))
    yield "status", drv.pump(3, lambda: ctl.flow.session.status_result is not None)
    ctl.flow.last_activity -= ctl.flow.timeouts.idle + 1  # jump to the idle warning
    ctl.tick()
    yield "idle_warning", drv.pump(1, lambda: app.overlay.parent is not None)
    ctl.send(f.Fault("screenshot"))
    yield "out_of_service", drv.wait_state(State.OUT_OF_SERVICE)
    ctl.send(f.Cancel())


def _checkin_step(drv: UiDriver):
    """A booking's QR: the check-in asks for the card; checked in without it, a kiosk
    without a centre says check-in needs the centre and offers a walk-in ticket."""
    ctl = drv.app.controller
    drv.app.kiosk.devices.qr_scanner.inject("BK2025DEMO01")
    yield "checkin", drv.wait_state(State.CHECKIN)
    ctl.send(v.CheckInWithoutCard())
    yield "checkin_failed", drv.pump(3, lambda: bool(ctl.flow.error))
    ctl.send(f.Cancel())
    drv.wait_state(State.ATTRACT)


def _photo_step(drv: UiDriver, service_code: str):
    """Choose ``service_code`` with the photo step (shown even where photo.enabled is off),
    photograph the demo clip's citizen, show the live and the review view, accept."""
    ctl = drv.app.controller
    saved = ctl.flow.photo_services
    ctl.flow.photo_services = saved | {service_code}
    camera = drv.app.kiosk.devices.camera
    camera.close()  # restart the demo clip: the citizen walks in from the side
    camera.open()

    def phase(*phases: PhotoPhase) -> bool:
        view = ctl.photo_view
        return view is not None and view.phase in phases

    try:
        ctl.send(f.ServiceChosen(service_code, "elderly"))
        drv.wait_state(State.PHOTO)
        yield "photo", drv.pump(10, lambda: phase(PhotoPhase.LIVE) and ctl.photo_view.face_present)
        yield "photo_review", drv.pump(30, lambda: phase(PhotoPhase.REVIEW, PhotoPhase.OFFER_COUNTER))
        drv.app.screens[State.PHOTO].accept()
        drv.wait_state(State.TICKET, 5)
    finally:
        ctl.flow.photo_services = saved


def capture_all(kiosk: Kiosk, out_dir: Path, languages: tuple[str, ...] = ("vi", "en")) -> list[Path]:
    """Drive the kiosk through every screen and save ``<lang>-<screen>.png`` files."""
    app = KioskApp(kiosk, animations=False)
    drv = UiDriver(app)
    paths = []
    try:
        for language in languages:
            for name, ready in walk_screens(drv, language):
                if not ready:
                    raise RuntimeError(f"screen {name!r} was not reached")
                paths.append(drv.screenshot(out_dir / f"{language}-{name}.png"))
    finally:
        drv.close()
    return paths
