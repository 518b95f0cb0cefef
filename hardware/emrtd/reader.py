"""``read_document``: the whole terminal-side read of a CCCD over any Transport."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterable

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from hardware.shared_types import AccessKey, AuthVerdict

from . import files
from .active_auth import perform_active_auth
from .apdu import Transport
from .bac import perform_bac
from .channel import CardChannel
from .crosscheck import CrossCheck, cross_check
from .dg2 import FaceImage, parse_dg2
from .dg13 import Dg13, parse_dg13
from .chip_auth import ChipAuthFailed, ChipAuthInfo, chip_auth_info, perform_chip_auth
from .errors import (ActiveAuthFailed, AuthenticationFailed, FileNotFound, ParseError, SecureMessagingError,
                     SecurityStatusNotSatisfied, UnexpectedStatus, WrongAccessKey)
from .lds import ComFile, parse_com
from .mrz import Td1, mrz_infos, parse_dg1
from .pace import PASSWORD_CAN, PASSWORD_MRZ, PaceParams, SUPPORTED_PACE_OIDS, perform_pace
from .passive_auth import PassiveAuthResult, TrustInput, verify_passive
from .security_infos import SecurityInfo, aa_signature_algorithm, parse_card_access, parse_dg14, parse_dg15
from .ec import CURVES_BY_PARAM_ID
from .verdict import combine

DEFAULT_GROUPS = (1, 2, 13, 14, 15)
MAX_CHIP_AUTH_ATTEMPTS = 2  # per read: the second try tells a transmission glitch from a clone
FORBIDDEN_GROUPS = frozenset({3, 4})  # biometrics behind EAC: the kiosk must not try


@dataclass
class ChipDocument:
    """Everything read from the chip, parsed, with the verification results."""

    access_method: str                      # "PACE-CAN", "PACE-MRZ" or "BAC"
    com: ComFile
    dg1: Td1
    dg2: FaceImage | None
    dg13: Dg13 | None
    dg14: list[SecurityInfo] | None
    dg15: PublicKeyTypes | None
    raw: dict[int, bytes] = field(repr=False)   # data group number → bytes
    sod: bytes = field(repr=False, default=b"")
    card_access: bytes | None = field(repr=False, default=None)
    passive_auth: PassiveAuthResult | None = None
    active_auth: bool | None = None         # None: no DG15 or not attempted
    chip_auth: bool | None = None           # None: DG14 offers no (supported) CA, or not attempted
    verdict: AuthVerdict | None = None      # the one answer: verified / signature_only / failed
    cross_check: CrossCheck | None = None
    skipped_groups: dict[int, str] = field(default_factory=dict)
    apdu_count: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _pace_params(infos: list[SecurityInfo]) -> PaceParams | None:
    for info in infos:
        if info.is_pace and info.protocol in SUPPORTED_PACE_OIDS and info.version == 2:
            param = info.parameter_id if info.parameter_id is not None else 13
            if param in CURVES_BY_PARAM_ID:
                return PaceParams(info.protocol, param)
    return None


def _read_card_access(channel: CardChannel, block_size: int) -> bytes | None:
    try:
        return files.read_file(channel, files.EF_CARD_ACCESS, block_size)
    except (FileNotFound, SecurityStatusNotSatisfied, UnexpectedStatus):
        return None  # no PACE on this card (or the stack hides the file): use BAC


def _authenticate(channel: CardChannel, key: AccessKey, card_access: bytes | None) -> str:
    """Open the chip: PACE when offered, BAC otherwise.  Returns the method used."""
    params = None
    if card_access is not None:
        try:
            params = _pace_params(parse_card_access(card_access))
        except ParseError:
            params = None
    wrong_key: WrongAccessKey | None = None
    if params is not None:
        attempts = ([("PACE-CAN", key.can, PASSWORD_CAN)] if key.can else []) + \
            [("PACE-MRZ", info, PASSWORD_MRZ) for info in (mrz_infos(key.bac) if key.bac else [])]
        try:
            for method, password, ref in attempts:
                try:
                    perform_pace(channel, password, ref, params)
                    files.select_application(channel)
                    return method
                except WrongAccessKey as exc:
                    wrong_key = exc
            if wrong_key is not None:
                raise wrong_key
        except (AuthenticationFailed, UnexpectedStatus) as exc:
            if isinstance(exc, WrongAccessKey) or key.bac is None:
                raise
            # PACE advertised but unusable on this chip: fall back to BAC.
    if key.bac is None:
        raise WrongAccessKey("card needs BAC but only a CAN was given")
    channel.sm = None
    files.select_application(channel)
    for mrz_info in mrz_infos(key.bac):
        try:
            perform_bac(channel, mrz_info)
            return "BAC"
        except WrongAccessKey as exc:
            wrong_key = exc
    assert wrong_key is not None
    raise wrong_key


class _Session:
    """The open channel plus what it takes to reopen it (after a failed chip authentication)."""

    def __init__(self, channel: CardChannel, key: AccessKey, card_access: bytes | None, block_size: int) -> None:
        self.channel, self.key, self.card_access, self.block_size = channel, key, card_access, block_size
        self.method = _authenticate(channel, key, card_access)
        self.chip_auth: bool | None = None   # None: not run; True once the chip answered under the CA keys
        self._confirm = False
        self._info: ChipAuthInfo | None = None
        self._attempts = 0

    def run_chip_auth(self, info: ChipAuthInfo) -> None:
        """Chip authentication; the next read confirms it (see :meth:`read`)."""
        self._info, self._attempts = info, self._attempts + 1
        try:
            perform_chip_auth(self.channel, info)
            self._confirm = True
        except (ChipAuthFailed, SecureMessagingError):
            self._fail_chip_auth()

    def _fail_chip_auth(self) -> None:
        # Reopen the channel; try CA once more (a glitch must not brand a card a clone),
        # then give up and finish the read in a plain session, flagged possibly cloned.
        self._confirm = False
        self.channel.sm = None
        self.method = _authenticate(self.channel, self.key, self.card_access)
        if self._info is not None and self._attempts < MAX_CHIP_AUTH_ATTEMPTS:
            self.run_chip_auth(self._info)
        else:
            self.chip_auth = False

    def read(self, fid: int) -> bytes:
        """Read one EF; the first read after chip authentication confirms the new keys."""
        while self._confirm:
            try:
                data = files.read_file(self.channel, fid, self.block_size)
            except SecureMessagingError:
                self._fail_chip_auth()
                continue
            self.chip_auth, self._confirm = True, False
            return data
        return files.read_file(self.channel, fid, self.block_size)


def read_document(transport: Transport, access_key: AccessKey, *, block_size: int = files.DEFAULT_BLOCK_SIZE,
                  groups: Iterable[int] = DEFAULT_GROUPS, trust_store: TrustInput = None,
                  strict_passive_auth: bool = True, active_auth: bool = True, chip_auth: bool = True,
                  qr: dict[str, str] | None = None) -> ChipDocument:
    """Authenticate, read EF.COM, DG14, run chip authentication when DG14 offers it,
    read the other wanted data groups present and EF.SOD, then run passive
    authentication, active authentication (DG15) and cross-checks.

    The outcome is ``doc.verdict`` (verified / signature_only / failed, with a reason).
    Raises WrongAccessKey, CardRemoved and the other ChipErrors; with
    ``strict_passive_auth`` a proven PA failure raises PassiveAuthFailed.
    """
    wanted = sorted(set(groups), key=lambda n: (n != 14, n))  # DG14 first: it holds the CA key
    if FORBIDDEN_GROUPS & set(wanted):
        raise ValueError("DG3/DG4 are protected biometrics; the kiosk never reads them")
    channel = CardChannel(transport)
    timings: dict[str, float] = {}
    start = time.perf_counter()
    card_access = _read_card_access(channel, block_size)
    session = _Session(channel, access_key, card_access, block_size)
    timings["authenticate"] = time.perf_counter() - start

    t = time.perf_counter()
    com = parse_com(session.read(files.EF_COM))
    raw: dict[int, bytes] = {}
    skipped: dict[int, str] = {}
    dg14 = None
    for number in wanted:
        if number not in com.data_groups:
            continue
        try:
            raw[number] = session.read(files.dg_fid(number))
        except (FileNotFound, SecurityStatusNotSatisfied) as exc:
            if number == 1:
                raise
            skipped[number] = type(exc).__name__
            continue
        if number == 14:
            dg14 = parse_dg14(raw[14])
            info = chip_auth_info(dg14) if chip_auth else None
            if info is not None:
                ca_start = time.perf_counter()
                session.run_chip_auth(info)
                timings["chip_auth"] = time.perf_counter() - ca_start
    sod_raw = session.read(files.EF_SOD)
    timings["read_files"] = time.perf_counter() - t

    t = time.perf_counter()
    if 1 not in raw:
        raise FileNotFound("EF.COM does not list DG1")
    doc = ChipDocument(
        access_method=session.method, com=com, dg1=parse_dg1(raw[1]),
        dg2=parse_dg2(raw[2]) if 2 in raw else None,
        dg13=parse_dg13(raw[13]) if 13 in raw else None,
        dg14=dg14, dg15=parse_dg15(raw[15]) if 15 in raw else None,
        raw=raw, sod=sod_raw, card_access=card_access, skipped_groups=skipped,
        chip_auth=session.chip_auth,
    )
    timings["parse"] = time.perf_counter() - t

    if active_auth and doc.dg15 is not None:
        t = time.perf_counter()
        algorithm = aa_signature_algorithm(doc.dg14) if doc.dg14 else None
        try:
            doc.active_auth = perform_active_auth(channel, doc.dg15, algorithm)
        except ActiveAuthFailed:
            doc.active_auth = False
        timings["active_auth"] = time.perf_counter() - t

    t = time.perf_counter()
    doc.passive_auth = verify_passive(sod_raw, raw, trust_store)
    doc.verdict = combine(doc.passive_auth.verdict, chip_auth=doc.chip_auth, active_auth=doc.active_auth)
    timings["passive_auth"] = time.perf_counter() - t
    doc.cross_check = cross_check(doc.dg1, doc.dg13, qr)
    doc.apdu_count = channel.stats.apdus
    timings["total"] = time.perf_counter() - start
    doc.timings = timings
    if strict_passive_auth:
        doc.passive_auth.require()
    return doc


def minimum_apdus(file_sizes: dict[str, int], method: str, *, block_size: int = files.DEFAULT_BLOCK_SIZE,
                  active_auth: bool = False, chip_auth: bool = False) -> int:
    """The fewest APDUs a full read can take: auth + SELECT AID + per file (SELECT,
    4-byte header, body chunks) + chip authentication (MSE:Set AT + GENERAL
    AUTHENTICATE) + INTERNAL AUTHENTICATE.  ``file_sizes`` includes 'CardAccess'
    (absent → one failed SELECT) and every file read."""
    total = 0
    if "CardAccess" in file_sizes:
        total += files.min_apdus_for_file(file_sizes["CardAccess"], block_size)
    else:
        total += 1  # SELECT EF.CardAccess → 6A82
    total += {"PACE-CAN": 5, "PACE-MRZ": 5, "BAC": 2}[method] + 1  # + SELECT AID
    total += sum(files.min_apdus_for_file(size, block_size) for name, size in file_sizes.items()
                 if name != "CardAccess")
    return total + (1 if active_auth else 0) + (2 if chip_auth else 0)


__all__ = ["ChipDocument", "read_document", "minimum_apdus"]
