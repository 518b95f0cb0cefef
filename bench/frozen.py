"""Frozen kiosk: bundle size and cold start to the attract screen, against the source run.

Builds ``kiosk.spec`` into a temporary folder (or measures an existing one-folder build
given with ``--dist dist/kiosk``), then starts the frozen binary and ``python -m kiosk``
alternately, each a fresh offscreen process with ``run --exit-after-first-frame``, and
prints the medians and the ratio frozen / source (the baseline, same machine, same run).

    .venv/bin/python bench/frozen.py [--runs 5] [--dist dist/kiosk]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deploy import bundle, frozen  # noqa: E402

BEFORE_MIB = 423  # the bundle of the first kiosk.spec (issue 12, `du -sh`), for the size ratio


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dist", type=Path, help="existing one-folder build (default: build one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-frozen-") as tmp:
        tmp_path = Path(tmp)
        if args.dist:
            executable, folder = args.dist / "kiosk", args.dist
        else:
            built = frozen.build(tmp_path / "dist", tmp_path / "work")
            executable, folder = built.executable, built.folder
            print(f"build: {built.seconds:.0f} s (fresh work folder)")
        size = bundle.tree_size(folder) / bundle.MIB
        print(f"bundle: {size:.0f} MiB ({size / BEFORE_MIB:.2f}x the first spec's {BEFORE_MIB} MiB)")
        result = frozen.cold_start(executable, frozen.kiosk_env(tmp_path), runs=args.runs)
        print(result.describe())


if __name__ == "__main__":
    main()
