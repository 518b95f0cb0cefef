"""Import of applications (dossiers) and bookings from the national systems' CSV and JSON
exports, validated row by row; and the adapter interface for a live integration.

Applications use the national portal's field names: ``MaHoSo`` (required), ``MaTTHC``,
``SoBienNhan``, ``SoDinhDanh`` (12 digits), ``NgayTiepNhan``, ``NgayHenTra``,
``TrangThaiHoSo`` (1-10, required), ``NgayTra``, ``DonViXuLy``.
Bookings have no public export format; the columns are ``MaLichHen`` (booking code),
``MaDichVu`` (service code), ``NgayHen`` (date), ``GioHen`` (slot start HH:MM),
``GioKetThuc`` (slot end, default start + 30 min), ``SoDinhDanh`` (optional).
Dates are ``dd/mm/yyyy`` or ISO ``yyyy-mm-dd`` (a time after the date is ignored).
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime
from pathlib import Path
from typing import Any, Iterable, Iterator, Protocol

from centre.domain.errors import CentreError
from centre.records import ApplicationRow, slot_epoch, upsert_application, upsert_appointment
from centre.service import Centre
from centre.store.events import lock_centre

ID_RE = re.compile(r"^\d{12}$")
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_/]{0,79}$")


class RowError(ValueError):
    """One row cannot be imported; the message says why (never quoting personal data)."""


@dataclass
class ImportReport:
    accepted: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)   # {"row": n, "reason": …}

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "rejected": len(self.rejected), "created": self.created,
                "updated": self.updated, "unchanged": self.unchanged, "rejected_rows": self.rejected}


def parse_date(value: Any, name: str, required: bool = False) -> date | None:
    text = str(value or "").strip()
    if not text:
        if required:
            raise RowError(f"{name} is missing")
        return None
    text = text.split(" ")[0].split("T")[0]
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError(f"{name} is not a date (dd/mm/yyyy or yyyy-mm-dd)")


def _text(rec: dict[str, Any], *names: str) -> str:
    for n in names:
        if n in rec and rec[n] is not None:
            return str(rec[n]).strip()
    return ""


def _id_number(rec: dict[str, Any]) -> str:
    raw = _text(rec, "SoDinhDanh", "id_number")
    if raw and not ID_RE.match(raw):
        raise RowError("SoDinhDanh must be 12 digits")
    return raw


def _code(rec: dict[str, Any], *names: str) -> str:
    code = _text(rec, *names)
    if not code:
        raise RowError(f"{names[0]} is missing")
    if not CODE_RE.match(code):
        raise RowError(f"{names[0]} has characters a code cannot have")
    return code


def application_row(rec: dict[str, Any]) -> ApplicationRow:
    status_raw = _text(rec, "TrangThaiHoSo", "status")
    if not status_raw:
        raise RowError("TrangThaiHoSo is missing")
    try:
        status = int(float(status_raw))
    except ValueError:
        raise RowError("TrangThaiHoSo is not a number") from None
    if not 1 <= status <= 10:
        raise RowError("TrangThaiHoSo must be 1-10")
    received = parse_date(rec.get("NgayTiepNhan"), "NgayTiepNhan")
    due = parse_date(rec.get("NgayHenTra"), "NgayHenTra")
    if received and due and due < received:
        raise RowError("NgayHenTra is before NgayTiepNhan")
    return ApplicationRow(
        code=_code(rec, "MaHoSo", "code"), status=status, procedure=_text(rec, "MaTTHC")[:80],
        receipt_no=_text(rec, "SoBienNhan")[:80], id_number=_id_number(rec), received_on=received,
        due_on=due, returned_on=parse_date(rec.get("NgayTra"), "NgayTra"), unit=_text(rec, "DonViXuLy")[:200])


def read_records(path: Path, as_json: bool | None = None) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(row number, record or None, error) for each row of a CSV or JSON file."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    if as_json or (as_json is None and path.suffix.lower() == ".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CentreError(f"{path.name} is not valid JSON (line {exc.lineno})") from None
        if isinstance(data, dict):
            data = data.get("data") or data.get("items") or data.get("rows") or []
        if not isinstance(data, list):
            raise CentreError(f"{path.name}: expected a list of records")
        for i, rec in enumerate(data, start=1):
            yield (i, rec, "") if isinstance(rec, dict) else (i, None, "not an object")
        return
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=_sniff(text))
    for i, rec in enumerate(reader, start=1):
        if None in rec:
            yield i, None, "more fields than the header has"
        else:
            yield i, {k.strip(): v for k, v in rec.items() if k}, ""


def _sniff(text: str) -> str:
    head = text.split("\n", 1)[0]
    return ";" if head.count(";") > head.count(",") else ","


def import_applications(centre: Centre, path: Path, as_json: bool | None = None) -> ImportReport:
    """Validate and store each row; a newer status of a known dossier extends its timeline."""
    report = ImportReport()
    rows: list[ApplicationRow] = []
    for n, rec, err in read_records(path, as_json):
        try:
            if rec is None:
                raise RowError(err)
            rows.append(application_row(rec))
        except RowError as exc:
            report.rejected.append({"row": n, "reason": str(exc)})
    with centre.db.write() as conn:
        lock_centre(conn)
        for row in rows:
            outcome = upsert_application(centre, conn, row, source=path.name)
            report.accepted += 1
            setattr(report, outcome, getattr(report, outcome) + 1)
    centre.notify()
    return report


def import_appointments(centre: Centre, path: Path, as_json: bool | None = None) -> ImportReport:
    report = ImportReport()
    parsed = []
    for n, rec, err in read_records(path, as_json):
        try:
            if rec is None:
                raise RowError(err)
            code = _code(rec, "MaLichHen", "code")
            svc = _text(rec, "MaDichVu", "service")
            if centre.settings.service(svc) is None:
                raise RowError("MaDichVu is not a service of this centre")
            day = parse_date(_text(rec, "NgayHen", "date"), "NgayHen", required=True)
            start = _clock(_text(rec, "GioHen", "start"), "GioHen", required=True)
            end = _clock(_text(rec, "GioKetThuc", "end"), "GioKetThuc")
            slot_at = slot_epoch(centre, day, start)
            slot_end = slot_epoch(centre, day, end) if end else slot_at + 1800
            if slot_end < slot_at:
                raise RowError("GioKetThuc is before GioHen")
            parsed.append((n, dict(code=code, service_code=svc, slot_at=slot_at, slot_end=slot_end,
                                   id_number=_id_number(rec))))
        except RowError as exc:
            report.rejected.append({"row": n, "reason": str(exc)})
    with centre.db.write() as conn:
        lock_centre(conn)
        for n, values in parsed:
            try:
                with conn.begin_nested():
                    outcome = upsert_appointment(centre, conn, source=path.name, **values)
            except CentreError as exc:
                report.rejected.append({"row": n, "reason": str(exc)})
                continue
            report.accepted += 1
            setattr(report, outcome, getattr(report, outcome) + 1)
    report.rejected.sort(key=lambda r: r["row"])
    return report


def _clock(text: str, name: str, required: bool = False) -> dtime | None:
    if not text:
        if required:
            raise RowError(f"{name} is missing")
        return None
    m = re.match(r"^(\d{1,2})[:hH](\d{2})", text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise RowError(f"{name} is not a time (HH:MM)")
    return dtime(int(m.group(1)), int(m.group(2)))


class ApplicationSource(Protocol):
    """A live integration with the one-stop system (future): yields changed dossiers."""

    name: str

    def changed_since(self, since: datetime | None) -> Iterable[dict[str, Any]]:
        """Records with the portal's field names, changed after ``since`` (all when None)."""
        ...


class FileSource:
    """The file exports as an :class:`ApplicationSource` (what the importer reads)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name

    def changed_since(self, since: datetime | None) -> Iterable[dict[str, Any]]:
        for _, rec, _err in read_records(self.path):
            if rec is not None:
                yield rec


def sync(centre: Centre, source: ApplicationSource, since: datetime | None = None) -> ImportReport:
    """Pull changed dossiers from an adapter into the centre (same validation as import)."""
    report = ImportReport()
    with centre.db.write() as conn:
        lock_centre(conn)
        for n, rec in enumerate(source.changed_since(since), start=1):
            try:
                outcome = upsert_application(centre, conn, application_row(rec), source=source.name)
            except (RowError, CentreError) as exc:
                report.rejected.append({"row": n, "reason": str(exc)})
                continue
            report.accepted += 1
            setattr(report, outcome, getattr(report, outcome) + 1)
    centre.notify()
    return report
