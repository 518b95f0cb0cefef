"""Maintenance staff and the centre link: the outbox backlog and its oldest item on the
maintenance snapshot and in ``python -m kiosk diagnose``, and 'sync now' draining it once
the centre is back (the real centre on loopback, the kiosk wired by bootstrap.build)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from kiosk.bootstrap import Kiosk, build
from kiosk.config import load_config
from kiosk.dispatch import QueueDispatcher
from kiosk.maintenance import MaintenanceService
from tests.fixtures.centre_server import ROOT, CentreProcess, centre_env


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[CentreProcess]:
    proc = CentreProcess(tmp_path / "centre")
    proc.data_dir.mkdir()
    proc.add_token("kiosk", "kiosk-m")
    proc.start()
    yield proc
    proc.stop()


def kiosk_env(centre: CentreProcess, data_dir: Path) -> dict[str, str]:
    return {"KIOSK_CENTRE_URL": centre.url, "KIOSK_CENTRE_TOKEN": centre.tokens["kiosk-m"],
            "KIOSK_KIOSK_ID": "kiosk-m", "KIOSK_KIOSK_DATA_DIR": str(data_dir)}


@pytest.fixture
def kiosk(centre: CentreProcess, tmp_path: Path) -> Iterator[Kiosk]:
    k = build(load_config(environ=kiosk_env(centre, tmp_path / "kiosk")), QueueDispatcher())
    assert k.centre is not None
    k.centre.drainer.stop()          # the test drives the drainer (no race with its thread)
    k.centre.issuer.centre.timeouts.retries = 0   # type: ignore[attr-defined]
    yield k
    k.close()


def diagnose(centre: CentreProcess, data_dir: Path) -> tuple[int, dict]:
    run = subprocess.run([sys.executable, "-m", "kiosk", "diagnose", "--json"], cwd=ROOT,
                         env=centre_env(kiosk_env(centre, data_dir)), capture_output=True, timeout=60)
    return run.returncode, json.loads(run.stdout)


def test_backlog_on_maintenance_and_diagnose_and_sync_now(kiosk: Kiosk, centre: CentreProcess,
                                                          tmp_path: Path) -> None:
    link = kiosk.centre
    assert link is not None
    service = MaintenanceService.from_kiosk(kiosk)
    try:
        ticket = link.issuer.issue("vneid")
        assert service.snapshot().centre == {"online": True, "backlog": 0, "oldest_at": None, "failing": 0}
        centre.stop()
        link.issuer.attach_handover(ticket, {"chip": {"full_name": "Maintenance Person"}, "source": "card"})
        link.issuer.record_print(ticket)
        assert link.drainer.drain() == 0                 # the centre is down: both wait
        snap = service.snapshot().centre
        assert snap is not None and snap["backlog"] == 2 and snap["online"] is False
        assert snap["oldest_at"] is not None and snap["failing"] == 1
        code, report = diagnose(centre, tmp_path / "kiosk")
        assert code == 1 and report["centre"]["reachable"] is False
        assert report["centre"]["backlog"] == 2 and report["centre"]["oldest_at"]
        assert "Maintenance Person" not in json.dumps(report)
        centre.start()
        link.outbox._conn.execute("UPDATE outbox SET next_at=0")  # noqa: SLF001 - skip the backoff
        assert service.run_hook("sync_now") == {"sent": 2, "backlog": 0}
        assert service.snapshot().centre["backlog"] == 0
        code, report = diagnose(centre, tmp_path / "kiosk")
        assert report["centre"]["reachable"] is True and report["centre"]["backlog"] == 0
    finally:
        service.close()


def test_without_a_centre_there_is_no_centre_section(tmp_path: Path) -> None:
    k = build(load_config(environ={"KIOSK_KIOSK_DATA_DIR": str(tmp_path)}), QueueDispatcher())
    try:
        service = MaintenanceService.from_kiosk(k)
        assert service.snapshot().centre is None and "sync_now" not in service.hooks
        service.close()
    finally:
        k.close()
