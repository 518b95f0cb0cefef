"""A full disk on the centre: the API answers 503 ``storage_unavailable`` (JSON, no stack
trace), nothing half-written stays, and once there is room again numbering goes on with
no gap — the real SQLite "database or disk is full" error, raised by a page limit on the
writer's connections, through a real HTTP server on loopback."""
from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import requests
import uvicorn
from sqlalchemy import event, func, select

from centre import access
from centre.api.app import create_app
from centre.store.schema import ticket
from tests.fixtures.centre_server import open_centre


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_full_disk_answers_503_and_loses_nothing(tmp_path: Path) -> None:
    centre = open_centre(tmp_path)
    with centre.db.write() as conn:
        token = access.add_token(conn, "kiosk", "kiosk-01", time.time())
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar_one()
    limit = {"pages": pages + 40}
    event.listen(centre.db.write_engine, "connect",
                 lambda c, _r: c.execute(f"PRAGMA max_page_count = {limit['pages']}"))
    centre.db.write_engine.dispose()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(centre), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    url = f"http://127.0.0.1:{port}/api/v1/tickets"
    try:
        deadline = time.time() + 20
        while not server.started and time.time() < deadline:
            time.sleep(0.05)
        answers = []
        for i in range(400):
            r = http.post(url, json={"service": "cccd_new"}, headers={"Idempotency-Key": f"t{i}"}, timeout=20)
            answers.append(r)
            if r.status_code != 201:
                break
        full = answers[-1]
        assert full.status_code == 503, full.text
        assert full.json()["error"] == "storage_unavailable"
        assert "Traceback" not in full.text and "INSERT" not in full.text
        made = [r.json()["number"] for r in answers[:-1]]
        assert len(made) >= 5
        with centre.db.read() as conn:
            assert conn.execute(select(func.count()).select_from(ticket)).scalar_one() == len(made)

        limit["pages"] += 10_000          # room again (new connections get the new limit)
        centre.db.write_engine.dispose()
        again = http.post(url, json={"service": "cccd_new"}, headers={"Idempotency-Key": f"t{len(made)}"},
                          timeout=20)
        assert again.status_code == 201, again.text
        prefix = made[0].rstrip("0123456789")
        assert again.json()["number"] == f"{prefix}{len(made) + 1:03d}"   # no number lost to the fault
    finally:
        server.should_exit = True
        thread.join(10)
        centre.db.dispose()
