"""``python -m kiosk photo``: check portraits against the photo rules, or crop one.

``photo check IMAGE... [--json] [--explain]`` prints each image's measures, the verdict
of the final check and the guidance a citizen would get (``--explain``: every measure
against its limit and the option that sets it, to calibrate a new kiosk camera); ``photo crop IMAGE --out FILE``
writes the portrait cut to the configured format. Exit code 0 when every image passed,
1 when one failed, 2 on unreadable input or configuration.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("photo", help="check portrait photos or crop one",
                       description="Check portraits against the ICAO/CCCD photo rules with the "
                       "kiosk's own thresholds (photo.* options), or crop one to the portrait format.")
    psub = p.add_subparsers(dest="photo_command", metavar="ACTION", required=True)
    c = psub.add_parser("check", help="measures, verdict and guidance for each image")
    c.add_argument("images", nargs="+", metavar="IMAGE")
    c.add_argument("--json", action="store_true", help="print one JSON document")
    c.add_argument("--lang", choices=("vi", "en"), default=None, help="language of the guidance")
    c.add_argument("--explain", action="store_true",
                   help="print every measure against its limit and the option that sets it "
                        "(to calibrate a new kiosk camera)")
    c.set_defaults(func=run_check)
    k = psub.add_parser("crop", help="write the portrait crop of an image")
    k.add_argument("image", metavar="IMAGE")
    k.add_argument("--out", required=True, metavar="FILE", help="output image (.jpg or .png)")
    k.add_argument("--force", action="store_true", help="write the crop even if the photo fails the checks")
    k.set_defaults(func=run_crop)


def _analyzer(args: argparse.Namespace) -> Any:
    from kiosk.config import load_config
    from kiosk.photo.analysis import PhotoAnalyzer
    from kiosk.photo.settings import PhotoSettings

    cfg = load_config(args.config)
    return PhotoAnalyzer(PhotoSettings.from_config(cfg)), cfg


def _read(path: str) -> Any:
    import cv2

    from kiosk.photo.errors import ImageUnreadable

    image = cv2.imread(path, cv2.IMREAD_COLOR)
    if image is None:
        raise ImageUnreadable(f"cannot read image {path!r}")
    return image


def _report(path: str, analyzer: Any, lang: str) -> dict[str, Any]:
    from kiosk.photo.guidance import CHECK_GROUPS
    from kiosk.photo.messages import message

    final = analyzer.final_check(_read(path))
    live = final.analysis
    guidance = live.prompt or "hold"
    checks = [{"name": c.name, "group": CHECK_GROUPS.get(c.name, "crop" if c.name.startswith("crop_") else "face"),
               "ok": c.ok, "judged": c.judged,
               "value": None if c.value is None else round(c.value, 3),
               "low": None if c.low is None else round(c.low, 3),
               "high": None if c.high is None else round(c.high, 3),
               "prompt": c.prompt, "options": OPTIONS.get(c.name, "")}
              for c in (*live.checks, *final.crop_checks)]
    return {
        "image": path,
        "passed": final.ok,
        "reason": final.prompt,
        "reason_text": message(final.prompt).text(lang) if final.prompt else None,
        "guidance": guidance,
        "guidance_text": message(guidance).text(lang),
        "crop": list(final.crop.box) if final.crop else None,
        "checks": checks,
        "measures": live.measures.as_dict(),
    }


def run_check(args: argparse.Namespace) -> int:
    from kiosk.photo.errors import PhotoError

    analyzer, cfg = _analyzer(args)
    lang = args.lang or cfg["ui.language"]
    reports, bad_input = [], False
    for path in args.images:
        try:
            reports.append(_report(path, analyzer, lang))
        except PhotoError as exc:
            bad_input = True
            reports.append({"image": path, "error": str(exc)})
    if args.json:
        print(json.dumps(reports, ensure_ascii=False, indent=2))
    else:
        for r in reports:
            if "error" in r:
                print(f"{r['image']}: ERROR {r['error']}")
                continue
            verdict = "PASS" if r["passed"] else f"FAIL ({r['reason']}: {r['reason_text']})"
            print(f"{r['image']}: {verdict}")
            print(f"  guidance: {r['guidance']}: {r['guidance_text']}")
            if args.explain:
                print(f"  {'check':<18} {'group':<10} {'value':>9}  {'limit':<14} {'verdict':<24} option")
            for c in r["checks"]:
                print(_explain_line(c) if args.explain else
                      f"  {'ok ' if c['ok'] else ('BAD' if c['judged'] else ' - ')} {c['name']:<20} {c['value']}")
            m = r["measures"]
            print(f"  raw pitch {m.get('pitch_raw_deg')} deg (photo.pitch_offset_deg calibrates it)")
    if bad_input:
        return 2
    return 0 if all(r.get("passed") for r in reports) else 1


#: Check name -> the option(s) that set its limit (what a technician changes).
OPTIONS: dict[str, str] = {
    "eye_distance": "photo.min_eye_distance_px", "head_size": "photo.final_head_share_max",
    "room_left": "photo.crop_centre_tolerance, photo.view_aspect",
    "room_right": "photo.crop_centre_tolerance, photo.view_aspect",
    "room_above": "photo.eye_line_max, photo.crown_factor", "room_below": "photo.eye_line_min",
    "brightness": "photo.min_brightness, photo.max_brightness",
    "dark_clipping": "photo.max_dark_clipped", "bright_clipping": "photo.max_bright_clipped",
    "light_evenness": "photo.max_light_imbalance", "sharpness": "photo.min_sharpness",
    "yaw": "photo.max_yaw_deg", "pitch": "photo.max_pitch_deg, photo.pitch_offset_deg",
    "roll": "photo.max_roll_deg", "eyes_open": "photo.min_eye_open",
    "mouth_closed": "photo.max_mouth_open", "background_uniform": "photo.max_background_std",
    "background_light": "photo.min_background_brightness",
    "crop_head_share": "photo.final_head_share_min, photo.final_head_share_max",
    "crop_eye_line": "photo.eye_line_min, photo.eye_line_max",
    "crop_centring": "photo.crop_centre_tolerance", "crop_eye_distance": "photo.min_eye_distance_px",
}


def _limit_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:g} .. {high:g}"
    if low is not None:
        return f">= {low:g}"
    return f"<= {high:g}" if high is not None else ""


def _explain_line(c: dict[str, Any]) -> str:
    """One check as: name, group (in advice order), value, limit, verdict (with the
    advice), option."""
    if not c["judged"]:
        verdict = "not judged (light/focus)"
    elif c["ok"]:
        verdict = "ok"
    else:
        verdict = f"FAIL -> {c['prompt']}"
    value = "-" if c["value"] is None else f"{c['value']:g}"
    return (f"  {c['name']:<18} {c['group']:<10} {value:>9}  {_limit_text(c['low'], c['high']):<14} "
            f"{verdict:<24} {c['options']}")


def run_crop(args: argparse.Namespace) -> int:
    import cv2

    from kiosk.photo.crop import cut_portrait
    from kiosk.photo.errors import PhotoError
    from kiosk.photo.messages import message

    analyzer, cfg = _analyzer(args)
    try:
        final = analyzer.final_check(_read(args.image))
    except PhotoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if final.crop is None:
        print(f"no portrait: {message(final.prompt or 'no_face').en}", file=sys.stderr)
        return 1
    if not final.ok and not args.force:
        print(f"photo fails the checks ({final.prompt}); use --force to crop anyway", file=sys.stderr)
        return 1
    portrait = final.portrait if final.portrait is not None else cut_portrait(
        _read(args.image), final.crop, analyzer.settings)
    params = [cv2.IMWRITE_JPEG_QUALITY, analyzer.settings.jpeg_quality]
    if not cv2.imwrite(args.out, portrait, params):
        print(f"error: cannot write {args.out!r}", file=sys.stderr)
        return 2
    h, w = portrait.shape[:2]
    print(f"{args.out}: {w}x{h} {analyzer.settings.format}, head {final.crop.head_share:.0%}, "
          f"eye line {final.crop.eye_line:.0%} from the bottom")
    return 0 if final.ok else 1
