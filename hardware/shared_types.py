"""The data hardware/ and kiosk/ both use, in one neutral module that imports neither.

Card readers build a :class:`CardReadResult` (a :class:`Citizen` and the chip check's
:class:`AuthVerdict`) from an :class:`AccessKey`, or refuse it with
:class:`WrongAccessKey`; the kiosk core derives the key, shows the result and sends the
counter a :class:`VisitHandover`; printers print the :class:`TicketJob` the kiosk makes.
Each of these is defined here and only here (``tests/unit/test_layering.py`` checks it,
and that this module imports nothing but the standard library and :mod:`hardware.base`,
whose ``HardwareError`` is :class:`CardError`'s base), so no layer imports another's code
to exchange data. Protocol code stays in ``hardware.emrtd`` (MRZ information, status
words, how a verdict is reached), device code in the ports and backends.

:class:`WrongAccessKey` belongs to two hierarchies at once: the card-reader port promises
that ``read_card`` raises :class:`CardError` only, and the protocol layer maps status
words to :class:`StatusWordError` (a :class:`ChipError`). One class with both bases is
caught by either, so the chip's "wrong key" answer reaches the screen untranslated;
``hardware.card_reader`` and ``hardware.emrtd.errors`` re-export the bases.

Personal data: ``repr`` of a citizen, a key, a read result or a handover never shows its
values, so none reaches a log line or a traceback.
"""
from __future__ import annotations

import base64
import datetime as dt
import unicodedata
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from hardware.base import HardwareError


# -- text helpers ----------------------------------------------------------------------
def nfc(text: str | None) -> str:
    """Normalise text to NFC: decomposed Vietnamese accents render badly."""
    return unicodedata.normalize("NFC", text or "").strip()


def mask_id(id_number: str | None) -> str:
    """Show only the last 4 digits of an ID number (e.g. ``********7064``)."""
    digits = (id_number or "").strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


# -- errors --------------------------------------------------------------------------
class CardError(HardwareError):
    """Base of the card-reader port's errors (``hardware.card_reader`` adds the others)."""


class ChipError(Exception):
    """Base class of every error raised by the eMRTD layer (``hardware.emrtd.errors``)."""


class StatusWordError(ChipError):
    """The card answered with an error status word."""

    def __init__(self, message: str, sw: int | None = None) -> None:
        super().__init__(message if sw is None else f"{message} (SW {sw:04X})")
        self.sw = sw


class WrongAccessKey(CardError, StatusWordError):
    """PACE/BAC authentication failed: the CAN or MRZ data do not fit this card.

    ``sw`` is the chip's status word when the chip said so (None when the key was
    refused before or without one, e.g. by the simulated reader).
    """


# -- the CCCD expiry rule -------------------------------------------------------------
# Ages at which a CCCD expires (Law on Identification 2023 adds 14). Keep the rule here.
EXPIRY_AGES = (14, 25, 40, 60)
NO_EXPIRY = "<<<<<<"  # DG1 encoding of "no expiry" is unconfirmed; tried last for 58+


def _birthday(dob: dt.date, age: int) -> list[dt.date]:
    try:
        return [dob.replace(year=dob.year + age)]
    except ValueError:  # 29 February in a non-leap year: either convention may be used
        return [dt.date(dob.year + age, 2, 28), dt.date(dob.year + age, 3, 1)]


def expiry_candidates(dob: dt.date, today: dt.date | None = None) -> list[str]:
    """Possible CCCD expiry dates (YYMMDD), most likely first.

    Future thresholds first (nearest first: a card issued within 2 years of a threshold
    runs to the next one, so later ones stay possible), then past ones (expired cards),
    most recent first; "no expiry" last for people aged 58 or more.
    """
    today = today or dt.date.today()
    dates = [d for age in EXPIRY_AGES for d in _birthday(dob, age)]
    future = sorted(d for d in dates if d >= today)
    past = sorted((d for d in dates if d < today), reverse=True)
    out = [d.strftime("%y%m%d") for d in future + past]
    if _birthday(dob, 58)[0] <= today:
        out.append(NO_EXPIRY)
    return out


