"""``python -m kiosk diagnose``: open every configured device, self-test it, report."""
from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diagnose", help="check the configured devices (for maintenance staff)",
                       description="Open each configured device, run its self-test and print the "
                       "result; with a centre (centre.url), whether it answers and this kiosk's "
                       "outbox backlog. Exit code 0 when all pass, 1 otherwise.")
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
    centre = centre_report(cfg)
    ok = ok and (centre is None or bool(centre["reachable"]))  # an unreachable centre is a finding
    if args.json:
        print(json.dumps({"passed": ok, "devices": report, "centre": centre}, ensure_ascii=False, indent=2))
    else:
        for kind, e in report.items():
            mark = "OK  " if e["passed"] else "FAIL"
            print(f"{mark} {kind:<12} {e['backend']:<10} {e['state']}: {e['detail']}")
        if centre is not None:
            oldest = centre["oldest_at"] or "-"
            print(f"{'OK  ' if centre['reachable'] else 'FAIL'} {'centre':<12} {centre['url']}: "
                  f"outbox {centre['backlog']} waiting (oldest {oldest}), {centre['failing']} failing")
    return 0 if ok else 1


def centre_report(cfg: Any) -> dict[str, object] | None:
    """The centre (``centre.url``): reachable or not, and this kiosk's outbox backlog and
    oldest item (``None`` without a centre). Reads the outbox file; sends nothing."""
    if not cfg["centre.url"]:
        return None
    import requests

    from kiosk.bootstrap import resolve_path
    from offline_cache.outbox import Outbox
    from offline_cache.sealed import StoreSealer, store_key

    data_dir = resolve_path(cfg["kiosk.data_dir"])
    try:
        reachable = requests.get(cfg["centre.url"].rstrip("/") + "/api/v1/health", timeout=3).ok
    except requests.RequestException:
        reachable = False
    outbox = Outbox(data_dir / "offline_cache" / "outbox.sqlite3", StoreSealer(store_key(data_dir)))
    try:
        st = outbox.stats()
    finally:
        outbox.close()
    oldest = datetime.fromtimestamp(st.oldest_at).isoformat(timespec="seconds") if st.oldest_at else None
    return {"url": cfg["centre.url"], "reachable": reachable, "backlog": st.backlog, "oldest_at": oldest,
            "failing": st.failing, "delivered": st.delivered}
