"""Build the frozen kiosk and run it the way the smoke test and ``bench/frozen.py`` do.

The frozen binary and the source run (``python -m kiosk``) are started alike: a fresh
process, offscreen (no ``DISPLAY``), a private Kivy home and data folder, so that their
cold starts can be compared in the same job.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "kiosk.spec"


class FrozenError(Exception):
    """The build failed, or a run of the kiosk did not give what was expected."""


@dataclass(frozen=True)
class Build:
    """A finished one-folder build: its folder, executable, seconds taken, build log."""

    folder: Path
    executable: Path
    seconds: float
    log: str


def build(dist: Path, work: Path, *, python: str = sys.executable, timeout: float = 900) -> Build:
    """Run PyInstaller on ``kiosk.spec`` into ``dist``/kiosk (``work`` for its cache)."""
    start = time.perf_counter()
    out = subprocess.run([python, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                          "--distpath", str(dist), "--workpath", str(work), str(SPEC)],
                         cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - start
    log = out.stdout + out.stderr
    if out.returncode != 0:
        raise FrozenError(f"PyInstaller failed ({out.returncode}):\n{log[-4000:]}")
    folder = dist / "kiosk"
    return Build(folder, folder / "kiosk", seconds, log)


def kiosk_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for an offscreen kiosk process with its own Kivy home and data."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KIOSK_", "KIVY_"))}
    env.pop("DISPLAY", None)  # SDL's offscreen driver
    env.update(KIVY_NO_ARGS="1", KIVY_NO_CONSOLELOG="1", KIVY_HOME=str(home / "kivy"),
               KIOSK_KIOSK_DATA_DIR=str(home / "data"), **extra)
    return env


def source_command(python: str = sys.executable) -> list[str]:
    """The kiosk run from source, as ``make run`` starts it."""
    return [python, "-m", "kiosk"]


def run(cmd: list[str], env: dict[str, str], *args: str, timeout: float = 180,
        check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``cmd args`` from the repository root; raise :class:`FrozenError` on failure."""
    out = subprocess.run([*cmd, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=timeout)
    if check and out.returncode != 0:
        raise FrozenError(f"{' '.join([*cmd, *args])} exited {out.returncode}:\n"
                          f"{out.stdout[-2000:]}\n{out.stderr[-4000:]}")
    return out


@dataclass(frozen=True)
class FirstFrame:
    """One start to the attract screen: in-process seconds, wall seconds, exit code."""

    seconds: float
    wall: float
    returncode: int


def first_frame(cmd: list[str], env: dict[str, str]) -> FirstFrame:
    """Start the kiosk, wait for the attract screen's first frame, let it exit.

    The frame counts even when the process then exits abnormally: the kiosk's exit can
    abort (SIGABRT) when a device thread is inside OpenCV while Python finalizes (a
    known start/exit race, reported); :attr:`FirstFrame.returncode` keeps it visible.
    """
    start = time.perf_counter()
    out = run(cmd, env, "run", "--exit-after-first-frame", timeout=120, check=False)
    wall = time.perf_counter() - start
    for line in out.stdout.splitlines():
        if line.startswith("first-frame "):
            return FirstFrame(float(line.split()[1]), wall, out.returncode)
    raise FrozenError(f"no first frame reported (exit {out.returncode}):\n{out.stdout[-2000:]}\n"
                      f"{out.stderr[-2000:]}")


@dataclass(frozen=True)
class ColdStart:
    """Median cold starts of the frozen and the source kiosk, measured alternately."""

    frozen_wall: float
    source_wall: float
    frozen_first_frame: float
    source_first_frame: float
    runs: int
    abnormal_exits: int = 0

    @property
    def wall_ratio(self) -> float:
        return self.frozen_wall / self.source_wall

    def describe(self) -> str:
        return (f"cold start to the attract screen, median of {self.runs} alternating runs: "
                f"frozen {self.frozen_wall:.2f} s, source {self.source_wall:.2f} s "
                f"(process wall), ratio frozen/source {self.wall_ratio:.2f}x; first frame "
                f"in-process {self.frozen_first_frame:.2f} s vs {self.source_first_frame:.2f} s"
                + (f"; {self.abnormal_exits} run(s) aborted on exit after the first frame"
                   if self.abnormal_exits else ""))


def cold_start(executable: Path, env: dict[str, str], runs: int = 3) -> ColdStart:
    """Alternate frozen and source starts (after one warm-up each) and take medians."""
    frozen_cmd, source_cmd = [str(executable)], source_command()
    first_frame(frozen_cmd, env), first_frame(source_cmd, env)  # warm the file cache
    frozen: list[FirstFrame] = []
    source: list[FirstFrame] = []
    for _ in range(runs):
        frozen.append(first_frame(frozen_cmd, env))
        source.append(first_frame(source_cmd, env))
    med = statistics.median
    return ColdStart(med(r.wall for r in frozen), med(r.wall for r in source),
                     med(r.seconds for r in frozen), med(r.seconds for r in source), runs,
                     sum(r.returncode != 0 for r in frozen + source))
