"""Stored first answers (idempotency records, tombstones included) are forgotten after
their retention, not before: a retry inside the window still replays."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from centre.principals import Principal
from centre.store.schema import idempotency
from tests.fixtures.centre_server import open_centre


def test_answers_are_purged_after_their_retention_only(tmp_path: Path) -> None:
    clock = [1_780_000_000.0]
    centre = open_centre(tmp_path, clock=lambda: clock[0], idempotency_retention_s=72 * 3600.0)
    kiosk = Principal(1, "kiosk-01", "kiosk")
    with centre.db.write() as conn:
        for i, age_h in enumerate([100, 73, 71, 1]):
            conn.execute(idempotency.insert().values(token_id=kiosk.token_id, key=f"k{i}", request_hash="h",
                                                     status=201, body="{}", created_at=clock[0] - age_h * 3600))
    assert centre.purge_answers() == 2
    with centre.db.read() as conn:
        left = sorted(r.key for r in conn.execute(select(idempotency.c.key)))
        assert left == ["k2", "k3"]
    clock[0] += 2 * 3600
    assert centre.purge_answers() == 1
    with centre.db.read() as conn:
        assert conn.execute(select(func.count()).select_from(idempotency)).scalar_one() == 1
    centre.db.dispose()
