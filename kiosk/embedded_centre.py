"""The centre that ``make run`` starts beside the kiosk when no ``centre.url`` is set: a
child process (``python -m kiosk centre serve``, SQLite in ``<data_dir>/centre``) with a
kiosk token, a counter and a display token and a demo officer, kept in
``<data_dir>/centre/demo-tokens.json`` (mode 0600) so later runs reuse them."""
from __future__ import annotations

import atexit
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import requests

from kiosk.demo_centre import DemoCodes, seed

DEMO_OFFICER = ("demo", "1234")


class EmbeddedCentreError(Exception):
    """The embedded centre could not be started (its log file says why)."""


@dataclass
class EmbeddedCentre:
    url: str
    tokens: dict[str, str]
    proc: subprocess.Popen[bytes]
    log_path: Path
    demo: DemoCodes | None = None   # the demo data's codes (kiosk.mode = demo)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def banner(self) -> str:
        return (f"centre: {self.url} (embedded, SQLite)\n"
                f"  counter console: {self.url}/counter  — enrol the browser at {self.url}/device with token "
                f"{self.tokens['counter']}; officer '{DEMO_OFFICER[0]}', PIN {DEMO_OFFICER[1]}\n"
                f"  hall display:    {self.url}/display  — enrol at {self.url}/device with token "
                f"{self.tokens['display']}\n"
                f"  API:             {self.url}/docs" + ("\n" + self.demo.banner() if self.demo else ""))


def _die_with_parent() -> None:
    """In the centre's process before exec: SIGTERM when the kiosk dies, also by kill -9
    (atexit does not run then), so no centre is left holding the port and the database."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _free_port(preferred: int) -> int:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]


def start(data_dir: Path, kiosk_id: str, *, port: int = 8700, config_path: str | None = None,
          demo_now: datetime | None = None) -> EmbeddedCentre:
    """Start (or reuse the tokens of) the embedded centre and wait until it answers. With
    ``demo_now`` (the centre's local time; demo mode) the demo applications and today's
    bookings are imported first (:mod:`kiosk.demo_centre`)."""
    centre_dir = data_dir / "centre"
    centre_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ}
    cfg = ["--config", config_path] if config_path else []
    tokens_file = centre_dir / "demo-tokens.json"
    db = ["--data-dir", str(centre_dir)]
    if tokens_file.exists():
        tokens = json.loads(tokens_file.read_text())
    else:
        tokens = {}
        for role, name in (("kiosk", kiosk_id), ("counter", "counter-demo"), ("display", "display-demo")):
            tokens[role] = _cli_with_config(cfg, "token", "add", "--role", role, "--name", name, *db, env=env)
        env_pin = {**env, "CENTRE_OFFICER_PIN": DEMO_OFFICER[1]}
        _cli_with_config(cfg, "officer", "add", "--name", DEMO_OFFICER[0], *db, env=env_pin)
        fd = os.open(tokens_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(tokens, f)
    demo = None
    if demo_now is not None:
        demo = seed(centre_dir, lambda kind, path: json.loads(
            _cli_with_config(cfg, "import", kind, str(path), "--json", *db, env=env, ok=(0, 1))), demo_now)
    port = _free_port(port)
    log_path = centre_dir / "centre.log"
    log = open(log_path, "ab")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", *cfg, "centre", "serve", "--port", str(port), *db],
                            stdout=log, stderr=log, env=env, preexec_fn=_die_with_parent)
    centre = EmbeddedCentre(f"http://127.0.0.1:{port}", tokens, proc, log_path, demo)
    atexit.register(centre.stop)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise EmbeddedCentreError(f"the embedded centre exited ({proc.returncode}); see {log_path}")
        try:
            if requests.get(centre.url + "/api/v1/health", timeout=1).ok:
                return centre
        except requests.RequestException:
            pass
        time.sleep(0.2)
    centre.stop()
    raise EmbeddedCentreError(f"the embedded centre did not answer within 60 s; see {log_path}")


def _cli_with_config(cfg: list[str], *args: str, env: dict[str, str], ok: tuple[int, ...] = (0,)) -> str:
    r = subprocess.run([sys.executable, "-m", "kiosk", *cfg, "centre", *args], capture_output=True,
                       text=True, timeout=120, env=env)
    if r.returncode not in ok:
        raise EmbeddedCentreError(f"'centre {args[0]}' failed: {r.stderr.strip()[-300:]}")
    return r.stdout.strip()
