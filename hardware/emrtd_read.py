"""From the kiosk's card port to the eMRTD layer and back, in one place.

:func:`read_card_result` runs ``hardware.emrtd.reader.read_document`` over any
``Transport`` and turns the chip document into the port's
:class:`~hardware.card_reader.CardReadResult` (a :class:`~hardware.shared_types.Citizen` from
DG13 with DG1 as fallback, NFC-normalised text, the portrait as JPEG bytes, passive
authentication summary, APDU count and timing). Any card-reader backend that speaks
APDUs (PC/SC today) uses it.
"""
from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

from hardware.shared_types import AccessKey, CardReadResult, Citizen, nfc

log = logging.getLogger(__name__)

_SEX = {"nam": "M", "nữ": "F", "nu": "F", "m": "M", "f": "F"}


def _yymmdd_to_date(text: str, past: bool) -> dt.date:
    """MRZ YYMMDD; the century is the one that puts a birth date in the past."""
    yy, mm, dd = int(text[0:2]), int(text[2:4]), int(text[4:6])
    today = dt.date.today()
    year = 2000 + yy
    if past and dt.date(year, mm, dd) > today:
        year -= 100
    elif not past and year < today.year - 50:
        year += 100
    return dt.date(year, mm, dd)


def _mrz_date(text: str, past: bool) -> dt.date | None:
    try:
        return _yymmdd_to_date(text, past)
    except (ValueError, IndexError):
        return None


def citizen_from_document(doc: Any) -> Citizen:
    """DG13 first (full Vietnamese data), DG1 (MRZ) for whatever DG13 lacks."""
    from hardware.emrtd.dg13 import parse_vn_date

    dg1, dg13 = doc.dg1, doc.dg13

    def g(attr: str) -> str:
        return nfc(getattr(dg13, attr, None) if dg13 is not None else None)

    id_number = g("id_number") or dg1.full_id_number
    dob = parse_vn_date(g("date_of_birth")) or _mrz_date(dg1.date_of_birth, past=True)
    sex = _SEX.get(g("sex").lower(), "") or _SEX.get(dg1.sex.lower(), "")
    expiry = g("date_of_expiry")
    if not expiry:
        exp = _mrz_date(dg1.date_of_expiry, past=False)
        expiry = exp.strftime("%d/%m/%Y") if exp else ""
    return Citizen(
        id_number=id_number,
        full_name=g("full_name") or nfc(dg1.name),
        date_of_birth=dob,
        sex=sex,
        nationality=g("nationality") or ("Việt Nam" if dg1.nationality == "VNM" else nfc(dg1.nationality)),
        ethnicity=g("ethnicity"),
        religion=g("religion"),
        place_of_origin=g("place_of_origin"),
        place_of_residence=g("place_of_residence"),
        identifying_marks=g("identifying_marks"),
        date_of_issue=parse_vn_date(g("date_of_issue")),
        date_of_expiry=expiry,
        father_name=g("father_name"),
        mother_name=g("mother_name"),
        spouse_name=g("spouse_name"),
        old_id_number=g("old_id_number"),
    )


def portrait_jpeg(doc: Any) -> tuple[bytes | None, str | None]:
    """The DG2 portrait as JPEG bytes (JPEG 2000 is re-encoded); (None, why) on failure."""
    face = doc.dg2
    if face is None:
        return None, "no portrait (DG2 not read)"
    if face.mime == "image/jpeg":
        return bytes(face.data), None
    try:
        image = face.decode()
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=92)
        return out.getvalue(), None
    except Exception as exc:  # noqa: BLE001 - a bad portrait must not lose the identity
        return None, f"portrait does not decode ({type(exc).__name__})"


def result_from_document(doc: Any, duration_s: float) -> CardReadResult:
    """The port's result for a chip document (warnings name problems, never values)."""
    warnings: list[str] = []
    pa = doc.passive_auth
    verdict = doc.verdict
    # Honest tri-state: True only for a verified chain, False only when a check failed.
    pa_ok: bool | None = None
    if pa is not None:
        pa_ok = True if pa.fully_verified else (False if pa.failed else None)
    if pa is None:
        warnings.append("passive authentication not run")
    if verdict is not None and not verdict.verified:
        warnings.append(f"chip check {verdict.code}: {verdict.reason}")
    if doc.cross_check is not None and not doc.cross_check.ok:
        warnings.append("data groups disagree: " + ", ".join(doc.cross_check.mismatches))
    if not doc.dg1.check_digits_ok:
        warnings.append("MRZ check digits wrong: " + ", ".join(doc.dg1.bad_check_digits))
    if doc.dg13 is None:
        warnings.append("DG13 not read: citizen data from the MRZ only")
    for number, why in sorted(doc.skipped_groups.items()):
        warnings.append(f"DG{number} skipped ({why})")
    if doc.active_auth is False:
        warnings.append("active authentication failed")
    if doc.chip_auth is False:
        warnings.append("chip authentication failed")
    jpeg, why = portrait_jpeg(doc)
    if why:
        warnings.append(why)
    return CardReadResult(
        citizen=citizen_from_document(doc),
        access_method=doc.access_method,
        portrait_jpeg=jpeg,
        passive_auth_ok=pa_ok,
        passive_auth_summary=pa.summary() if pa is not None else "not run",
        active_auth_ok=doc.active_auth,
        apdu_count=doc.apdu_count,
        duration_s=duration_s,
        warnings=tuple(warnings),
        verdict=verdict,
    )


def read_card_result(transport: Any, key: AccessKey, *, block_size: int = 0xDF,
                     trust_store: Any = None, trust_store_dir: str | None = None,
                     chip_auth: bool = True, qr: dict[str, str] | None = None) -> CardReadResult:
    """Read the whole card over ``transport`` and return the port's result.

    The chip check is reported, not enforced (``verdict``, ``passive_auth_ok`` and
    ``warnings``): the flow decides what an unverifiable, altered or cloned card means.
    ``trust_store`` is a loaded :class:`hardware.emrtd.trust_store.TrustStore`
    (``trust_store_dir`` loads one; TrustStoreError when it cannot be read).
    Raises ``hardware.emrtd`` errors (the backend maps them to the port's).
    """
    import time

    from hardware.emrtd.reader import read_document
    from hardware.emrtd.trust_store import load_trust_store

    start = time.perf_counter()
    if trust_store is None and trust_store_dir:
        trust_store = load_trust_store(trust_store_dir)
    doc = read_document(transport, key, block_size=block_size, trust_store=trust_store,
                        strict_passive_auth=False, chip_auth=chip_auth, qr=qr)
    return result_from_document(doc, time.perf_counter() - start)
