"""Long random-input stress run of the offscreen kiosk (issue 12); the CI test runs the
same harness briefly (tests/ui/test_stress_ui.py).

    .venv/bin/python scripts/stress_kiosk.py --seeds 11 --steps 700

Each seed runs in its own process (a crash leaves Kivy unusable for the rest of that
process): a fresh kiosk with simulated devices (photo step off) gets ``--steps`` random
steps, with the invariants of tests/ui/stress_harness.py checked after every step. A
crash (an exception out of the event loop) or a broken invariant ends that seed and is
reported with the seed and step to replay. Exit code 1 if any seed failed.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
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


def one_seed(seed: int, steps: int) -> dict[str, object]:
    """Run one seed in this process; the outcome as a dict (printed as JSON)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ["KIVY_NO_CONSOLELOG"] = "1"
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

    cfg = load_config(environ={}).with_overrides(
        kiosk__data_dir=tempfile.mkdtemp(prefix="kiosk-stress-"), photo__enabled=False,
        session__card_removal_grace_s=5.0)
    clock = FakeClock()
    kiosk = build(cfg, KivyDispatcher(), clock=clock)
    kiosk.open_devices()
    ui = UiDriver(KioskApp(kiosk, animations=False))
    stress = Stress(ui, clock, seed)
    outcome: dict[str, object] = {"seed": seed, "result": "ok", "detail": ""}
    try:
        stress.run(steps)
    except StressFailure as exc:
        outcome.update(result="invariant", detail=str(exc))
    except Exception as exc:  # noqa: BLE001 - a crash is what is counted
        where = traceback.extract_tb(exc.__traceback__)[-1]
        outcome.update(result="crash", detail=f"step {stress.report.steps}: {type(exc).__name__} "
                       f"at {Path(where.filename).name}:{where.lineno}")
    outcome.update(steps=stress.report.steps, tickets=len(stress.shown))
    return outcome


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=11, help="number of seeds")
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=700, help="steps per seed")
    ap.add_argument("--one-seed", type=int, help=argparse.SUPPRESS)  # the child process
    args = ap.parse_args()
    if args.one_seed is not None:
        print("RESULT " + json.dumps(one_seed(args.one_seed, args.steps)), flush=True)
        os._exit(0)  # do not wait for a crashed app's threads
    t0 = time.perf_counter()
    totals = {"ok": 0, "crash": 0, "invariant": 0}
    steps = tickets = 0
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        proc = subprocess.run([sys.executable, __file__, "--one-seed", str(seed),
                               "--steps", str(args.steps)], capture_output=True, text=True)
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if line is None:
            out = {"seed": seed, "result": "crash", "steps": 0, "tickets": 0,
                   "detail": f"process ended with {proc.returncode}: {proc.stderr[-300:]}"}
        else:
            out = json.loads(line[len("RESULT "):])
        totals[str(out["result"])] += 1
        steps += int(out["steps"])
        tickets += int(out["tickets"])
        print(f"seed {seed}: {out['result']} after {out['steps']} steps, {out['tickets']} "
              f"tickets shown {out['detail']}".rstrip(), flush=True)
    secs = time.perf_counter() - t0
    print(f"{steps} steps over {args.seeds} seeds in {secs:.0f} s: {totals['crash']} crashes, "
          f"{totals['invariant']} broken invariants, {tickets} tickets shown")
    return 1 if totals["crash"] or totals["invariant"] else 0


if __name__ == "__main__":
    sys.exit(main())
