"""VirtualChip: the chip side of a CCCD, answering raw APDUs like a real card.

It enforces access control (6982 before BAC/PACE), runs BAC and PACE-GM (CAN or MRZ),
secure messaging, chip authentication (MSE:Set AT + GENERAL AUTHENTICATE, then new
session keys), READ BINARY (by current file or SFI), INTERNAL AUTHENTICATE, and
offers fault injection for tests and the vpcd socket client:

* ``schedule_removal(n)``: the first ``n`` APDUs are answered, the next one finds the
  card gone: every listener in ``removal_listeners`` is called (the socket client
  disconnects from vpcd) and :class:`CardRemoved` is raised until ``insert()``.
  With ``mode="mute"`` the chip raises :class:`ChipMuted` instead (stop answering).
* ``wrong_key_attempts`` counts failed BAC/PACE attempts; with ``max_wrong_keys`` set,
  further authentication attempts get 6983 until the next power cycle.
"""

from __future__ import annotations

import hmac
import os
from typing import Callable, Literal

from .. import bac, crypto, ec, pace
from ..active_auth import chip_sign
from ..chip_auth import SUPPORTED_CA_OIDS, chip_answer
from ..apdu import CommandApdu, ResponseApdu
from ..asn1 import decode_oid
from ..errors import AuthenticationFailed, CardRemoved, CommunicationError, SecureMessagingError, TlvError
from ..files import EF_CARD_ACCESS, EMRTD_AID
from ..sm import SecureMessaging
from ..tlv import Tlv, encode, parse, parse_all
from .profile import CardProfile


class ChipMuted(CommunicationError):
    """Fault injection: the chip stopped answering (the reader would time out)."""


def _r(sw: int, data: bytes = b"") -> ResponseApdu:
    return ResponseApdu(data, sw)


