"""The demo citizens' card QR (as the simulated devices will show it) parses back to the
same person and agrees with the simulated chip."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.identity import CardQr, cross_check, make_card_qr_payload, parse_payload

DEMO = Path(__file__).resolve().parents[3] / "assets" / "demo" / "citizens"


def profiles():
    if not DEMO.is_dir():
        return []
    from hardware.sim_card_reader import load_profiles

    return sorted(load_profiles(DEMO).items())


@pytest.mark.parametrize("name,profile", profiles() or [pytest.param(None, None, marks=pytest.mark.skip("no demo citizens"))])
def test_demo_citizen_card_qr_round_trips(name, profile):
    citizen = profile.citizen
    result = parse_payload(make_card_qr_payload(citizen))
    assert isinstance(result, CardQr) and result.warnings == ()
    assert cross_check(result, citizen) == []
    assert result.access_key().can == citizen.id_number[-6:]
