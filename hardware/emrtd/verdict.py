"""How the chip check's verdict is reached: :func:`verdict` from a reason code, and
:func:`combine` to fold chip / active authentication into the passive one.

The verdict itself (:class:`AuthVerdict`, its codes and reasons) is data the kiosk core,
the screens and the handover to the counter carry too, so it is defined in the neutral
:mod:`hardware.shared_types` and re-exported here.
"""
from __future__ import annotations

from hardware.shared_types import (CODES, FAILED, REASON_TEXT, REASONS, SIGNATURE_ONLY, VERIFIED,
                                   AuthVerdict)


def verdict(reason: str, detail: str = "", *, chip_auth: bool | None = None,
            active_auth: bool | None = None) -> AuthVerdict:
    """The verdict a reason leads to; ``possibly_cloned`` follows CA / AA failures
    (so a failed CA/AA with a non-failing reason raises: fold them with :func:`combine`)."""
    if reason not in REASONS:
        raise ValueError(f"unknown verdict reason {reason!r}")
    cloned = chip_auth is False or active_auth is False
    return AuthVerdict(REASONS[reason], reason, detail, cloned, chip_auth, active_auth)


def combine(passive: AuthVerdict, *, chip_auth: bool | None, active_auth: bool | None) -> AuthVerdict:
    """Fold the anti-cloning checks into the passive-authentication verdict.

    Altered data (a passive failure) outranks a cloned chip; a failed CA or AA turns any
    other outcome into ``failed`` with ``possibly_cloned``.
    """
    if passive.failed:
        return verdict(passive.reason, passive.detail, chip_auth=chip_auth, active_auth=active_auth)
    if chip_auth is False:
        return verdict("chip_auth_failed", passive.detail, chip_auth=chip_auth, active_auth=active_auth)
    if active_auth is False:
        return verdict("active_auth_failed", passive.detail, chip_auth=chip_auth, active_auth=active_auth)
    return verdict(passive.reason, passive.detail, chip_auth=chip_auth, active_auth=active_auth)


__all__ = ["AuthVerdict", "VERIFIED", "SIGNATURE_ONLY", "FAILED", "CODES", "REASONS", "REASON_TEXT",
           "verdict", "combine"]