# -- the key --------------------------------------------------------------------------
@dataclass(frozen=True)
class BacData:
    """Document number (9 chars), DOB (YYMMDD) and the expiry candidates (YYMMDD) to try.

    :func:`hardware.emrtd.mrz.mrz_infos` turns them into the BAC / PACE-MRZ key inputs.
    """

    document_number: str = field(repr=False)
    date_of_birth: str = field(repr=False)
    expiry_candidates: tuple[str, ...] = field(repr=False)

    def __post_init__(self) -> None:
        if not self.expiry_candidates:  # the chip needs one; from_id derives them from the DOB
            raise ValueError("BAC data need at least one expiry candidate")


@dataclass(frozen=True)
class AccessKey:
    """What the terminal knows to open the chip: a CAN (PACE) and/or BAC data."""

    can: str | None = field(default=None, repr=False)
    bac: BacData | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.can is not None and (len(self.can) != 6 or not self.can.isdigit()):
            raise ValueError("CAN must be 6 digits")
        if self.can is None and self.bac is None:
            raise ValueError("an access key needs a CAN or BAC data")

    def __repr__(self) -> str:
        bac = f"{len(self.bac.expiry_candidates)} expiry candidates" if self.bac else "no BAC data"
        return f"AccessKey(can={'set' if self.can else 'none'}, {bac})"

    @classmethod
    def from_can(cls, can: str) -> "AccessKey":
        """PACE with the card access number only (6 digits)."""
        return cls(can=can)

    @classmethod
    def from_mrz(cls, document_number: str, dob: str, expiry: str | list[str]) -> "AccessKey":
        """BAC data from MRZ fields (YYMMDD dates); ``expiry`` may be a list to try."""
        expiries = (expiry,) if isinstance(expiry, str) else tuple(expiry)
        return cls(bac=BacData(document_number, dob, expiries))

    @classmethod
    def from_id(cls, id_number: str, dob: dt.date | str | None = None, *,
                today: dt.date | None = None) -> "AccessKey":
        """CAN = last 6 digits of the 12-digit ID; with the DOB also BAC data: document
        number = last 9 digits, expiry candidates by the age rule.

        ``dob`` is a date, 'YYYY-MM-DD', 'dd/mm/yyyy' or 'ddmmyyyy'; None gives a
        CAN-only key (chips that offer PACE need no more).
        """
        id12 = id_number.strip()
        if len(id12) != 12 or not id12.isdigit():
            raise ValueError("ID number must be 12 digits")
        if dob is None:
            return cls(can=id12[-6:])
        dob_date = _parse_dob(dob)
        bac = BacData(id12[-9:], dob_date.strftime("%y%m%d"), tuple(expiry_candidates(dob_date, today)))
        return cls(can=id12[-6:], bac=bac)


def _parse_dob(dob: dt.date | str) -> dt.date:
    if isinstance(dob, dt.date):
        return dob
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d%m%Y"):
        try:
            return dt.datetime.strptime(dob, fmt).date()
        except ValueError:
            continue
    raise ValueError("unrecognised date of birth format")


# -- the citizen -----------------------------------------------------------------------
@dataclass(frozen=True)
class Citizen:
    """Personal data of one citizen. Never log an instance: ``repr`` hides every value."""

    id_number: str
    full_name: str = ""
    date_of_birth: dt.date | None = None
    sex: str = ""  # "M" / "F" / "" (unknown)
    nationality: str = ""
    ethnicity: str = ""
    religion: str = ""
    place_of_origin: str = ""
    place_of_residence: str = ""
    identifying_marks: str = ""
    date_of_issue: dt.date | None = None
    date_of_expiry: str = ""  # "dd/mm/yyyy" or text such as "Không thời hạn"
    father_name: str = ""
    mother_name: str = ""
    spouse_name: str = ""
    old_id_number: str = ""

    def __repr__(self) -> str:  # privacy: keep personal data out of logs and tracebacks
        return "Citizen(<redacted>)"

    __str__ = __repr__

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number)

    @property
    def can(self) -> str:
        """PACE card access number: the last 6 digits of the 12-digit ID."""
        return self.id_number[-6:]

    def field_names(self) -> list[str]:
        return [f.name for f in fields(self)]


# -- the chip check's verdict ------------------------------------------------------------
# One typed value with three outcomes and a machine reason; how it is reached (passive,
# chip and active authentication) is protocol code: hardware.emrtd.verdict.verdict/combine.
# * verified: hashes match EF.SOD, the signature verifies, the signer chains to a
#   configured CSCA valid at signing time and is not revoked, CA / AA (when offered) passed.
# * signature_only: consistent with a valid signature, signer not verified (reason: why).
# * failed: a check proved a problem; possibly_cloned when CA or AA failed.
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


