"""``python -m kiosk diagnose``: open every configured device, self-test it, report."""
from __future__ import annotations

import argparse
import json


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diagnose", help="check the configured devices (for maintenance staff)",
                       description="Open each configured device, run its self-test and print the "
                       "result. Exit code 0 when all pass, 1 otherwise.")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.bootstrap import DEVICE_KINDS, build_devices
    from kiosk.config import load_config

    cfg = load_config(args.config)
    report: dict[str, dict[str, object]] = {}
    try:
        devices = build_devices(cfg).all()
    except Exception as exc:  # BackendUnavailable names the backend and the reason
        print(f"cannot create devices: {exc}")
        return 1
    for kind in DEVICE_KINDS:
        dev = devices[kind]
        entry: dict[str, object] = {"backend": dev.backend}
        try:
            dev.open()
            result = dev.self_test()
            st = dev.status()
            entry.update(passed=result.passed, state=st.state.value, detail=st.detail,
                         checks=[{"name": n, "passed": p, "detail": d} for n, p, d in result.checks])
        except Exception as exc:
            entry.update(passed=False, state="fault", detail=f"{type(exc).__name__}: {exc}", checks=[])
        finally:
            try:
                dev.close()
            except Exception:
                pass
        report[kind] = entry
    ok = all(e["passed"] for e in report.values())
    if args.json:
        print(json.dumps({"passed": ok, "devices": report}, ensure_ascii=False, indent=2))
    else:
        for kind, e in report.items():
            mark = "OK  " if e["passed"] else "FAIL"
            print(f"{mark} {kind:<12} {e['backend']:<10} {e['state']}: {e['detail']}")
    return 0 if ok else 1