class VirtualChip:
    """A contactless eMRTD chip serving a :class:`CardProfile`."""

    def __init__(self, profile: CardProfile, *, rng: Callable[[int], bytes] = os.urandom,
                 max_wrong_keys: int | None = None) -> None:
        self.profile = profile
        self.atr = profile.atr
        self.rng = rng
        self.max_wrong_keys = max_wrong_keys
        self.removal_listeners: list[Callable[[], None]] = []
        self.wrong_key_attempts = 0
        self.apdu_count = 0
        self.present = True
        self._remove_after: int | None = None
        self._fault_mode: Literal["remove", "mute"] = "remove"
        self.power_on()

    # -- power and faults ---------------------------------------------------------------
    def power_on(self) -> bytes:
        """Cold start: forget all sessions; returns the ATR."""
        self._reset_state()
        self._wrong_since_power = 0
        return self.atr

    def power_off(self) -> None:
        self._reset_state()

    def reset(self) -> bytes:
        """Warm reset (same effect on state as a power cycle here)."""
        return self.power_on()

    def _reset_state(self) -> None:
        self.in_application = False
        self.selected: int | None = None
        self.session: SecureMessaging | None = None
        self.authenticated = False
        self._challenge: bytes | None = None
        self._pace: dict | None = None
        self._ca_ready = False
        self._next_session: SecureMessaging | None = None

    def schedule_removal(self, after_apdus: int | None, mode: Literal["remove", "mute"] = "remove") -> None:
        """Answer ``after_apdus`` more APDUs, then vanish (``None`` cancels)."""
        self._remove_after = None if after_apdus is None else self.apdu_count + after_apdus
        self._fault_mode = mode

    def insert(self) -> bytes:
        """Put the card back on the reader (fresh power-up)."""
        self.present = True
        self._remove_after = None
        return self.power_on()

    def _vanish(self) -> None:
        self.present = False
        self._reset_state()
        for listener in list(self.removal_listeners):
            listener()

    # -- APDU entry point ------------------------------------------------------------------
    def process(self, apdu: bytes) -> bytes:
        """Answer one raw command APDU with response data + SW1 SW2."""
        if not self.present:
            raise CardRemoved("virtual card is not on the reader")
        if self._remove_after is not None and self.apdu_count >= self._remove_after:
            if self._fault_mode == "mute":
                raise ChipMuted("virtual card stopped answering")
            self._vanish()
            raise CardRemoved("virtual card removed (fault injection)")
        self.apdu_count += 1
        try:
            cmd = CommandApdu.decode(apdu)
        except CommunicationError:
            return _r(0x6700).encode()
        if cmd.cla & 0x0C == 0x0C:
            if self.session is None:
                return _r(0x6987).encode()
            try:
                plain = self.session.unprotect_command(cmd)
            except SecureMessagingError as exc:
                self._reset_state()  # a real chip aborts the session on an SM error
                return _r(exc.sw or 0x6988).encode()
            session = self.session
            resp = self._dispatch(plain)
            if self.session is session:
                out = session.protect_response(resp)
                if self._next_session is not None:  # chip authentication: new keys from now on
                    self.session, self._next_session = self._next_session, None
                return out
            return resp.encode()
        if self.session is not None and cmd.ins not in (0x22, 0x84, 0x86):
            self._reset_state()  # plain command during SM ends the session
            return _r(0x6982).encode()
        return self._dispatch(cmd).encode()

    def _dispatch(self, cmd: CommandApdu) -> ResponseApdu:
        handler = {0xA4: self._select, 0xB0: self._read_binary, 0x84: self._get_challenge,
                   0x82: self._external_authenticate, 0x22: self._mse, 0x86: self._general_authenticate,
                   0x88: self._internal_authenticate}.get(cmd.ins)
        if handler is None:
            return _r(0x6D00)
        return handler(cmd)

    # -- file system -------------------------------------------------------------------------
    def _visible(self, fid: int) -> bool:
        if fid not in self.profile.files:
            return False
        return fid == EF_CARD_ACCESS or self.in_application

    def _select(self, cmd: CommandApdu) -> ResponseApdu:
        if cmd.p1 == 0x04:
            if cmd.data == EMRTD_AID:
                self.in_application, self.selected = True, None
                return _r(0x9000)
            return _r(0x6A82)
        if cmd.p1 in (0x00, 0x02) and len(cmd.data) == 2:
            fid = int.from_bytes(cmd.data, "big")
            if fid == 0x3F00 and cmd.p1 == 0x00:
                self.in_application, self.selected = False, None
                return _r(0x9000)
            if self._visible(fid):
                self.selected = fid
                return _r(0x9000)
            return _r(0x6A82)
        return _r(0x6A86)

    def _readable(self, fid: int) -> bool:
        if fid in self.profile.protected_files:
            return False
        return fid == EF_CARD_ACCESS or self.authenticated

    def _read_binary(self, cmd: CommandApdu) -> ResponseApdu:
        if cmd.p1 & 0x80:
            fid = 0x0100 | (cmd.p1 & 0x1F)
            if not self._visible(fid):
                return _r(0x6A82)
            self.selected, offset = fid, cmd.p2
        else:
            offset = ((cmd.p1 & 0x7F) << 8) | cmd.p2
        if self.selected is None:
            return _r(0x6986)
        if not self._readable(self.selected):
            return _r(0x6982)
        if cmd.le is None:
            return _r(0x6700)
        data = self.profile.files[self.selected]
        if offset >= len(data):
            return _r(0x6B00)
        chunk = data[offset:offset + cmd.le]
        return _r(0x9000 if len(chunk) == cmd.le else 0x6282, chunk)

    # -- BAC -----------------------------------------------------------------------------------
    def _blocked(self) -> bool:
        return self.max_wrong_keys is not None and self._wrong_since_power >= self.max_wrong_keys

    def _wrong_key(self) -> ResponseApdu:
        self.wrong_key_attempts += 1
        self._wrong_since_power += 1
        self._reset_state()
        return _r(0x6300)

    def _get_challenge(self, cmd: CommandApdu) -> ResponseApdu:
        if cmd.le != 8:
            return _r(0x6700)
        self._challenge = self.rng(8)
        return _r(0x9000, self._challenge)

    def _external_authenticate(self, cmd: CommandApdu) -> ResponseApdu:
        if not self.profile.bac or not self.profile.mrz_info:
            return _r(0x6D00)
        if self._blocked():
            return _r(0x6983)
        if self._challenge is None or not self.in_application:
            return _r(0x6985)
        challenge, self._challenge = self._challenge, None
        keys = bac.derive_bac_keys(self.profile.mrz_info)
        result = bac.chip_external_authenticate(keys, cmd.data, challenge, self.rng(16))
        if result is None:
            in_app = self.in_application
            resp = self._wrong_key()
            self.in_application = in_app
            return resp
        answer, self.session = result
        self.authenticated = True
        return _r(0x9000, answer)

    # -- PACE ----------------------------------------------------------------------------------
    def _mse(self, cmd: CommandApdu) -> ResponseApdu:
        if (cmd.p1, cmd.p2) == (0x41, 0xA4):
            return self._mse_chip_auth(cmd)
        if (cmd.p1, cmd.p2) != (0xC1, 0xA4) or not self.profile.pace:
            return _r(0x6A86 if self.profile.pace else 0x6D00)
        self._reset_state()
        try:
            items = {item.tag: item for item in parse_all(cmd.data)}
            oid = decode_oid(Tlv(0x06, items[0x80].value, b""))
            ref = items[0x83].value
        except (KeyError, TlvError):
            return _r(0x6A80)
        if oid not in pace.SUPPORTED_PACE_OIDS:
            return _r(0x6A80)
        password = {b"\x01": self.profile.mrz_info, b"\x02": self.profile.can}.get(ref)
        if password is None:
            return _r(0x6A88)
        self._pace = {"step": 1, "oid": oid, "ref": ref[0], "password": password}
        return _r(0x9000)

    def _general_authenticate(self, cmd: CommandApdu) -> ResponseApdu:
        if self._ca_ready:
            return self._chip_auth(cmd)
        state = self._pace
        if state is None:
            return _r(0x6985)
        if self._blocked():
            return _r(0x6983)
        try:
            data = parse(cmd.data, 0x7C)
            return self._pace_step(state, data, last=not cmd.cla & 0x10)
        except (TlvError, AuthenticationFailed, KeyError):
            self._pace = None
            return _r(0x6A80)

    def _pace_step(self, st: dict, data: Tlv, last: bool) -> ResponseApdu:
        curve = ec.BRAINPOOL_P256R1
        step = st["step"]
        if last != (step == 4):
            self._pace = None
            return _r(0x6883)  # chaining bits out of order
        if step == 1:
            st["s"] = self.rng(16)
            z = crypto.aes_cbc_encrypt(pace.k_pi(st["password"], st["ref"]), st["s"])
            st["step"] = 2
            return _r(0x9000, encode(0x7C, encode(0x80, z)))
        if step == 2:
            pk_pcd = ec.decode_point(curve, data.child(0x81).value)
            sk = int.from_bytes(self.rng(40), "big") % (curve.n - 1) + 1
            st["g"] = pace.map_generator(curve, st["s"], ec.mul_fast(curve, sk, pk_pcd))
            st["step"] = 3
            return _r(0x9000, encode(0x7C, encode(0x82, ec.encode_point(curve, ec.mul_fast(curve, sk, curve.g)))))
        if step == 3:
            pk_pcd_raw = data.child(0x83).value
            pk_pcd = ec.decode_point(curve, pk_pcd_raw)
            sk = int.from_bytes(self.rng(40), "big") % (curve.n - 1) + 1
            pk_raw = ec.encode_point(curve, ec.mul_fast(curve, sk, st["g"]))
            if pk_raw == pk_pcd_raw:
                raise AuthenticationFailed("terminal reused our key")
            shared = ec.mul_fast(curve, sk, pk_pcd)
            if shared is None:
                raise AuthenticationFailed("degenerate shared secret")
            st["keys"] = pace.session_keys(shared[0], curve)
            st["pk_pcd"], st["pk_picc"] = pk_pcd_raw, pk_raw
            st["step"] = 4
            return _r(0x9000, encode(0x7C, encode(0x84, pk_raw)))
        ks_enc, ks_mac = st["keys"]
        expected = pace.auth_token(ks_mac, st["oid"], st["pk_picc"])
        if not hmac.compare_digest(expected, data.child(0x85).value):
            return self._wrong_key()
        token = pace.auth_token(ks_mac, st["oid"], st["pk_pcd"])
        self._pace = None
        self.session = SecureMessaging(ks_enc, ks_mac, 0, "AES")
        self.authenticated = True
        self.in_application = False  # PACE runs at MF level; the terminal selects the AID next
        return _r(0x9000, encode(0x7C, encode(0x86, token)))

    # -- Chip Authentication (ICAO 9303-11 §6.2) -------------------------------------------
    def _mse_chip_auth(self, cmd: CommandApdu) -> ResponseApdu:
        if self.profile.ca_key is None:
            return _r(0x6A86)
        if self.session is None or not self.authenticated:
            return _r(0x6982)
        try:
            items = {item.tag: item for item in parse_all(cmd.data)}
            oid = decode_oid(Tlv(0x06, items[0x80].value, b""))
        except (KeyError, TlvError):
            return _r(0x6A80)
        if oid not in SUPPORTED_CA_OIDS:
            return _r(0x6A80)
        self._ca_ready = True
        return _r(0x9000)

    def _chip_auth(self, cmd: CommandApdu) -> ResponseApdu:
        self._ca_ready = False
        assert self.profile.ca_key is not None
        try:
            answer, self._next_session = chip_answer(self.profile.ca_key, cmd.data)
        except AuthenticationFailed:
            return _r(0x6A80)
        return _r(0x9000, answer)

    # -- Active Authentication -----------------------------------------------------------------
    def _internal_authenticate(self, cmd: CommandApdu) -> ResponseApdu:
        if self.profile.aa_key is None:
            return _r(0x6D00)
        if not self.authenticated:
            return _r(0x6982)
        if len(cmd.data) != 8:
            return _r(0x6700)
        return _r(0x9000, chip_sign(self.profile.aa_key, cmd.data, self.profile.aa_hash))
