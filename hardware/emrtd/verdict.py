"""The chip check's verdict: one typed value with three outcomes and a machine reason.

Standard library only (no ``kiosk``, no ``cryptography``), so the confirm screen, the
ticket flags, the visit handover to the counter, the CLI and the logs can all carry it
as ``.code`` / ``.reason`` strings or :meth:`AuthVerdict.to_dict`.

* ``verified`` — every data-group hash matches EF.SOD, the SOD signature verifies, the
  document signer chains to a configured CSCA that was valid at signing time, the
  signer is not revoked, and chip / active authentication (when the chip offers them)
  succeeded.
* ``signature_only`` — the data is consistent with a valid signature, but the signer
  is not verified (``reason`` says why: no trust store, unknown CSCA, …).
* ``failed`` — a check *proved* a problem (``reason`` says which).  ``possibly_cloned``
  is set when chip or active authentication failed: the data may be a genuine copy on
  another chip.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VERIFIED, SIGNATURE_ONLY, FAILED = "verified", "signature_only", "failed"
CODES = (VERIFIED, SIGNATURE_ONLY, FAILED)

# Reason codes, with the outcome each one leads to.  Keep the strings stable: the
# counter application and the ticket log store them.
REASONS: dict[str, str] = {
    "ok": VERIFIED,
    # signature only: consistent, but the signer's chain is not verified
    "no_trust_store": SIGNATURE_ONLY,
    "unknown_csca": SIGNATURE_ONLY,
    "certificate_profile": SIGNATURE_ONLY,
    # failed: a check proved a problem
    "hash_mismatch": FAILED,
    "bad_signature": FAILED,
    "malformed_sod": FAILED,
    "chain_invalid": FAILED,
    "signer_expired": FAILED,
    "signer_revoked": FAILED,
    "chip_auth_failed": FAILED,
    "active_auth_failed": FAILED,
}

#: Short English explanations for the CLI, logs and staff screens (no personal data).
REASON_TEXT: dict[str, str] = {
    "ok": "hashes, signature and chain to a configured CSCA verified",
    "no_trust_store": "no CSCA trust store is configured, so the signer cannot be checked",
    "unknown_csca": "the document signer's CSCA is not in the trust store",
    "certificate_profile": "the chain verifies, but its certificates lack fields ICAO 9303-12 requires",
    "hash_mismatch": "a data group does not match the hash signed in EF.SOD (altered data)",
    "bad_signature": "the EF.SOD signature does not verify",
    "malformed_sod": "EF.SOD is not a well-formed ICAO security object",
    "chain_invalid": "the document signer certificate was not issued by the CSCA it names",
    "signer_expired": "the document signer certificate was not valid at signing time",
    "signer_revoked": "the document signer certificate is revoked by its CSCA",
    "chip_auth_failed": "chip authentication failed: the chip may be a clone",
    "active_auth_failed": "active authentication failed: the chip may be a clone",
}


@dataclass(frozen=True)
class AuthVerdict:
    """What the chip check proved.  ``code`` ∈ :data:`CODES`, ``reason`` ∈ :data:`REASONS`.

    ``detail`` is a short technical sentence without personal data; ``chip_auth`` /
    ``active_auth`` say which anti-cloning check ran (``None``: not run / not offered).
    """

    code: str
    reason: str
    detail: str = ""
    possibly_cloned: bool = False
    chip_auth: bool | None = None
    active_auth: bool | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown verdict code {self.code!r}")
        if REASONS.get(self.reason) != self.code:
            raise ValueError(f"reason {self.reason!r} does not belong to verdict {self.code!r}")
        if self.possibly_cloned and self.code != FAILED:
            raise ValueError("a possibly cloned chip can only be a failed verdict (use combine)")

    @property
    def verified(self) -> bool:
        """True only for the full ``verified`` outcome."""
        return self.code == VERIFIED

    @property
    def failed(self) -> bool:
        """True when a check proved the data altered or the chip not genuine."""
        return self.code == FAILED

    def explanation(self) -> str:
        """One English sentence for technicians (CLI, logs)."""
        return REASON_TEXT.get(self.reason, self.reason)

    def summary(self) -> str:
        """E.g. ``signature_only (unknown_csca): the document signer's CSCA is not …``."""
        text = f"{self.code} ({self.reason}): {self.explanation()}"
        return text + (f" [{self.detail}]" if self.detail else "")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (handover to the counter, CLI ``--json``)."""
        return {"code": self.code, "reason": self.reason, "detail": self.detail,
                "possibly_cloned": self.possibly_cloned, "chip_auth": self.chip_auth,
                "active_auth": self.active_auth}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "AuthVerdict":
        """Inverse of :meth:`to_dict` (unknown keys are ignored)."""
        return cls(str(data["code"]), str(data["reason"]), str(data.get("detail", "")),
                   bool(data.get("possibly_cloned", False)), data.get("chip_auth"), data.get("active_auth"))


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
