"""``ticket issue`` and ``outbox [--sync]`` from a shell against the real centre: online,
offline from the lease while the centre is down, then delivered by ``outbox --sync``."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.fixtures.centre_server import ROOT, Api, CentreProcess, centre_env


def kiosk_cli(proc: CentreProcess, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = centre_env({"KIOSK_CENTRE_URL": proc.url, "KIOSK_CENTRE_TOKEN": proc.tokens["kiosk-01"],
                      "KIOSK_KIOSK_ID": "kiosk-01", "KIOSK_KIOSK_DATA_DIR": str(data)})
    return subprocess.run([sys.executable, "-m", "kiosk", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def test_ticket_issue_and_outbox_sync(tmp_path: Path) -> None:
    proc = CentreProcess(tmp_path / "centre")
    proc.data_dir.mkdir()
    proc.add_token("kiosk", "kiosk-01")
    proc.add_token("admin", "it")
    proc.start()
    data = tmp_path / "kiosk"
    try:
        r = kiosk_cli(proc, data, "ticket", "issue", "--service", "vneid", "--json")
        online = json.loads(r.stdout)
        assert r.returncode == 0 and online["number"] == "C001" and online["offline"] is False
        proc.stop()
        r = kiosk_cli(proc, data, "ticket", "issue", "--service", "vneid", "--priority", "elderly", "--json")
        offline = json.loads(r.stdout)
        assert r.returncode == 0 and offline["offline"] is True and int(offline["number"][1:]) >= 500
        r = kiosk_cli(proc, data, "outbox", "--json")
        assert json.loads(r.stdout)["backlog"] == 1
        r = kiosk_cli(proc, data, "outbox", "--sync")
        assert r.returncode == 1 and "unreachable" in r.stdout     # still down: kept, not lost
        proc.start()
        r = kiosk_cli(proc, data, "outbox", "--sync", "--json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["backlog"] == 0 and json.loads(r.stdout)["sent"] == 1
        tickets = Api(proc.url, proc.tokens["it"]).get("/api/v1/tickets")[1]
        assert [(t["number"], t["offline"], t["priority"]) for t in tickets] == [
            ("C001", False, False), (offline["number"], True, True)]
    finally:
        proc.stop()