# -- one chip read -----------------------------------------------------------------------
@dataclass(frozen=True)
class CardReadResult:
    """Everything the kiosk needs from one chip read."""

    citizen: Citizen
    access_method: str  # "PACE-CAN", "PACE-MRZ", "BAC", "simulated"
    portrait_jpeg: bytes | None = None
    # True: hashes, signature and chain verified; False: proved wrong; None: not (fully) checked
    passive_auth_ok: bool | None = None
    passive_auth_summary: str = ""
    active_auth_ok: bool | None = None
    apdu_count: int = 0
    duration_s: float = 0.0
    warnings: tuple[str, ...] = field(default_factory=tuple)
    # The chip check's one answer (verified / signature_only / failed + reason, possibly
    # cloned); None when no chip check ran (simulated card).
    verdict: AuthVerdict | None = None

    def __repr__(self) -> str:
        return f"CardReadResult(<redacted>, method={self.access_method})"

    @property
    def authenticity_failed(self) -> bool:
        """True when a security check proved the chip's data altered or the chip cloned."""
        if self.verdict is not None:
            return self.verdict.failed
        return self.passive_auth_ok is False or self.active_auth_ok is False


# -- what the printer prints ---------------------------------------------------------------
@dataclass(frozen=True)
class TicketJob:
    """What goes on a queue ticket. Holds no personal data beyond a masked ID."""

    number: str
    service_code: str
    service_vi: str
    service_en: str = ""
    language: str = "vi"
    centre_name: str = ""
    priority: bool = False
    issued_at: dt.datetime = field(default_factory=dt.datetime.now)
    waiting_ahead: int | None = None
    wait_minutes: tuple[int, int] | None = None  # estimated range, when known
    counter_group: str = ""
    qr_payload: str = ""
    masked_id: str = ""
    reprint: bool = False
    flags: tuple[str, ...] = ()  # for counter staff (QR/chip mismatch, corrections…), no personal data
    notes: tuple[str, ...] = ()  # short lines under the time (appointment, "kept at this kiosk")
    kind: str = "ticket"         # "ticket", or "status": an application-status slip (see status_slip)
    lines: tuple[str, ...] = ()  # the slip's text lines (kind "status"); "" is a gap, "# " a heading


# -- the visit handover ----------------------------------------------------------------------
@dataclass(frozen=True)
class VisitHandover:
    """What the counter needs so the officer re-types nothing: the chip's data and the
    check's verdict, the fields the citizen flagged and the corrected values, the accepted
    portrait, the priority reason, how the citizen was identified. :meth:`to_dict` is the
    body of the centre's ``PUT /api/v1/tickets/{id}/handover`` (``HandoverIn``)."""

    citizen: Citizen | None = None
    verdict: AuthVerdict | None = None
    passive_auth_summary: str = ""
    qr_chip_mismatch: tuple[str, ...] = ()   # field names where the card's QR and chip differ
    flagged: tuple[str, ...] = ()            # field names the citizen said are wrong
    corrections: dict[str, str] = field(default_factory=dict)  # field name -> corrected value
    portrait_jpeg: bytes = b""
    priority_reason: str = ""
    source: str = "walk_in"                  # "card", "qr", "walk_in"

    def __repr__(self) -> str:  # privacy: keep personal data out of logs and tracebacks
        return f"VisitHandover(<redacted>, source={self.source})"

    __str__ = __repr__

    def to_dict(self) -> dict[str, Any]:
        """The JSON body for the centre (dates ISO, portrait base64; the centre's limits:
        40 flagged fields, a 200-character priority reason)."""
        chip: dict[str, Any] = {}
        if self.citizen is not None:
            chip = {k: (v.isoformat() if isinstance(v, dt.date) else v)
                    for k, v in asdict(self.citizen).items() if v}
        passive: dict[str, Any] = self.verdict.to_dict() if self.verdict is not None else {}
        if self.passive_auth_summary:
            passive["summary"] = self.passive_auth_summary
        if self.qr_chip_mismatch:
            passive["qr_chip_mismatch"] = list(self.qr_chip_mismatch)
        return {
            "chip": chip, "passive_auth": passive, "flagged": list(self.flagged)[:40],
            "corrections": dict(self.corrections),
            "portrait_jpeg_b64": base64.b64encode(self.portrait_jpeg).decode("ascii"),
            "priority_reason": self.priority_reason[:200], "source": self.source,
        }
