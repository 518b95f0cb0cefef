"""Cold start to the first frame of the attract screen, against a bare Kivy window.

Each run is a fresh process (cold Python start, cold Kivy import), started the same way:
the kiosk with ``python -m kiosk run --exit-after-first-frame`` and a bare Kivy App with
one Label (the baseline). Both report the time from process start to the first
``on_flip``; the wall time of the whole process is reported too. Runs alternate so that
machine noise hits both alike. Prints medians and the ratio kiosk / bare.

    .venv/bin/python bench/startup.py [--runs 7]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent



def one(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    t = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - t
    for line in out.stdout.splitlines():
        if line.startswith("first-frame "):
            return float(line.split()[1]), wall
    raise RuntimeError(f"{cmd} gave no first frame:\n{out.stdout}\n{out.stderr[-2000:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    env = dict(os.environ, KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1",
               KIVY_HOME=tempfile.mkdtemp(prefix="bench-kivy-"),
               KIOSK_KIOSK_DATA_DIR=tempfile.mkdtemp(prefix="bench-data-"))
    env.pop("DISPLAY", None)
    kiosk_cmd = [sys.executable, "-m", "kiosk", "run", "--exit-after-first-frame"]
    bare_cmd = [sys.executable, str(ROOT / "bench" / "bare_kivy.py")]
    one(kiosk_cmd, env), one(bare_cmd, env)  # warm the OS file cache for both
    k_ff, k_wall, b_ff, b_wall = [], [], [], []
    for _ in range(args.runs):
        ff, wall = one(kiosk_cmd, env)
        k_ff.append(ff), k_wall.append(wall)
        ff, wall = one(bare_cmd, env)
        b_ff.append(ff), b_wall.append(wall)
    km, bm = statistics.median(k_ff), statistics.median(b_ff)
    kw, bw = statistics.median(k_wall), statistics.median(b_wall)
    print(f"runs: {args.runs} each, alternating")
    print(f"kiosk  first frame (in-process): median {km:.3f} s   process wall {kw:.3f} s")
    print(f"bare   first frame (in-process): median {bm:.3f} s   process wall {bw:.3f} s")
    print(f"ratio kiosk/bare: first frame {km / bm:.2f}x   wall {kw / bw:.2f}x")


if __name__ == "__main__":
    main()
