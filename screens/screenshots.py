"""Render every screen to PNG, in Vietnamese and English, with demo data."""
from __future__ import annotations

from pathlib import Path

from hardware.card_reader import AccessKey
from kiosk import flow as f
from kiosk.bootstrap import Kiosk
from kiosk.flow import State
from screens.driver import UiDriver
from screens.kiosk_app import KioskApp


def walk_screens(drv: UiDriver, language: str):
    """Yield (name, ready) as the kiosk is driven through every screen with demo data."""
    app = drv.app
    ctl = app.controller
    reader = app.kiosk.devices.card_reader
    profile_id = sorted(reader.profiles)[0]
    citizen = reader.profiles[profile_id].citizen

    def lang() -> None:
        ctl.send(f.SetLanguage(language))

    ctl.send(f.Cancel())
    lang()
    yield "attract", drv.wait_state(State.ATTRACT)
    ctl.send(f.StartIdentify())
    yield "identify", drv.wait_state(State.IDENTIFY)
    reader.tap(profile_id)
    yield "identify_card_on_reader", drv.pump(2, lambda: ctl.flow.card_present)
    ctl.send(f.KeyProvided(AccessKey.from_id(citizen.id_number), "keypad"))
    yield "reading", drv.wait_state(State.READING)
    yield "confirm", drv.wait_state(State.CONFIRM, 5)
    ctl.send(f.Confirmed())
    yield "service", drv.wait_state(State.SERVICE)
    ctl.send(f.ServiceChosen(app.kiosk.catalog.services[0].code, "elderly"))
    yield "ticket", drv.pump(5, lambda: ctl.flow.session.printed)
    ctl.send(f.Finish())
    yield "done", drv.wait_state(State.DONE)
    reader.remove()
    ctl.send(f.Finish())
    drv.wait_state(State.ATTRACT)
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
