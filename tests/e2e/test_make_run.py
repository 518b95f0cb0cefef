"""What ``make run`` gives a newcomer: ``python -m kiosk run`` (demo mode, no centre.url)
starts an embedded centre beside the kiosk, prints where the console and display are, and
fills the centre with demo data a newcomer can try at once (an application with its
timeline, today's bookings); the kiosk talks to that centre; a second start reuses it; and
a kiosk killed with ``kill -9`` takes its centre with it (no orphan holding the port)."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.centre_server import ROOT, Api

T = "/api/v1"


def start_kiosk(data_dir: Path, kivy_home: Path) -> tuple[subprocess.Popen[str], dict[str, str]]:
    """``python -m kiosk run`` as ``make run`` starts it; returns the process and what its
    banner said (url, booking, card_booking, dossier)."""
    env = dict(os.environ, KIOSK_KIOSK_DATA_DIR=str(data_dir), KIVY_HOME=str(kivy_home), KIVY_NO_ARGS="1",
               KIVY_NO_CONSOLELOG="1")
    env.pop("DISPLAY", None)
    env.pop("KIOSK_CENTRE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "run"], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            # Ctrl-C reaches it (a shell's background job would ignore SIGINT)
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    said: dict[str, str] = {}
    lines = []
    deadline = time.monotonic() + 90
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if m := re.match(r"centre: (http://127\.0\.0\.1:\d+) \(embedded, SQLite\)", line):
            said["url"] = m.group(1)
        if "counter console:" in line:
            said["console"] = line
        if m := re.search(r"demo data: +booking (\S+) \(F7.*booking (\S+) \(tap card F1.*application (\S+) \(F8\)",
                          line):
            said.update(booking=m.group(1), card_booking=m.group(2), dossier=m.group(3))
            break
    assert {"url", "console", "booking", "dossier"} <= set(said), "".join(lines)[-3000:]
    return proc, said


def port_open(url: str) -> bool:
    import socket

    host, port = url.rsplit("/", 1)[-1].split(":")
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, int(port))) == 0


def kiosks_seen(data_dir: Path) -> list[dict[str, Any]]:
    out = subprocess.run([sys.executable, "-m", "kiosk", "centre", "kiosks", "--json", "--data-dir",
                          str(data_dir / "centre")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-1000:]
    return json.loads(out.stdout)


@pytest.mark.timeout(300)
def test_make_run_starts_an_embedded_centre_with_demo_data(tmp_path: Path) -> None:
    data = tmp_path / "var"
    proc, said = start_kiosk(data, tmp_path / "kivy")
    try:
        assert f"{said['url']}/counter" in said["console"] and "officer 'demo', PIN 1234" in said["console"]
        tokens = json.loads((data / "centre" / "demo-tokens.json").read_text())
        assert (data / "centre" / "demo-tokens.json").stat().st_mode & 0o077 == 0
        k = Api(said["url"], tokens["kiosk"])
        # the demo application: its steps in the timeline, its due date, what to do next
        s, app = k.get(f"{T}/applications/{said['dossier']}")
        assert s == 200, app
        assert [e["status"] for e in app["timeline"]] == [2, 4] and app["status"] == 4
        assert app["due_on"] and app["next_step_vi"]
        # the demo card's applications are found by its ID number (a card tap)
        s, mine = k.post(f"{T}/applications/lookup", {"id_number": "048205006789"})
        assert s == 200 and [a["code"] for a in mine] == [said["dossier"]]
        # the kiosk itself is on this centre (its heartbeat)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not kiosks_seen(data):
            time.sleep(1)
        assert [r["kiosk"] for r in kiosks_seen(data)] == ["kiosk-01"]
        # today's bookings check in: by the QR's code, and by the demo card
        s, by_qr = k.post(f"{T}/appointments/checkin", {"code": said["booking"]}, **{"Idempotency-Key": "e2e-1"})
        assert s == 200 and by_qr["checked_in"] and by_qr["rule"]["arrival"] == "early", by_qr
        s, by_card = k.post(f"{T}/appointments/checkin", {"code": "", "id_number": "048205006789"},
                            **{"Idempotency-Key": "e2e-2"})
        assert s == 200 and by_card["checked_in"], by_card
    finally:
        proc.kill()   # kill -9: no atexit, no clean-up in the kiosk
        proc.wait(10)
    # the embedded centre goes with the kiosk
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and port_open(said["url"]):
        time.sleep(0.2)
    assert not port_open(said["url"]), "the embedded centre outlived its kiosk"

    # a second start: the same tokens and database; the application is not imported twice;
    # the booking checked in stays checked in (its re-import is refused, nothing else changes)
    proc, again = start_kiosk(data, tmp_path / "kivy")
    try:
        assert again["booking"] == said["booking"] and again["dossier"] == said["dossier"]
        k = Api(again["url"], tokens["kiosk"])
        s, app = k.get(f"{T}/applications/{again['dossier']}")
        assert s == 200 and [e["status"] for e in app["timeline"]] == [2, 4]
        s, used = k.post(f"{T}/appointments/checkin", {"code": again["booking"]}, **{"Idempotency-Key": "e2e-3"})
        assert s == 409 and used["error"] == "booking_used"
    finally:
        proc.send_signal(signal.SIGINT)   # Ctrl-C in the terminal
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    assert not port_open(again["url"])
