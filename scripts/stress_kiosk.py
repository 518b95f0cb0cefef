"""Long random-input stress run of the offscreen kiosk (issue 12); the CI test runs the
same harness briefly (tests/ui/test_stress_ui.py).

    .venv/bin/python scripts/stress_kiosk.py --seeds 11 --steps 700

Each seed drives a fresh kiosk (simulated devices, photo step off) for ``--steps`` random
steps, checking the invariants of tests/ui/stress_harness.py after every step. A crash
(an exception out of the event loop) or a broken invariant is counted, reported with its
seed and step, and the run goes on with a fresh kiosk. Exit code 1 if anything failed.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class FakeClock:
    """Monotonic time the run moves forward (the flow's timeouts without waiting)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=11, help="number of seeds (1..N)")
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=700, help="steps per seed")
    args = ap.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.pop("DISPLAY", None)  # SDL's offscreen driver
    os.environ.setdefault("KIVY_HOME", tempfile.mkdtemp(prefix="kiosk-stress-kivy-"))
    from screens.kivy_setup import configure_kivy

    configure_kivy(1080, 1920)
    from kiosk.bootstrap import build
    from kiosk.config import load_config
    from kiosk.dispatch import KivyDispatcher
    from screens.driver import UiDriver
    from screens.kiosk_app import KioskApp
    from tests.ui.stress_harness import Stress, StressFailure

    crashes, violations, steps_done, tickets = 0, 0, 0, 0
    t0 = time.perf_counter()
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        left, attempt = args.steps, 0
        while left > 0:
            data = tempfile.mkdtemp(prefix="kiosk-stress-")
            cfg = load_config(environ={}).with_overrides(
                kiosk__data_dir=data, photo__enabled=False, session__card_removal_grace_s=5.0)
            clock = FakeClock()
            kiosk = build(cfg, KivyDispatcher(), clock=clock)
            kiosk.open_devices()
            ui = UiDriver(KioskApp(kiosk, animations=False))
            stress = Stress(ui, clock, seed * 1000 + attempt)
            try:
                stress.run(left)
                left = 0
            except StressFailure as exc:
                violations += 1
                print(f"INVARIANT {exc}", flush=True)
            except Exception as exc:  # noqa: BLE001 - a crash is what we count
                crashes += 1
                where = traceback.extract_tb(exc.__traceback__)[-1]
                print(f"CRASH seed {seed} step {stress.report.steps}: {type(exc).__name__} "
                      f"at {Path(where.filename).name}:{where.lineno}", flush=True)
            finally:
                steps_done += stress.report.steps
                tickets += len(stress.shown)
                left -= stress.report.steps if left else 0
                attempt += 1
                try:
                    ui.close()
                except Exception as exc:  # noqa: BLE001 - a crashed app may not stop cleanly
                    print(f"(closing after the failure raised {type(exc).__name__})", flush=True)
                kiosk.close()
    secs = time.perf_counter() - t0
    print(f"{steps_done} steps over {args.seeds} seeds in {secs:.0f} s "
          f"({steps_done / max(secs, 1e-9):.1f} steps/s): {crashes} crashes, "
          f"{violations} broken invariants, {tickets} tickets shown")
    return 1 if crashes or violations else 0


if __name__ == "__main__":
    sys.exit(main())
