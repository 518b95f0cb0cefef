"""The kiosk's centre client logs an unreachable centre by route, never the code in a path."""
from __future__ import annotations

import logging

import pytest

from kiosk.centre_client import CentreUnreachable, HttpCentre, Timeouts
from tests.fixtures.postgres import free_port


def test_unreachable_lookup_logs_the_route_not_the_code(caplog: pytest.LogCaptureFixture) -> None:
    centre = HttpCentre(f"http://127.0.0.1:{free_port()}", "t", Timeouts(connect_s=0.2, retries=0))
    with caplog.at_level(logging.INFO, logger="kiosk.centre_client"), pytest.raises(CentreUnreachable):
        centre.application("000.17.22.H56-251204-0001")
    text = caplog.text
    assert "applications" in text and "251204" not in text and "H56" not in text
