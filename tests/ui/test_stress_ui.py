"""The seeded random-input stress run in CI (bounded; ``scripts/stress_kiosk.py`` runs it
long): see tests/ui/stress_harness.py for what it does and checks after every step."""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.kiosk_logging import kiosk_logging
from tests.ui.stress_harness import Stress, log_leaks

STEPS = 60  # per seed: 2 seeds take about 45 s on an idle 2-core machine


@pytest.mark.parametrize("seed", [1, 7])
def test_random_input_keeps_every_invariant(ui_factory: Any, clock: Any, tmp_path: Path,
                                            seed: int) -> None:
    with kiosk_logging(tmp_path) as redactor:
        ui = ui_factory(photo__enabled=False, session__card_removal_grace_s=5.0)
        ui.app.controller.remember_personal = redactor.remember
        stress = Stress(ui, clock, seed)
        report = stress.run(STEPS)
        stress.check_tickets(tmp_path / "offline_cache" / "kiosk-demo.sqlite3")
        assert report.steps == STEPS
        assert len(report.states) >= 3  # the run went somewhere, not only the attract screen
        logging.getLogger("kiosk.test").info("stress done: %s", report)
        assert log_leaks(tmp_path, stress.secrets) == []
