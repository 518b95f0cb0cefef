"""One citizen's session: everything personal the kiosk holds, wiped as a whole."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from hardware.shared_types import AccessKey, AuthVerdict, Citizen
from kiosk.photo.session import AcceptedPhoto


@dataclass
class Session:
    """Mutable per-citizen state. A wipe replaces the whole object (see :class:`kiosk.flow.Flow`)."""

    language: str = "vi"
    large_text: bool = False
    access_key: AccessKey | None = None
    key_source: str = ""                 # "qr", "keypad"
    qr_citizen: Citizen | None = None    # identity from the card's QR (before the chip read)
    citizen: Citizen | None = None       # identity confirmed for this session
    identified_by: str = ""              # "chip", "qr", "" (walk-in)
    portrait_jpeg: bytes | None = None
    passive_auth_summary: str = ""
    chip_authenticity_failed: bool = False  # the chip's data or the chip itself failed a check
    chip_verdict: AuthVerdict | None = None  # the chip check's verdict (None: not read)
    mismatches: tuple[str, ...] = ()     # fields where QR and chip disagree
    card_expired: bool = False           # the card's expiry date is in the past
    corrections: tuple[str, ...] = ()    # fields the citizen flagged as wrong
    corrected_values: dict[str, str] = field(default_factory=dict)  # flagged field -> typed value
    service_code: str = ""
    priority_group: str = ""
    photo: AcceptedPhoto | None = None   # portrait taken at the kiosk, accepted by the citizen
    photo_skipped: str = ""              # why there is no photo: "citizen", "counter", "camera_unavailable"
    ticket: Any = None                   # kiosk.ticketing.Ticket once issued
    print_error: str = ""                # error code of a failed print, "" when printed
    printed: bool = False
    status_query: str = ""
    status_result: Any = None
    status_printed: str = ""             # the status slip: "printing", "printed" or a printer error
    booking_code: str = ""               # an online booking being checked in (kiosk.flow_visit)
    checkin: Any = None                  # kiosk.visit.CheckInOutcome once the centre answered
    checkin_pending: bool = False        # the check-in was sent and not answered yet
    booking_waiting: bool = False        # the check-in could not reach the centre: the booking goes with the ticket
    after_identify: str = ""             # "checkin" / "status": where identifying leads
    extras: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:  # never let personal data reach a log through a repr
        return f"Session(lang={self.language}, identified_by={self.identified_by or '-'})"

    def holds_personal_data(self) -> bool:
        """True while anything identifying is kept (used by tests of the wipe)."""
        return any((self.access_key, self.qr_citizen, self.citizen, self.portrait_jpeg,
                    self.photo, self.status_query, self.status_result, self.extras,
                    self.corrected_values, self.booking_code, self.checkin))

    def ticket_flags(self) -> tuple[str, ...]:
        """What counter staff must check, as flags without personal data (field names
        only): ``mismatch.<field>`` (QR and chip disagree), ``corrections`` (the citizen
        flagged wrong data), ``card_expired``, ``chip_check_failed``, and the chip check as
        ``chip.<code>.<reason>`` (e.g. ``chip.signature_only.no_trust_store``) plus
        ``chip_possibly_cloned`` when chip or active authentication failed."""
        flags = [f"mismatch.{name}" for name in self.mismatches]
        if self.corrections:
            flags.append("corrections")
        if self.card_expired:
            flags.append("card_expired")
        if self.chip_authenticity_failed:
            flags.append("chip_check_failed")
        if self.booking_code and self.checkin is None:
            flags.append("appointment.not_checked_in")  # has a booking the kiosk could not check
        if self.chip_verdict is not None:
            flags.append(f"chip.{self.chip_verdict.code}.{self.chip_verdict.reason}")
            if self.chip_verdict.possibly_cloned:
                flags.append("chip_possibly_cloned")
        return tuple(flags)

    def booking_claim(self) -> dict[str, str] | None:
        """The booking to send with the ticket when its check-in could not reach the centre
        (``booking_waiting``): the scanned code and/or the identified citizen's ID number."""
        if not self.booking_waiting or self.checkin is not None:
            return None
        id_number = self.citizen.id_number if self.citizen is not None else ""
        if not self.booking_code and not id_number:
            return None
        return {"code": self.booking_code, "id_number": id_number}

    def store_photo(self, photo: AcceptedPhoto) -> None:
        """Keep ``photo``; a photo held before is overwritten first."""
        if self.photo is not None and self.photo is not photo:
            self.photo.wipe()
        self.photo = photo

    def wipe_photo(self) -> None:
        """Overwrite the held photo's bytes and drop it (safe when there is none)."""
        photo, self.photo = self.photo, None
        if photo is not None:
            photo.wipe()


def is_expired(date_of_expiry: str, today: date) -> bool:
    """True when ``date_of_expiry`` ("dd/mm/yyyy") lies before ``today``. A card valid
    for life ("Không thời hạn"), an empty or an unreadable value is not expired: the
    kiosk only says "expired" when it is sure."""
    try:
        expiry = datetime.strptime((date_of_expiry or "").strip(), "%d/%m/%Y").date()
    except ValueError:
        return False
    return expiry < today
