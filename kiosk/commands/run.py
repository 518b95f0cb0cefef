"""``python -m kiosk run``: start the kiosk window (simulated devices by default)."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="start the kiosk", description="Start the full-screen kiosk: "
                       "simulated devices unless configured otherwise, and the centre set by centre.url, or else an "
                       "embedded centre started beside it (SQLite in kiosk.data_dir/centre; in demo mode with demo "
                       "applications and today's bookings).")
    p.add_argument("--screenshot-dir", metavar="DIR",
                   help="render every screen (vi and en) to PNG files in DIR, then exit")
    p.add_argument("--size", metavar="WxH", help="window size (default: ui.width x ui.height)")
    p.add_argument("--exit-after-first-frame", action="store_true",
                   help="print the time to the first frame of the attract screen and exit (benchmark)")
    p.add_argument("--no-centre", action="store_true",
                   help="do not start the embedded centre when centre.url is empty (local numbering)")
    p.set_defaults(func=run)


def report_failed(failed: dict[str, Exception]) -> None:
    for kind, exc in failed.items():
        print(f"warning: {kind} unavailable: {exc}", file=sys.stderr)


def open_in_background(kiosk: object, dispatcher: object) -> None:
    """Open every device; failures become maintenance alerts (on the UI thread)."""
    failed = kiosk.open_devices()
    report_failed(failed)

    def done() -> None:
        for kind in failed:
            kiosk.controller.raise_alert(kind, "unavailable")
        kiosk.controller.devices_opened()

    dispatcher.post(done)


def run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    from kiosk.config import load_config

    cfg = load_config(args.config)
    centre = None
    # (the frozen kiosk bundle leaves the centre service out: it uses a configured centre)
    if not cfg["centre.url"] and not (args.screenshot_dir or args.exit_after_first_frame or args.no_centre
                                      or getattr(sys, "frozen", False)):
        # No centre configured: start one beside the kiosk (what 'make run' shows a newcomer).
        from kiosk.bootstrap import resolve_path
        from kiosk.embedded_centre import EmbeddedCentreError, start as start_centre

        try:
            demo_now = (datetime.now(ZoneInfo(cfg["centre_service.timezone"])).replace(tzinfo=None)
                        if cfg["kiosk.mode"] == "demo" else None)   # the centre's local time
            centre = start_centre(resolve_path(cfg["kiosk.data_dir"]), cfg["kiosk.id"], config_path=args.config,
                                  demo_now=demo_now)
        except EmbeddedCentreError as exc:
            print(f"warning: {exc}; the kiosk numbers tickets on its own", file=sys.stderr)
        else:
            print(centre.banner(), flush=True)
            cfg = cfg.with_overrides(centre__url=centre.url, centre__token=centre.tokens["kiosk"])
    width, height = cfg["ui.width"], cfg["ui.height"]
    if cfg["ui.orientation"] == "landscape" and height > width:
        width, height = height, width
    if args.size:
        width, height = (int(v) for v in args.size.lower().split("x"))
    from screens.kivy_setup import configure_kivy

    configure_kivy(width, height, kivy_home=os.environ.get("KIVY_HOME")
                   or str(Path(tempfile.gettempdir()) / "kiosk-kivy-home"))
    from kiosk.bootstrap import build
    from kiosk.dispatch import KivyDispatcher
    from screens.kiosk_app import KioskApp

    dispatcher = KivyDispatcher()
    kiosk = build(cfg, dispatcher)
    kiosk.demo_codes = centre.demo if centre is not None else None   # the developer panel's F7, F8
    try:
        if args.screenshot_dir:
            report_failed(kiosk.open_devices())
            from screens.screenshots import capture_all

            paths = capture_all(kiosk, Path(args.screenshot_dir))
            print(f"{len(paths)} screenshots in {args.screenshot_dir}")
            return 0
        app = KioskApp(kiosk)
        # Devices open on a worker once the window is up (camera drivers, pcscd and the
        # printer may take seconds); their events only start after the controller listens.
        app.bind(on_start=lambda *_a: threading.Thread(
            target=open_in_background, args=(kiosk, dispatcher), name="open-devices",
            daemon=True).start())
        if args.exit_after_first_frame:
            from kivy.clock import Clock
            from kivy.core.window import Window

            def first_frame(*_a: object) -> None:
                Window.unbind(on_flip=first_frame)
                print(f"first-frame {time.perf_counter() - t0:.4f}", flush=True)
                Clock.schedule_once(lambda _dt: app.stop(), 0)

            Window.bind(on_flip=first_frame)
        app.run()
        return 0
    finally:
        kiosk.close()
        if centre is not None:
            centre.stop()
