"""Agreement of the photo checks with the labelled real-face set, and the evidence table.

    .venv/bin/python tests/unit/photo/agreement.py [--code DIR] [--evidence] [--quiet]

Prints each case (expected advice and verdict, what the checks said), then the share of
cases whose first advice, verdict, and both, match the labels. ``--code DIR`` runs
another checkout's ``kiosk`` package against the same labels (e.g. the code before a
change: ``git archive <commit> kiosk | tar -x -C DIR``). ``--evidence`` adds, for each
measure, its values on the cases that should pass and on the cases whose label is that
measure's advice: what docs/photo-thresholds.md quotes for each threshold.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]

#: measure attribute -> advice its failure gives (the labels that are evidence for it)
EVIDENCE = {
    "eye_distance_px": ("move_closer",), "head_fit": ("move_back",),
    "room_left": ("move_left",), "room_right": ("move_right",), "room_above": ("move_down",),
    "room_below": ("move_up",), "brightness": ("too_dark", "too_bright"),
    "dark_clipped": ("too_dark",), "bright_clipped": ("too_bright",),
    "light_imbalance": ("uneven_light",), "sharpness": ("hold_still",),
    "yaw_deg": ("face_camera",), "pitch_deg": ("face_camera",), "pitch_raw_deg": ("face_camera",),
    "roll_deg": ("straighten_head",), "eye_open": ("open_eyes",), "mouth_open": ("close_mouth",),
}


def _span(values: list[float]) -> str:
    return f"{min(values):8.3f} .. {max(values):8.3f} (n={len(values)})" if values else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, help="folder holding the kiosk package to test")
    parser.add_argument("--evidence", action="store_true", help="print the per-measure evidence")
    parser.add_argument("--quiet", action="store_true", help="only the agreement figures")
    parser.add_argument("--set", choices=("all", "tuning", "held_out"), default="all",
                        help="which cases: those the thresholds were set on, those held out, or all")
    args = parser.parse_args(argv)
    sys.path[:0] = [str(args.code or ROOT), str(HERE)]
    import real_faces
    from kiosk.photo.analysis import PhotoAnalyzer

    analyzer = PhotoAnalyzer()
    n = advice_ok = verdict_ok = both = 0
    rows: list[tuple[real_faces.Case, object]] = []
    cases = {"all": real_faces.CASES, "tuning": real_faces.TUNING, "held_out": real_faces.HELD_OUT}[args.set]
    for case in cases:
        image = case.make()
        live = analyzer.analyse(image)
        final = analyzer.final_check(image)
        a, v = live.prompt == case.advice, final.ok == case.passes
        n, advice_ok, verdict_ok, both = n + 1, advice_ok + a, verdict_ok + v, both + (a and v)
        rows.append((case, live.measures))
        if not args.quiet:
            mark = "  " if a and v else "XX"
            print(f"{mark} {case.name:34} expected {str(case.advice):15} {'pass' if case.passes else 'fail'}"
                  f"  got {str(live.prompt):15} {'pass' if final.ok else 'fail'}")
    print(f"code: {args.code or ROOT}; cases: {args.set}")
    print(f"first advice right: {advice_ok}/{n} ({advice_ok / n:.0%});  verdict right: "
          f"{verdict_ok}/{n} ({verdict_ok / n:.0%});  both: {both}/{n} ({both / n:.0%})")
    if args.evidence:
        print(f"\n{'measure':16} {'on cases that pass':34} on cases labelled with its advice")
        for attr, advice in EVIDENCE.items():
            good = [getattr(m, attr) for c, m in rows if c.passes and getattr(m, attr, None) is not None]
            bad = [getattr(m, attr) for c, m in rows
                   if c.advice in advice and getattr(m, attr, None) is not None]
            print(f"{attr:16} {_span(good):34} {_span(bad)}")
        # A broad smile narrows the eyes: it must stay above the eye-open limit.
        smiles = [m.eye_open for c, m in rows if c.advice == "close_mouth" and m.eye_open is not None]
        print(f"{'eye_open':16} {'on smiles and open mouths':34} {_span(smiles)}")
        raw = sorted(m.pitch_raw_deg for c, m in rows if c.passes and m.pitch_raw_deg is not None)
        if raw:
            print(f"{'pitch_raw_deg':16} median on cases that pass: {raw[len(raw) // 2]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
