"""The chip check's three outcomes on the confirm screen and in the ticket flags (real
offscreen window; the simulated reader hands over a verdict as a real chip read would)."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from hardware.emrtd.verdict import combine, verdict
from kiosk.flow import State

PROFILE = "nguyen_van_an"
CASES = {
    "verified": (verdict("ok", chip_auth=True, active_auth=True),
                 "Chip đã qua kiểm tra bảo mật", None, ("chip.verified.ok",)),
    "signature_only": (verdict("no_trust_store", chip_auth=True),
                       "máy chưa xác nhận được cơ quan cấp", None, ("chip.signature_only.no_trust_store",)),
    "cloned": (combine(verdict("ok"), chip_auth=False, active_auth=True), "", "không chứng minh được là chip thật",
               ("chip_check_failed", "chip.failed.chip_auth_failed", "chip_possibly_cloned")),
    "altered": (verdict("hash_mismatch", "DG13"), "", "Kiểm tra bảo mật chip của thẻ không đạt",
                ("chip_check_failed", "chip.failed.hash_mismatch")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_confirm_screen_and_ticket_flags_follow_the_verdict(ui: Any, case: str) -> None:
    value, source_part, banner_part, flags = CASES[case]
    reader = ui.app.kiosk.devices.card_reader
    reader.profiles[PROFILE] = replace(reader.profiles[PROFILE], verdict=value)
    ui.tap("btn_identify")
    assert ui.wait_state(State.IDENTIFY)
    reader.tap(PROFILE)
    assert ui.pump(2, lambda: ui.app.controller.flow.card_present)
    keys = {b.key: b for b in ui.screen.keypad.children}
    for d in reader.profiles[PROFILE].citizen.id_number:
        ui.tap(keys[d])
    ui.tap("btn_submit")
    assert ui.wait_state(State.CONFIRM, 5)
    ui.pump(0.1)
    source, banner = ui.screen.ids.source.text, ui.screen.ids.mismatch_banner.text
    assert source_part in source
    if banner_part is None:
        assert banner == ""
    else:
        assert banner_part in banner
    assert ui.app.controller.flow.session.ticket_flags() == flags
